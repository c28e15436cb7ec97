"""Портал наставничества: the application factory."""

import importlib
import os
import secrets
from pathlib import Path

from flask import Flask

from portal.extensions import csrf, db, htmx, login_manager, migrate

# Blueprint packages in the order their navigation appears; each has views.bp.
AREAS = ("main", "accounts", "settings", "people", "matching", "plans", "agreements", "monitoring")

DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    # A plan stays open all day: the CSRF token lives as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,  # uploads: imports and scans up to 10 MB plus form
    "PAGE_SIZE": 25,
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

    from portal import models, web  # noqa: F401  (models: every table on the metadata)

    web.init_app(app)
    for area in AREAS:
        _import_area_module(area, "models")
        views = _import_area_module(area, "views")
        if views is not None:
            app.register_blueprint(views.bp)

    from portal import cli

    cli.init_app(app)
    return app


def _import_area_module(area: str, name: str):
    """Import portal.<area>.<name>, or None when this build has no such module."""
    try:
        return importlib.import_module(f"portal.{area}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name in (f"portal.{area}", f"portal.{area}.{name}"):
            return None
        raise


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
