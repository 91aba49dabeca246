"""``INSERT … ON CONFLICT`` for the database a session is bound to.

SQLAlchemy spells it the same way on SQLite and PostgreSQL, but each through its own
dialect's ``insert``. The PostgreSQL dialect is imported only where PostgreSQL is in use:
loading it costs every SQLite process about 2 MB of resident memory for nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Protocol

from sqlalchemy.orm import Session


class ConflictInsert(Protocol):
    """What both dialects' ``insert(table)`` offer and we use."""

    def values(self, *args: Any, **kwargs: Any) -> ConflictInsert: ...
    def on_conflict_do_nothing(self, *args: Any, **kwargs: Any) -> Any: ...
    def on_conflict_do_update(self, *args: Any, **kwargs: Any) -> Any: ...


DIALECTS = frozenset({"sqlite", "postgresql"})


def insert(session: Session, table: Any) -> ConflictInsert:
    name = session.get_bind().dialect.name
    if name not in DIALECTS:
        raise ValueError(f"no upsert for the {name} dialect (SQLite and PostgreSQL only)")
    statement: ConflictInsert = import_module(f"sqlalchemy.dialects.{name}").insert(table)
    return statement
