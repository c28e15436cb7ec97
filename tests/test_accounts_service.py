"""One way to create an account: the same rules for the command line, the screen and the demo."""

import pytest
from sqlalchemy import select

from portal.access import Role
from portal.accounts import service
from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.domain import RuleViolation
from portal.extensions import db


def test_a_curator_cannot_grant_the_administrator_role(app, curator, admin):
    with pytest.raises(RuleViolation, match="«Администратор» может назначить только администратор"):
        service.create_user("boss", "Иванов Иван", [Role.ADMIN], actor=curator)
    user, password = service.create_user("boss", "Иванов Иван", [Role.ADMIN], actor=admin)
    assert user.has_role(Role.ADMIN) and user.must_change_password and len(password) >= 8
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_created"))
    assert (event.object_id, event.user_login) == (user.id, "admin")


def test_the_login_is_unique_whatever_its_case(app, runner):
    service.create_user("Orlova", "Орлова Наталья Петровна", ["parent"], password="secret123")
    db.session.commit()
    with pytest.raises(RuleViolation, match="«orlova» уже занят"):
        service.create_user(" ORLOVA ", "Другая", ["mentee"])
    result = runner.invoke(
        args=["create-user", "orLova", "--name", "X", "--role", "mentor", "--password", "abc12345"]
    )
    assert result.exit_code != 0 and "«orlova» уже занят" in result.output
    assert db.session.scalars(select(User.login)).all() == ["orlova"]


def test_a_given_password_follows_the_policy_and_is_kept(app):
    with pytest.raises(RuleViolation):
        service.create_user("weak", "Слабый", ["mentor"], password="12345678")
    user, password = service.create_user("strong", "Сильный", ["mentor"], password="Lesnik2026")
    assert password == "Lesnik2026" and user.check_password(password)
    assert not user.must_change_password


def test_the_screen_refuses_a_taken_login_with_the_domains_message(client, auth, curator):
    auth.login(curator)
    response = client.post(
        "/users/new", data={"login": "Curator", "full_name": "Дубль", "roles": ["mentor"]}
    )
    assert response.status_code == 422
    assert "Логин «curator» уже занят." in response.get_data(as_text=True)
