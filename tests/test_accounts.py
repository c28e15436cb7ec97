"""Login, lock-out across processes, own password, and account management by staff."""

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import LoginThrottle, User
from portal.accounts.security import MAX_FAILED_LOGINS
from portal.audit import AuditEvent
from portal.extensions import db
from portal.timeutil import utcnow
from tests import factories
from tests.conftest import make_test_config


def login(client, login_name, password):
    return client.post("/login", data={"login": login_name, "password": password})


def test_login_and_logout(client, curator):
    response = login(client, "curator", factories.DEFAULT_PASSWORD)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Здравствуйте, Соколова Анна Викторовна" in page
    assert "Куратор" in page
    response = client.post("/logout", follow_redirects=True)
    assert "Вы вышли из портала." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_is_case_insensitive_and_follows_only_local_next(client, curator):
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"login": "CURATOR", "password": factories.DEFAULT_PASSWORD},
    )
    assert response.location == "/"


def test_wrong_password_shows_russian_message(client, curator):
    response = login(client, "curator", "wrong")
    assert response.status_code == 422
    assert "Неверный логин или пароль." in response.get_data(as_text=True)


def test_passwords_are_hashed(curator):
    stored = db.session.get(User, curator.id).password_hash
    assert factories.DEFAULT_PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_production_hashes_with_scrypt(tmp_path):
    from portal import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    with app.app_context():
        user = User(login="x")
        user.set_password("Пароль2026")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("Пароль2026") and not user.check_password("пароль2026")


def test_session_cookie_is_httponly_and_lax(client, curator):
    response = login(client, "curator", factories.DEFAULT_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_inactive_user_cannot_log_in(client):
    factories.make_user(login="gone", active=False)
    response = login(client, "gone", factories.DEFAULT_PASSWORD)
    assert "Неверный логин или пароль." in response.get_data(as_text=True)


def test_pause_holds_across_two_app_instances(app, database_url, instance_path):
    """Two app instances stand for two worker processes behind one database."""
    from portal import create_app

    factories.make_user(login="victim")
    other = create_app(make_test_config(database_url, instance_path))
    clients = [app.test_client(), other.test_client()]
    for attempt in range(MAX_FAILED_LOGINS):
        response = login(clients[attempt % 2], "victim", "wrong-password")
        assert "Неверный логин или пароль." in response.get_data(as_text=True)
    # Paused now: even the right password is refused, on either instance, from a new browser.
    for c in clients:
        text = login(c, "victim", factories.DEFAULT_PASSWORD).get_data(as_text=True)
        assert "Слишком много неудачных попыток входа. Повторите после" in text
    with other.app_context():
        db.engine.dispose()
    counter = db.session.get(LoginThrottle, "login:victim")
    assert counter.failures == MAX_FAILED_LOGINS
    # The first pause is short: a stranger cannot keep anyone out for long in one go.
    assert utcnow() < counter.locked_until <= utcnow() + timedelta(minutes=1)


def test_pause_ends_and_the_right_password_clears_the_count(client):
    factories.make_user(login="late")
    db.session.add(
        LoginThrottle(
            key="login:late",
            failures=MAX_FAILED_LOGINS,
            level=1,
            window_started_at=utcnow() - timedelta(minutes=3),
            locked_until=utcnow() - timedelta(seconds=1),
        )
    )
    db.session.commit()
    assert login(client, "late", factories.DEFAULT_PASSWORD).status_code == 302
    counter = db.session.get(LoginThrottle, "login:late")
    db.session.refresh(counter)
    assert counter.failures == 0 and counter.level == 0 and counter.locked_until is None


def test_temporary_password_forces_a_change(client, auth):
    user = factories.make_user(login="kid", must_change_password=True)
    auth.login(user)
    assert client.get("/").location == "/account/password"
    response = client.post(
        "/account/password",
        data={"current": factories.DEFAULT_PASSWORD, "new": "short", "repeat": "short"},
    )
    assert response.status_code == 422
    assert "не короче 8 символов" in response.get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={
            "current": factories.DEFAULT_PASSWORD,
            "new": "Новый2026пароль",
            "repeat": "Новый2026пароль",
        },
    )
    assert response.location == "/"
    db.session.refresh(user)
    assert not user.must_change_password
    assert user.check_password("Новый2026пароль")


def test_curator_creates_user_and_gets_a_printable_slip(client, auth, curator):
    auth.login(curator)
    response = client.post(
        "/users/new",
        data={"login": "Petrov.K", "full_name": "Петров Кирилл", "roles": ["mentee"]},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Логин" in page and "Временный пароль" in page
    created = db.session.scalar(select(User).where(User.login == "petrov.k"))
    assert created.must_change_password
    slip_password = page.split('class="slip-password">')[1].split("<")[0]
    assert created.check_password(slip_password)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_created"))
    assert event.user_id == curator.id and event.object_id == created.id


def test_duplicate_login_and_missing_role_are_reported(client, auth, curator):
    auth.login(curator)
    response = client.post("/users/new", data={"login": "curator", "full_name": "Х", "roles": []})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Выберите хотя бы одну роль." in page


def test_curator_cannot_grant_admin_or_touch_an_admin(client, auth, curator, admin):
    auth.login(curator)
    response = client.post(
        "/users/new", data={"login": "boss", "full_name": "Босс", "roles": ["admin"]}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(User).where(User.login == "boss")) is None
    assert client.post(f"/users/{admin.id}/reset-password").status_code == 403
    assert client.post(f"/users/{admin.id}/active").status_code == 403
    assert client.get(f"/users/{admin.id}/edit").status_code == 403


def test_reset_password_unlocks_and_shows_slip(client, auth, curator):
    kid = factories.make_user(login="kid2", roles=["mentee"])
    db.session.add(
        LoginThrottle(
            key="login:kid2", failures=5, level=3, locked_until=utcnow() + timedelta(minutes=10)
        )
    )
    db.session.commit()
    auth.login(curator)
    page = client.post(f"/users/{kid.id}/reset-password").get_data(as_text=True)
    password = page.split('class="slip-password">')[1].split("<")[0]
    db.session.refresh(kid)
    assert kid.check_password(password) and kid.must_change_password
    counter = db.session.get(LoginThrottle, "login:kid2")
    db.session.refresh(counter)
    assert counter.locked_until is None and counter.failures == 0


def test_deactivate_user_by_htmx_returns_the_row(client, auth, curator):
    kid = factories.make_user(login="kid3", roles=["mentee"], full_name="Ребёнок Третий")
    auth.login(curator)
    response = client.post(f"/users/{kid.id}/active", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<tr")
    assert "отключена" in html and "Включить" in html
    db.session.refresh(kid)
    assert not kid.active


def test_user_search_finds_cyrillic_case_insensitively(client, auth, curator):
    factories.make_user(login="e1", full_name="Ёлкина Светлана")
    auth.login(curator)
    html = client.get("/users?q=ЕЛКИНА", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Ёлкина Светлана" in html
    assert "<html" not in html


def test_edit_user_roles_is_logged(client, auth, admin):
    kid = factories.make_user(login="kid4", roles=["mentee"])
    auth.login(admin)
    client.post(
        f"/users/{kid.id}/edit", data={"full_name": "Новое Имя", "roles": ["mentee", "mentor"]}
    )
    db.session.refresh(kid)
    assert {r.value for r in kid.roles} == {"mentee", "mentor"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_updated"))
    assert event.changes["full_name"][1] == "Новое Имя"
    assert event.changes["roles"] == [["mentee"], ["mentee", "mentor"]]
