"""Commands for running the portal on the school network: readiness check, passwords."""

import click
from flask import Flask
from sqlalchemy import select

from portal.access import Role
from portal.accounts import sessions
from portal.accounts.models import User
from portal.accounts.security import clear_login_pause, find_user, password_problem
from portal.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(check_deployment)
    app.cli.add_command(set_password)


def _demo_password_logins(password: str) -> list[str]:
    """Demo accounts that still have the demo password (the README's, known to anyone)."""
    from portal.demo import DEMO_ACCOUNTS

    logins = [login for login, _name, _roles in DEMO_ACCOUNTS]
    users = db.session.scalars(select(User).where(User.login.in_(logins), User.active.is_(True)))
    return sorted(u.login for u in users if u.check_password(password))


@click.command("check-deployment")
def check_deployment() -> None:
    """Refuse to serve the network without an administrator or with demo passwords."""
    from portal.demo import DEFAULT_PASSWORD

    admins = [u for u in db.session.scalars(select(User)) if u.active and u.has_role(Role.ADMIN)]
    if not admins:
        raise click.ClickException(
            "В базе нет ни одного администратора. Создайте первого: "
            'make admin LOGIN=ivanova NAME="Иванова Мария Петровна" '
            "(пароль будет спрошен)."
        )
    weak = _demo_password_logins(DEFAULT_PASSWORD)
    if weak:
        raise click.ClickException(
            f"У учётных записей {', '.join(weak)} остался демо-пароль из README. "
            "Смените его: flask --app app set-password ЛОГИН — или запускайте "
            "сетевой портал на чистой базе (make serve)."
        )
    click.echo(f"Готово к работе в сети: администраторов — {len(admins)}.")


@click.command("set-password")
@click.argument("login")
@click.password_option(help="Новый пароль (спрашивается, если не указан).")
@click.option("--temporary", is_flag=True, help="Потребовать смену пароля при входе.")
def set_password(login: str, password: str, temporary: bool) -> None:
    """Set a user's password (a demo password, or an administrator locked out); ends sessions."""
    user = find_user(login)
    if user is None:
        raise click.ClickException(f"Пользователя «{login}» нет.")
    problem = password_problem(password, user.login)
    if problem:
        raise click.ClickException(problem)
    user.set_password(password)
    user.must_change_password = temporary
    clear_login_pause(user.login)
    ended = sessions.end_all(user.id, "password_reset")
    db.session.commit()
    click.echo(f"Пароль {user.login} изменён; завершено сеансов: {ended}.")
