"""Server-side sessions: a copied cookie stops working everywhere once its session ends."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import create_app
from portal.accounts import sessions
from portal.accounts.models import User, UserSession
from portal.extensions import db
from portal.timeutil import utcnow
from tests import factories
from tests.conftest import FreshRequestClient, make_test_config

NEW_PASSWORD = "Другой2026пароль"


@pytest.fixture
def second_app(app, database_url, instance_path):
    """Another app instance on the same database: another worker process."""
    other = create_app(make_test_config(database_url, instance_path))
    other.test_client_class = FreshRequestClient
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def form_login(client, login: str, password=factories.DEFAULT_PASSWORD, remember=False):
    data = {"login": login, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def copy_cookies(source, target, names=("session", sessions.REMEMBER_COOKIE)) -> None:
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def signed_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200 and "Здравствуйте" in response.get_data(as_text=True)


def end_by_logout(app, client, user):
    client.post("/logout")


def end_by_password_change(app, client, user):
    response = client.post(
        "/account/password",
        data={
            "current": factories.DEFAULT_PASSWORD,
            "new": NEW_PASSWORD,
            "repeat": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    # The browser that changed it stays in; only the others are out.
    assert signed_in(client)


def end_by_reset(app, client, user):
    admin = factories.make_user(login="boss", roles=["admin"])
    page = factories.client_for(app, admin).post(f"/users/{user.id}/reset-password")
    assert "Временный пароль" in page.get_data(as_text=True)


def end_by_deactivation(app, client, user):
    admin = factories.make_user(login="boss", roles=["admin"])
    factories.client_for(app, admin).post(f"/users/{user.id}/active")
    assert not db.session.get(User, user.id).active


def end_by_admin(app, client, user):
    admin = factories.make_user(login="boss", roles=["admin"])
    response = factories.client_for(app, admin).post(
        f"/users/{user.id}/sessions/end", follow_redirects=True
    )
    assert "Сеансы mentor завершены: " in response.get_data(as_text=True)


ENDINGS = [end_by_logout, end_by_password_change, end_by_reset, end_by_deactivation, end_by_admin]


@pytest.mark.parametrize("ending", ENDINGS, ids=lambda f: f.__name__)
def test_copied_session_cookie_is_refused_on_another_worker(app, second_app, mentor, ending):
    client = app.test_client()
    form_login(client, "mentor")
    thief = second_app.test_client()
    copy_cookies(client, thief, names=("session",))
    with second_app.app_context():
        assert signed_in(thief)
    ending(app, client, mentor)
    with second_app.app_context():
        response = thief.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")


@pytest.mark.parametrize("ending", ENDINGS, ids=lambda f: f.__name__)
def test_copied_remember_cookie_is_refused_on_another_worker(app, second_app, mentor, ending):
    client = app.test_client()
    form_login(client, "mentor", remember=True)
    token = client.get_cookie(sessions.REMEMBER_COOKIE).value
    ending(app, client, mentor)
    thief = second_app.test_client()
    thief.set_cookie(sessions.REMEMBER_COOKIE, token)
    with second_app.app_context():
        response = thief.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    # The refused token is removed from the browser, not retried on every request.
    assert "portal_remember=;" in response.headers.get("Set-Cookie", "")


def test_remember_token_rotates_and_an_old_one_stops_working(app, second_app, mentor):
    client = app.test_client()
    form_login(client, "mentor", remember=True)
    first = client.get_cookie(sessions.REMEMBER_COOKIE).value
    # The browser is closed: only the remember cookie is left, and another worker answers.
    reopened = second_app.test_client()
    reopened.set_cookie(sessions.REMEMBER_COOKIE, first)
    with second_app.app_context():
        assert signed_in(reopened)
    second = reopened.get_cookie(sessions.REMEMBER_COOKIE).value
    assert second != first
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == mentor.id))
    assert record.remember_hash == sessions.digest(second)
    assert record.remember_until <= utcnow() + sessions.REMEMBER_LIFETIME
    # A minute later the replaced token is worthless (a copy taken before the rotation).
    record.remember_rotated_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    stale = app.test_client()
    stale.set_cookie(sessions.REMEMBER_COOKIE, first)
    assert stale.get("/").status_code == 302
    # The current one still signs in; the cookie format of old versions never does.
    fresh = app.test_client()
    fresh.set_cookie(sessions.REMEMBER_COOKIE, second)
    assert signed_in(fresh)


def test_a_session_without_remember_ends_after_a_working_day_idle(client, mentor):
    form_login(client, "mentor")
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == mentor.id))
    record.last_seen_at = utcnow() - sessions.IDLE_LIFETIME - timedelta(minutes=1)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_old_cookie_with_a_bare_user_id_is_refused(client, mentor):
    with client.session_transaction() as session:
        session["_user_id"] = str(mentor.id)
        session["_fresh"] = True
    assert client.get("/").status_code == 302


def test_person_sees_their_sessions_and_ends_another(app, mentor):
    office = app.test_client()
    form_login(office, "mentor")
    home = app.test_client()
    home_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    home.environ_base["HTTP_USER_AGENT"] = home_agent
    form_login(home, "mentor")
    page = office.get("/account/sessions").get_data(as_text=True)
    assert "Мои сеансы" in page and "Firefox · Linux" in page and "этот компьютер" in page
    home_record = db.session.scalar(select(UserSession).where(UserSession.user_agent == home_agent))
    response = office.post(f"/account/sessions/{home_record.id}/end", follow_redirects=True)
    assert "Сеанс завершён" in response.get_data(as_text=True)
    assert not signed_in(home)
    assert signed_in(office)
    db.session.refresh(home_record)
    assert home_record.ended_reason == "ended_by_user"


def test_nobody_ends_someone_elses_session(app, mentor, mentee):
    victim = app.test_client()
    form_login(victim, "mentee")
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == mentee.id))
    attacker = factories.client_for(app, mentor)
    assert attacker.post(f"/account/sessions/{record.id}/end").status_code == 404
    assert signed_in(victim)


def test_end_other_sessions_keeps_this_one(app, mentor):
    clients = [app.test_client() for _ in range(3)]
    for c in clients:
        form_login(c, "mentor")
    response = clients[0].post("/account/sessions/end-others", follow_redirects=True)
    assert "Завершено сеансов: 2." in response.get_data(as_text=True)
    assert [signed_in(c) for c in clients] == [True, False, False]


def test_idle_poll_does_not_write_the_session_every_request(client, mentor):
    form_login(client, "mentor")
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == mentor.id))
    seen = record.last_seen_at
    client.get("/")
    db.session.refresh(record)
    assert record.last_seen_at == seen
    record.last_seen_at = utcnow() - sessions.LAST_SEEN_STEP - timedelta(seconds=1)
    db.session.commit()
    client.get("/")
    db.session.refresh(record)
    assert record.last_seen_at > utcnow() - timedelta(minutes=1)
