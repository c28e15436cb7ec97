"""Command-line tasks registered on the app: accounts, demo data, backups."""

import sqlite3
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app

from portal.access import Role
from portal.accounts import service as accounts
from portal.domain import RuleViolation
from portal.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup)


@click.command("create-user")
@click.argument("login")
@click.option("--name", "full_name", required=True, help="ФИО пользователя.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Роль; можно указать несколько раз.",
)
@click.password_option(help="Пароль (спрашивается, если не указан).")
def create_user(login: str, full_name: str, roles: tuple[str, ...], password: str) -> None:
    """Create a user account with the given roles."""
    try:
        user, _ = accounts.create_user(login, full_name, roles, password=password)
    except RuleViolation as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Создан пользователь {user.login}: {', '.join(user.role_titles)}.")


@click.command("seed-demo")
@click.option("--password", default=None, help="Пароль демо-учётных записей.")
@click.option("--people", default=300, show_default=True, help="Сколько людей создать в базах.")
@click.option("--if-empty", is_flag=True, help="Ничего не делать, если в базе уже есть данные.")
def seed_demo_command(password: str | None, people: int, if_empty: bool) -> None:
    """Load demo accounts for every role and demo data for every area."""
    from portal.demo import DEFAULT_PASSWORD, DEMO_ACCOUNTS, database_is_empty, seed_demo

    if not database_is_empty():
        if if_empty:
            click.echo("В базе уже есть данные — демо-данные не загружаются.")
            return
        raise click.ClickException("База не пуста: демо-данные загружаются только в пустую базу.")
    password = password or DEFAULT_PASSWORD
    seed_demo(password=password, people=people)
    click.echo("Демо-данные загружены. Учётные записи (логин — роль):")
    for login, _, roles in DEMO_ACCOUNTS:
        click.echo(f"  {login:<9} {', '.join(r.title for r in roles)}")
    click.echo(f"Пароль для всех: {password}")


@click.command("backup")
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Куда записать копию (по умолчанию instance/backups/portal-ДАТА.db).",
)
def backup(target: Path | None) -> None:
    """Make a consistent copy of the SQLite database while the portal runs."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            "База данных — PostgreSQL: используйте pg_dump, например "
            'pg_dump --format=custom --file=portal.dump "$PORTAL_DATABASE_URL".'
        )
    source = url.database
    if target is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = Path(current_app.instance_path) / "backups" / f"portal-{stamp}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    # The online backup API copies page by page under SQLite's locks: consistent while in use.
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    click.echo(f"Резервная копия сохранена: {target}")
