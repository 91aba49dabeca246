"""Tick heartbeats in the database: how a process without a scheduler knows the workers run.

A worker writes one row per tick (``tick_heartbeats``) at most every ``FLUSH_EVERY``
seconds, and at once the first time each tick finishes. ``/readyz`` of a web-only process
and the tick-age metric read them back: for each tick, the freshest row of any worker
must be within twice the tick's interval (plus the flush period, the heartbeat's own lag).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.scheduler import Ticks
from bot.store import upsert
from bot.store.db import transaction
from bot.store.models import TickHeartbeat

log = structlog.get_logger("bot.heartbeat")

FLUSH_EVERY = 5.0
#: a busy tick (a long poll round) counts as alive this long after it started
BUSY_GRACE = 600.0
PRUNE_AFTER = timedelta(days=1)


def budget(interval: float) -> float:
    """How old a tick's last run may be: twice its interval (plus a second of slack)."""
    return 2 * interval + 1.0


class Heartbeat:
    """``Scheduler.on_tick``: writes this worker's ticks to the database; never raises."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        worker: str,
        every: float = FLUSH_EVERY,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.worker = worker
        self.every = every
        self._last_flush: float | None = None
        self._written: set[str] = set()  # ticks whose first run is already in the table
        self._lock = threading.Lock()

    def __call__(self, ticks: Ticks) -> None:
        mono = time.monotonic()
        first_runs = any(
            t.last_finished is not None and name not in self._written
            for name, t in ticks.ticks.items()
        )
        recent = self._last_flush is not None and mono - self._last_flush < self.every
        if recent and not first_runs:
            return
        if not self._lock.acquire(blocking=False):
            return  # another tick's thread is writing right now
        try:
            self.flush(ticks)
            self._last_flush = mono
        except Exception as exc:  # a heartbeat must never break the tick that carries it
            log.warning("heartbeat.failed", error=f"{exc.__class__.__name__}: {exc}")
        finally:
            self._lock.release()

    def stopped(self, ticks: Ticks) -> None:
        """``Scheduler.on_stop``: the last word of a worker that stops; never raises.

        Whatever the flush period left unwritten goes in now, and no tick is left marked
        busy: the last periodic flush may have caught one mid-run, and a busy tick counts as
        alive for ``BUSY_GRACE``, so a stopped worker would look alive for that long.
        """
        with self._lock:
            try:
                self.flush(ticks, stopping=True)
            except Exception as exc:
                log.warning("heartbeat.failed", error=f"{exc.__class__.__name__}: {exc}")

    def flush(self, ticks: Ticks, stopping: bool = False) -> None:
        now, mono = self.clock.now(), time.monotonic()

        def wall(at: float) -> datetime:
            return now - timedelta(seconds=mono - at)

        with transaction(self.sessions) as session:
            for name, tick in ticks.ticks.items():
                finished = tick.last_finished
                values: dict[str, Any] = {
                    "interval_seconds": tick.interval,
                    # before its first run a tick is measured from the worker's start
                    "last_finished_at": wall(ticks.started_at if finished is None else finished),
                    "running_since": wall(tick.last_started)
                    if tick.running and tick.last_started is not None and not stopping
                    else None,
                    "last_error": tick.last_error,
                    "seen_at": now,
                }
                _upsert(session, {"worker": self.worker, "tick": name}, values)
                if tick.last_finished is not None:
                    self._written.add(name)
            session.execute(delete(TickHeartbeat).where(TickHeartbeat.seen_at < now - PRUNE_AFTER))


def _upsert(session: Session, key: dict[str, Any], values: dict[str, Any]) -> None:
    statement = upsert.insert(session, TickHeartbeat).values(**key, **values)
    session.execute(statement.on_conflict_do_update(index_elements=list(key), set_=values))


@dataclass(frozen=True)
class TickStatus:
    tick: str
    ok: bool
    interval: float
    age: float | None
    worker: str | None
    running: bool
    last_error: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "interval_seconds": self.interval,
            "age_seconds": None if self.age is None else round(self.age, 3),
            "budget_seconds": budget(self.interval) + FLUSH_EVERY,
            "worker": self.worker,
            "running": self.running,
            "last_error": self.last_error,
        }


def tick_status(rows: list[TickHeartbeat], now: datetime) -> dict[str, TickStatus]:
    """Per tick, the freshest row of any worker, judged against the tick's budget."""
    best: dict[str, TickStatus] = {}
    for row in rows:
        age = (now - row.last_finished_at).total_seconds() if row.last_finished_at else None
        grace = max(budget(row.interval_seconds), BUSY_GRACE)
        busy = row.running_since is not None and (now - row.running_since).total_seconds() <= grace
        fresh = age is not None and age <= budget(row.interval_seconds) + FLUSH_EVERY
        status = TickStatus(
            row.tick, busy or fresh, row.interval_seconds, age, row.worker, busy, row.last_error
        )
        current = best.get(row.tick)
        if current is None or _better(status, current):
            best[row.tick] = status
    return best


def _better(a: TickStatus, b: TickStatus) -> bool:
    if a.ok != b.ok:
        return a.ok
    return (a.age if a.age is not None else float("inf")) < (
        b.age if b.age is not None else float("inf")
    )


def read(session: Session, now: datetime) -> dict[str, TickStatus]:
    return tick_status(list(session.scalars(select(TickHeartbeat))), now)
