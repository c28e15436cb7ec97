"""Fixtures: a fresh database per test on SQLite or PostgreSQL, personas, a live browser."""

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests import factories

# The suite runs on SQLite unless this names another database (CI gives PostgreSQL).
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty `flask.g`.

    The fixtures hold one app context for the database, and Flask reuses it for requests,
    so `g` (Flask-Login's cached user, per-request caches) would leak from one request to
    the next; in production every request gets its own app context.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def make_test_config(database_url: str, instance_path: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(instance_path),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        # Hashing is not under test here; scrypt would dominate the suite's run time.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "portal-test.db")


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def _schema(database_url, instance_path):
    """Create the schema once per session; each test then starts from empty tables."""
    app = create_app(make_test_config(database_url, instance_path))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def _reset(app) -> None:
    """Empty every table and close the app's pooled connections (one engine per app)."""
    db.session.remove()
    _empty_all_tables()
    db.session.remove()
    db.engine.dispose()


@pytest.fixture
def app(_schema, database_url, instance_path):
    app = create_app(make_test_config(database_url, instance_path))
    app.test_client_class = FreshRequestClient
    with app.app_context():
        yield app
        _reset(app)


@pytest.fixture
def csrf_app(_schema, database_url, instance_path):
    """The app as it runs for real: CSRF protection on."""
    app = create_app(make_test_config(database_url, instance_path, WTF_CSRF_ENABLED=True))
    app.test_client_class = FreshRequestClient
    with app.app_context():
        yield app
        _reset(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log a test client in as a user with a real server-side session."""

    def __init__(self, client):
        self._client = client

    def login(self, user) -> None:
        # A real server-side session record, as the login form creates.
        factories.log_in(self._client, user)

    def logout(self) -> None:
        with self._client.session_transaction() as session:
            session.clear()


@pytest.fixture
def auth(client):
    return AuthActions(client)


def _persona(login: str, role: str, full_name: str):
    """A fixture returning a user with one role and no linked person."""

    @pytest.fixture
    def persona(app):
        return factories.make_user(login=login, roles=[role], full_name=full_name)

    persona.__doc__ = f"The {role} persona «{login}»."
    return persona


admin = _persona("admin", "admin", "Марина Татьяна Витальевна")
curator = _persona("curator", "curator", "Соколова Анна Викторовна")
group = _persona("group", "group", "Лебедев Игорь Николаевич")
mentor = _persona("mentor", "mentor", "Кузнецова Елена Сергеевна")
mentee = _persona("mentee", "mentee", "Орлов Дмитрий Андреевич")
parent = _persona("parent", "parent", "Орлова Наталья Петровна")
# A mentor with no relation to anyone in the test: object-level checks must refuse them.
stranger = _persona("stranger", "mentor", "Чужой Иван Иванович")


# --- The browser: a live portal on a free port and headless Chromium through Playwright ---


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(_schema, database_url, instance_path):
    """Serve a real portal (CSRF on) in a thread; yields its base URL and the app."""
    app = create_app(make_test_config(database_url, instance_path, WTF_CSRF_ENABLED=True))
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with app.app_context():
            yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            _reset(app)


class LiveServer:
    def __init__(self, url: str, app):
        self.url = url
        self.app = app


def _chromium_missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium не установлен ({CHROMIUM}): apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "пакет playwright не установлен: pip install -r requirements.txt"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _chromium_missing()
    if reason:
        pytest.skip(f"браузерные тесты пропущены: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh browser contexts (separate cookies: two people, two computers)."""
    contexts = []

    def open_page(width: int = 1280, height: int = 800):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="ru-RU", base_url=live_server.url
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def browser_login(page, login: str, password: str = factories.DEFAULT_PASSWORD) -> None:
    """Log in through the real form, as a person would."""
    page.goto("/login")
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль", exact=True).fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda url: "/login" not in url)


def pytest_collection_modifyitems(config, items):
    """Run browser tests last: Playwright's sync API leaves an event loop running in the main
    thread for the rest of the session, and pyHanko's signing calls asyncio.run()."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
