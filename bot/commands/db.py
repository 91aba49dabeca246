"""db upgrade, db copy."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands import dbcopy
from bot.commands.common import with_runtime
from bot.runtime import Runtime
from bot.store.db import current_revision, upgrade


def _upgrade(runtime: Runtime, _args: argparse.Namespace) -> int:
    before = current_revision(runtime.engine)
    upgrade(runtime.engine)
    after = current_revision(runtime.engine)
    print(
        f"database at revision {after}"
        + (" (unchanged)" if before == after else f" (was {before or 'empty'})")
    )
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("db", help="database maintenance", description="database maintenance")
    dbsub = p.add_subparsers(dest="db_command", required=True, parser_class=type(p))
    up = dbsub.add_parser("upgrade", help="apply migrations", description="apply migrations")
    up.set_defaults(handler=with_runtime(_upgrade, migrated=False))
    dbcopy.register(dbsub)
