"""Fixtures: a fresh database per test on SQLite or PostgreSQL, personas, a live browser."""

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests import factories

# The suite runs on SQLite unless this names another database (CI gives PostgreSQL).
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")


def make_test_config(database_url: str, instance_path: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(instance_path),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
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
    with app.app_context():
        yield app
        _reset(app)


@pytest.fixture
def csrf_app(_schema, database_url, instance_path):
    """The app as it runs for real: CSRF protection on."""
    app = create_app(make_test_config(database_url, instance_path, WTF_CSRF_ENABLED=True))
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
    """Log a test client in as a user, through the session like Flask-Login does."""

    def __init__(self, client):
        self._client = client

    def login(self, user) -> None:
        with self._client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True

    def logout(self) -> None:
        with self._client.session_transaction() as session:
            session.clear()


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def admin(app):
    return factories.make_user(login="admin", roles=["admin"], full_name="Марина Татьяна Витальевна")


@pytest.fixture
def curator(app):
    return factories.make_user(login="curator", roles=["curator"], full_name="Соколова Анна Викторовна")


@pytest.fixture
def group(app):
    return factories.make_user(login="group", roles=["group"], full_name="Лебедев Игорь Николаевич")


@pytest.fixture
def mentor(app):
    return factories.make_user(login="mentor", roles=["mentor"], full_name="Кузнецова Елена Сергеевна")


@pytest.fixture
def mentee(app):
    return factories.make_user(login="mentee", roles=["mentee"], full_name="Орлов Дмитрий Андреевич")


@pytest.fixture
def parent(app):
    return factories.make_user(login="parent", roles=["parent"], full_name="Орлова Наталья Петровна")


@pytest.fixture
def stranger(app):
    """A mentor with no relation to anyone in the test: object-level checks must refuse them."""
    return factories.make_user(login="stranger", roles=["mentor"], full_name="Чужой Иван Иванович")


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
