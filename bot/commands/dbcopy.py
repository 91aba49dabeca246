"""db copy --to URL: every table of the configured database into another, empty one.

The way from SQLite to PostgreSQL (or back). The target is migrated to the same revision
first (an empty target is migrated here), must hold no rows, and is filled in one
transaction: a copy that fails leaves it empty. Ids are kept, so links between tables, the
audit trail and the ids people know stay the same; PostgreSQL sequences are then moved
past the highest id, so new rows do not collide.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from sqlalchemy import Engine, Table, func, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.commands.common import command, with_runtime
from bot.errors import UsageError
from bot.runtime import Runtime
from bot.settings import Settings
from bot.store.db import current_revision, make_engine, upgrade
from bot.store.models import Base

BATCH = 1000


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _target_url(raw: str) -> str:
    try:
        return Settings(_env_file=None, database_url=raw).database_url  # same rules as the setting
    except ValueError:
        raise UsageError(
            "--to: expected a URL such as postgresql+psycopg://user@host/db or sqlite:///file.db"
        ) from None


def _prepare(source: Engine, target: Engine) -> None:
    """Migrate an empty target; refuse one at another revision or holding any row."""
    if not inspect(target).get_table_names():
        upgrade(target)
    wanted, found = current_revision(source), current_revision(target)
    if wanted != found:
        raise UsageError(
            f"the target is at revision {found or 'none'}, the source at {wanted}; "
            "run `newsbot db upgrade` on both first"
        )
    with target.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if connection.scalar(select(func.count()).select_from(table)):
                raise UsageError(f"the target is not empty (table {table.name} has rows)")


def _copy_table(source: Any, target: Any, table: Table) -> int:
    order = list(table.primary_key.columns)
    copied = 0
    result = source.execution_options(stream_results=True).execute(select(table).order_by(*order))
    for rows in result.partitions(BATCH):
        target.execute(insert(table), [dict(row._mapping) for row in rows])
        copied += len(rows)
    return copied


def _fix_sequences(target: Any) -> None:
    """After explicit ids, PostgreSQL's sequences still start at 1: move them past the max."""
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        highest = select(func.max(table.c.id)).scalar_subquery()
        sequence = func.pg_get_serial_sequence(table.name, "id")
        # setval(seq, max, true): next is max + 1; setval(seq, 1, false): next is 1
        target.execute(
            select(func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None)))
        )


def copy_database(source: Engine, target: Engine) -> dict[str, int]:
    _prepare(source, target)
    counts: dict[str, int] = {}
    with source.connect() as reader, target.begin() as writer:
        for table in Base.metadata.sorted_tables:  # parents before children
            counts[table.name] = _copy_table(reader, writer, table)
        if target.dialect.name == "postgresql":
            _fix_sequences(writer)
    with source.connect() as reader, target.connect() as check:
        for table in Base.metadata.sorted_tables:
            theirs = check.scalar(select(func.count()).select_from(table))
            ours = reader.scalar(select(func.count()).select_from(table))
            if theirs != ours:
                raise RuntimeError(f"{table.name}: copied {theirs} rows of {ours}")
    return counts


def run(runtime: Runtime, args: argparse.Namespace) -> int:
    url = _target_url(args.to)
    if make_url(url) == make_url(runtime.settings.database_url):
        raise UsageError("--to: that is the configured database itself")
    target = make_engine(url)
    started = time.monotonic()
    try:
        counts = copy_database(runtime.engine, target)
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__
        print(f"newsbot: copy failed, the target is left empty: {first}", file=sys.stderr)
        return 1
    finally:
        target.dispose()
    for name, count in counts.items():
        print(f"{name:<20} {count:>8}")
    print(
        f"copied {sum(counts.values())} rows in {len(counts)} tables to {_shown(url)} "
        f"in {time.monotonic() - started:.1f}s"
    )
    return 0


def register(dbsub: Any) -> None:
    summary = "copy every table into another, empty database (SQLite to PostgreSQL)"
    p = command(dbsub, "copy", summary)
    p.add_argument("--to", required=True, metavar="URL", help="the target database URL")
    p.set_defaults(handler=with_runtime(run))
