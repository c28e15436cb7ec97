"""The Alembic migrations build exactly the schema the models describe, on both engines."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_test_config


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database of the engine under test, dropped afterwards."""
    if not TEST_DATABASE_URL or make_url(TEST_DATABASE_URL).get_backend_name() == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrated.db")
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"portal_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_equal_models(scratch_database_url, tmp_path):
    app = create_app(make_test_config(scratch_database_url, tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


def test_migrations_downgrade_to_nothing_and_back(scratch_database_url, tmp_path):
    app = create_app(make_test_config(scratch_database_url, tmp_path))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        upgrade()
        rebuilt = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert left == set()
    assert {t.name for t in db.metadata.sorted_tables} <= rebuilt
