"""Command-line tasks: accounts, demo data, backups."""

import sqlite3

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db


def test_create_user(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "ivanova",
            "--name",
            "Иванова Мария",
            "--role",
            "curator",
            "--password",
            "Kurator2026",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Создан пользователь ivanova: Куратор." in result.output
    user = db.session.scalar(select(User).where(User.login == "ivanova"))
    assert user.check_password("Kurator2026")


def test_create_user_refuses_weak_password(runner):
    result = runner.invoke(
        args=["create-user", "x1", "--name", "Х", "--role", "admin", "--password", "123"]
    )
    assert result.exit_code != 0
    assert "не короче 8 символов" in result.output


def test_seed_demo_creates_every_role_and_only_once(runner):
    result = runner.invoke(args=["seed-demo", "--password", "Demo12345", "--people", "40"])
    assert result.exit_code == 0, result.output
    assert "Пароль для всех: Demo12345" in result.output
    logins = set(db.session.scalars(select(User.login)))
    assert {
        "admin",
        "curator",
        "group",
        "mentor",
        "mentee",
        "parent",
        "mentor2",
        "mentee2",
    } <= logins
    assert db.session.scalar(select(User).where(User.login == "mentee")).check_password("Demo12345")
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0
    assert "уже есть данные" in again.output


def test_backup_copies_sqlite_consistently(runner, app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        result = runner.invoke(args=["backup"])
        assert "pg_dump" in result.output
        return
    runner.invoke(
        args=["create-user", "keep", "--name", "К", "--role", "admin", "--password", "Backup2026"]
    )
    target = tmp_path / "copy.db"
    result = runner.invoke(args=["backup", "--to", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as conn:
        rows = conn.execute("SELECT login FROM users").fetchall()
    conn.close()
    assert ("keep",) in rows


def test_the_first_administrator_on_an_empty_database_brings_the_centres_forms(runner):
    from sqlalchemy import func, select

    from portal.matching.models import MentorshipForm

    args = [
        "create-user",
        "first",
        "--name",
        "Первая",
        "--role",
        "admin",
        "--password",
        "Pervyi-2026",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Загружены формы наставничества" in result.output
    count = db.session.scalar(select(func.count()).select_from(MentorshipForm))
    assert count >= 3
    again = runner.invoke(
        args=[
            "create-user",
            "second",
            "--name",
            "Вторая",
            "--role",
            "curator",
            "--password",
            "Vtoraya-2026",
        ]
    )
    assert "Загружены формы" not in again.output
    assert db.session.scalar(select(func.count()).select_from(MentorshipForm)) == count
