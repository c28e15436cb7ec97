"""Headers on every response, HTTPS behind a proxy, and no inline script left for the CSP."""

import re
from pathlib import Path

import pytest

from portal import create_app
from portal.accounts import sessions
from portal.accounts.security import KNOWN_BROWSER_COOKIE
from portal.extensions import db
from portal.headers import CONTENT_SECURITY_POLICY
from tests import factories
from tests.conftest import FreshRequestClient, make_test_config
from tests.routes import build_path, guarded_rules

ROOT = Path(__file__).resolve().parents[1]


def assert_protected(response, path):
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["X-Frame-Options"] == "DENY", path
    assert headers["Referrer-Policy"] == "same-origin", path


def test_every_get_page_carries_the_headers_and_is_not_stored(app, client, admin):
    factories.log_in(client, admin)
    paths = ["/login", "/healthz", "/nowhere", "/static/css/portal.css"]
    paths += [build_path(r) for r in guarded_rules(app) if "GET" in r.methods and not r.arguments]
    checked = 0
    for path in paths:
        response = client.get(path)
        assert_protected(response, path)
        if not path.startswith("/static/"):
            assert response.headers["Cache-Control"] == "no-store", path
        response.close()
        checked += 1
    assert checked > 20


def test_error_and_post_answers_carry_the_headers(client, curator):
    response = client.post("/login", data={"login": "curator", "password": "wrong"})
    assert response.status_code == 422
    assert_protected(response, "/login")
    assert response.headers["Cache-Control"] == "no-store"


def test_slip_with_a_temporary_password_is_not_cached(client, auth, curator):
    auth.login(curator)
    response = client.post(
        "/users/new", data={"login": "newkid", "full_name": "Новый Ученик", "roles": ["mentee"]}
    )
    assert "Временный пароль" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_no_inline_script_or_handler_is_left_in_the_templates():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|hx-on[:-]|javascript:", re.I)
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_plain_http_has_no_secure_cookies_or_hsts(client, curator):
    response = client.post(
        "/login", data={"login": "curator", "password": factories.DEFAULT_PASSWORD}
    )
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers


@pytest.fixture
def proxied_app(_schema, database_url, instance_path):
    """The portal as the README sets it up behind Caddy or nginx: HTTPS on, one proxy."""
    app = create_app(make_test_config(database_url, instance_path, HTTPS=True, PROXY_COUNT=1))
    app.test_client_class = FreshRequestClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


PROXY_HEADERS = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "192.168.10.25",
    "X-Forwarded-Host": "portal.school.local",
}


def test_behind_a_tls_proxy(proxied_app, curator):
    client = proxied_app.test_client()
    page = client.get("/login", headers=PROXY_HEADERS)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    response = client.post(
        "/login?next=/users",
        data={"login": "curator", "password": factories.DEFAULT_PASSWORD, "remember": "y"},
        headers=PROXY_HEADERS,
    )
    assert response.status_code == 302
    # Redirects stay on the address people typed, over HTTPS.
    assert response.location in ("/users", "https://portal.school.local/users")
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session", sessions.REMEMBER_COOKIE, KNOWN_BROWSER_COOKIE):
        cookie = next(c for c in cookies if c.startswith(name + "="))
        assert "Secure" in cookie and "HttpOnly" in cookie, cookie
    # The session list shows the person's real address, not the proxy's.
    client.set_cookie("session", client.get_cookie("session").value)
    listing = client.get("/account/sessions", headers=PROXY_HEADERS).get_data(as_text=True)
    assert "192.168.10.25" in listing
    # A redirect the portal builds itself (login required) points to https.
    anonymous = proxied_app.test_client().get("/users", headers=PROXY_HEADERS)
    assert anonymous.status_code == 302
    assert anonymous.location.startswith(("/login", "https://portal.school.local/login"))


def test_without_the_proxy_setting_forwarded_headers_are_not_trusted(client, curator):
    response = client.post(
        "/login",
        data={"login": "curator", "password": factories.DEFAULT_PASSWORD},
        headers={"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 302
    assert "Strict-Transport-Security" not in response.headers
    listing = client.get("/account/sessions").get_data(as_text=True)
    assert "6.6.6.6" not in listing
