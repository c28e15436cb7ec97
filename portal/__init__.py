"""Портал наставничества: the application factory."""

import os
import secrets
from pathlib import Path

from flask import Flask

from portal.extensions import csrf, db, htmx, login_manager, migrate

DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    # A plan stays open all day: the CSRF token lives as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
    # WTForms' own Russian messages (see portal/forms.py), not Flask-WTF's Babel lookup.
    "WTF_I18N_ENABLED": False,
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,  # uploads: imports and scans up to 10 MB plus form
    "PAGE_SIZE": 25,
    # Served over TLS (behind a reverse proxy): Secure cookies and HSTS. See README.
    "HTTPS": False,
    # How many reverse proxies in front whose X-Forwarded-* headers are trusted.
    "PROXY_COUNT": 0,
}


def create_app(test_config: dict | None = None) -> Flask:
    """Create the portal: config layers, extensions, blueprints, CLI, error pages."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        # Tests keep keys and files out of the real instance folder.
        instance_path=(test_config or {}).get("INSTANCE_PATH"),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.from_mapping(test_config)
    _finish_config(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)

    # models: every table on the metadata; writelock: SQLite's WAL and busy timeout.
    from portal import headers, models, web, writelock  # noqa: F401

    web.init_app(app)
    headers.init_app(app)
    _register_areas(app)

    from portal import cli

    cli.init_app(app)
    return app


def _register_areas(app: Flask) -> None:
    """Register every area's blueprint (in the order of the navigation) and connect the
    handlers through which areas act on each other's facts (portal.signals)."""
    from portal.accounts import views as accounts
    from portal.agreements import handlers as agreements_handlers  # noqa: F401
    from portal.agreements import views as agreements
    from portal.communication import handlers as communication_handlers  # noqa: F401
    from portal.communication import views as communication
    from portal.main import views as main
    from portal.matching import handlers as matching_handlers  # noqa: F401
    from portal.matching import views as matching
    from portal.monitoring import handlers as monitoring_handlers  # noqa: F401
    from portal.monitoring import views as monitoring
    from portal.notifications import handlers as notifications_handlers  # noqa: F401
    from portal.notifications import views as notifications
    from portal.people import handlers as people_handlers  # noqa: F401
    from portal.people import views as people
    from portal.plans import views as plans
    from portal.programme import views as programme
    from portal.settings import views as settings

    for area in (
        main,
        accounts,
        settings,
        people,
        matching,
        plans,
        agreements,
        monitoring,
        programme,
        notifications,
        communication,
    ):
        app.register_blueprint(area.bp)


def _finish_config(app: Flask) -> None:
    """Derive settings that depend on the instance folder and on other settings."""
    os.makedirs(app.instance_path, exist_ok=True)
    url = app.config.get("DATABASE_URL")
    if url:
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", "sqlite:///" + os.path.join(app.instance_path, "portal.db")
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")


def _instance_secret(path: Path) -> str:
    """Read the secret key from the instance folder, generating it on first run."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()
