"""One writer at a time where the engine needs it: SQLite's write lock taken up front.

PostgreSQL serialises writers on rows (`SELECT … FOR UPDATE`, conditional UPDATEs). SQLite
ignores `FOR UPDATE`: two requests read the same state, both decide, and the second write
fails (a duplicate trail number, a lost attempt count). A critical section therefore starts
with `begin_write()`, which on SQLite opens the transaction with `BEGIN IMMEDIATE`: the
database's single write lock is taken before the section reads anything, and a parallel
request waits for it (the busy timeout) instead of failing. WAL mode lets readers go on
meanwhile.
"""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.extensions import db

# How long a writer waits for the lock before SQLite gives up ("database is locked").
BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # WAL: readers never wait for the writer; NORMAL sync is durable enough under WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def begin_write() -> None:
    """Make the current transaction the database's one writer (SQLite); no-op elsewhere.

    Call it before reading the state a write depends on. On SQLite pysqlite opens a
    transaction only at the first data change, so reads before that see the latest
    committed data without a snapshot; `BEGIN IMMEDIATE` here waits for the write lock and
    keeps it until commit or rollback. A transaction that has already written holds the lock.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.driver_connection
    if not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
