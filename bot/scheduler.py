"""Periodic ticks in each process: poll, publish, reconcile, maintenance.

Jobs live in memory (a shared APScheduler job store must not be shared by processes);
each tick takes its work from the database, so any number of replicas can run them.
Every tick records when it last ran, and ``/readyz`` fails when one stops running.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from apscheduler.schedulers.background import BackgroundScheduler

log = structlog.get_logger("bot.scheduler")

#: test-only: comma-separated tick names that run once and then stop, as a hung tick would
FREEZE_ENV = "NEWSBOT_TEST_FREEZE_TICKS"


def frozen_from_env() -> set[str]:
    return {name.strip() for name in os.environ.get(FREEZE_ENV, "").split(",") if name.strip()}


@dataclass
class Tick:
    name: str
    interval: float
    last_started: float | None = None
    last_finished: float | None = None
    last_error: str | None = None
    runs: int = 0
    running: bool = False

    def age(self, now: float) -> float | None:
        return None if self.last_finished is None else now - self.last_finished

    def healthy(self, now: float, started_at: float) -> bool:
        """Ran within twice its interval (a tick that is busy right now counts as running)."""
        budget = 2 * self.interval + 1.0
        if self.running and self.last_started is not None:
            return now - self.last_started <= max(budget, 600.0)
        reference = self.last_finished if self.last_finished is not None else started_at
        return now - reference <= budget


@dataclass
class Ticks:
    """The heartbeat of every periodic job of this process."""

    started_at: float = field(default_factory=time.monotonic)
    ticks: dict[str, Tick] = field(default_factory=dict)
    frozen: set[str] = field(default_factory=set)  # tests freeze a tick to watch /readyz turn
    #: ticks that freeze after their first run (NEWSBOT_TEST_FREEZE_TICKS)
    freeze_after_first: set[str] = field(default_factory=frozen_from_env)

    def report(self) -> dict[str, dict[str, Any]]:
        now = time.monotonic()
        return {
            name: {
                "ok": tick.healthy(now, self.started_at),
                "interval_seconds": tick.interval,
                "age_seconds": None if tick.age(now) is None else round(tick.age(now) or 0, 3),
                "runs": tick.runs,
                "last_error": tick.last_error,
            }
            for name, tick in self.ticks.items()
        }


class Scheduler:
    def __init__(
        self,
        ticks: Ticks | None = None,
        on_tick: Callable[[Ticks], None] | None = None,
        on_stop: Callable[[Ticks], None] | None = None,
    ) -> None:
        self.ticks = ticks or Ticks()
        #: called after every tick (the database heartbeat); must not raise
        self.on_tick = on_tick
        #: called once by ``shutdown``, after the ticks stopped (the last heartbeat)
        self.on_stop = on_stop
        self.stop = threading.Event()
        self._scheduler = BackgroundScheduler(timezone=UTC)
        # APScheduler's shutdown holds its job-store lock while it waits for running jobs;
        # a job that calls back into the scheduler (wake) then would wait forever. This lock
        # orders the two: once stop is set, no job touches the scheduler again.
        self._wake_lock = threading.Lock()

    def add(self, name: str, interval: timedelta, job: Callable[[threading.Event], object]) -> None:
        tick = Tick(name, interval.total_seconds())
        self.ticks.ticks[name] = tick

        def run() -> None:
            if self.stop.is_set() or name in self.ticks.frozen:
                return
            tick.running = True
            tick.last_started = time.monotonic()
            try:
                job(self.stop)
                tick.last_error = None
            except Exception as exc:  # a tick that fails is reported, and runs again next time
                tick.last_error = f"{exc.__class__.__name__}: {exc}"
                log.exception("tick.failed", tick=name)
            finally:
                tick.running = False
                tick.last_finished = time.monotonic()
                tick.runs += 1
                if name in self.ticks.freeze_after_first:
                    self.ticks.frozen.add(name)
            if self.on_tick is not None:
                self.on_tick(self.ticks)

        self._scheduler.add_job(
            run,
            "interval",
            seconds=tick.interval,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )

    def wake(self, name: str) -> None:
        """Run a tick now (a poll that drafted auto-approved posts wakes the publisher)."""
        with self._wake_lock:
            if self.stop.is_set():
                return
            job = self._scheduler.get_job(name)
            if job is not None:
                job.modify(next_run_time=datetime.now(UTC))

    def start(self) -> None:
        if self.ticks.freeze_after_first:
            log.warning("ticks.freeze_for_test", ticks=sorted(self.ticks.freeze_after_first))
        self._scheduler.start()

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running) and not self.stop.is_set()

    def shutdown(self, grace: timedelta) -> bool:
        """Let the tick in flight finish (bounded by ``grace``); True if everything stopped."""
        with self._wake_lock:
            self.stop.set()
        if not self._scheduler.running:  # stopped before it started
            return True
        done = threading.Event()

        def wait() -> None:
            self._scheduler.shutdown(wait=True)
            done.set()

        threading.Thread(target=wait, daemon=True, name="scheduler-shutdown").start()
        finished = done.wait(grace.total_seconds())
        if not finished:
            log.warning("shutdown.timeout", grace_seconds=grace.total_seconds())
        if self.on_stop is not None:
            self.on_stop(self.ticks)
        return finished
