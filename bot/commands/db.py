"""db upgrade, db copy."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands import dbcopy
from bot.commands.common import command, group, with_runtime
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
    dbsub = group(sub, "db", "database maintenance")
    up = command(dbsub, "upgrade", "apply migrations")
    up.set_defaults(handler=with_runtime(_upgrade, migrated=False))
    dbcopy.register(dbsub)
