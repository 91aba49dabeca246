"""Writing an outcome that must not be lost: retry when the database hiccups.

A send that went out must be recorded. When the write fails for a passing reason (SQLite
busy past its timeout, a PostgreSQL connection dropped or restarted), it is tried again a
few times. If it still fails, the post stays ``publishing`` until its lease runs out and
is then reconciled with the platform: slower, never a resend blindly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import structlog
from sqlalchemy.exc import InterfaceError, OperationalError

log = structlog.get_logger("bot.outbox")

T = TypeVar("T")

#: seconds between tries: about 15 s in all, well inside a lease
DELAYS: Sequence[float] = (0.1, 0.3, 1.0, 2.0, 4.0, 8.0)


def passing(exc: BaseException) -> bool:
    """Errors worth another try: a locked SQLite, a lost or restarting PostgreSQL."""
    return isinstance(exc, OperationalError | InterfaceError)


def write(
    fn: Callable[[], T],
    what: str,
    delays: Sequence[float] = DELAYS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``fn`` (one whole transaction), again after each delay while it fails passingly."""
    for delay in (*delays, None):
        try:
            return fn()
        except Exception as exc:
            if delay is None or not passing(exc):
                raise
            log.warning("store.retry", what=what, error=str(exc).splitlines()[0], wait=delay)
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
