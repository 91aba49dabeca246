"""Sessions for the dashboard's reads.

The store's SQLite engine begins every transaction with ``BEGIN IMMEDIATE`` so that claims
never meet a stale snapshot; a page that only reads must not queue behind the worker for
the write lock. On SQLite the pages read through a second engine whose transactions begin
deferred (a WAL snapshot, no lock) on ``query_only`` connections. PostgreSQL readers never
block writers, so there the store's own sessions are used.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _read_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def read_engine(url: str, write_engine: Engine) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        return write_engine
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _read_pragmas)
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN DEFERRED"))
    return engine


def read_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
