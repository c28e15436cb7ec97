"""Putting the portal on the school network: readiness check, passwords from the console."""

from sqlalchemy import select

from portal.accounts.models import UserSession
from portal.demo import DEFAULT_PASSWORD
from portal.extensions import db
from tests import factories


def test_network_portal_needs_an_administrator(runner):
    factories.make_user(login="teacher", roles=["mentor"])
    result = runner.invoke(args=["check-deployment"])
    assert result.exit_code != 0
    assert "нет ни одного администратора" in result.output and "make admin" in result.output


def test_network_portal_refuses_demo_passwords(runner):
    factories.make_user(login="admin", roles=["admin"], password=DEFAULT_PASSWORD)
    factories.make_user(login="ivanova", roles=["admin"], password="Своё2026слово")
    result = runner.invoke(args=["check-deployment"])
    assert result.exit_code != 0
    assert "admin остался демо-пароль" in result.output.replace("записей ", "")
    assert runner.invoke(args=["set-password", "admin", "--password", "Новый2026"]).exit_code == 0
    result = runner.invoke(args=["check-deployment"])
    assert result.exit_code == 0, result.output
    assert "Готово к работе в сети: администраторов — 2." in result.output


def test_set_password_ends_the_sessions_and_lifts_the_pause(app, runner):
    user = factories.make_user(login="boss", roles=["admin"])
    client = app.test_client()
    factories.log_in(client, user)
    assert client.get("/").status_code == 200
    result = runner.invoke(args=["set-password", "BOSS", "--password", "Другой2026"])
    assert result.exit_code == 0, result.output
    assert "Пароль boss изменён; завершено сеансов: 1." in result.output
    assert client.get("/").status_code == 302
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert record.ended_reason == "password_reset"
    weak = runner.invoke(args=["set-password", "boss", "--password", "short"])
    assert weak.exit_code != 0 and "не короче 8 символов" in weak.output
