"""The worker: the periodic ticks of one process, wired to a Runtime."""

from __future__ import annotations

import threading
from datetime import timedelta

from bot.heartbeat import Heartbeat
from bot.runtime import Runtime
from bot.scheduler import Scheduler, Ticks


def poll_tick(interval: timedelta) -> timedelta:
    """Check for due sources often enough that an item waits at most ~interval + 20 %."""
    seconds = min(interval.total_seconds() / 5, 5.0)
    return timedelta(seconds=max(seconds, 0.2))


def build_scheduler(runtime: Runtime, ticks: Ticks | None = None) -> Scheduler:
    s = runtime.settings
    scheduler = Scheduler(ticks, Heartbeat(runtime.sessions, runtime.clock, runtime.worker))

    def poll(stop: threading.Event) -> None:
        runtime.poll_round(stop)
        # auto-approved drafts go out now, not at the next publish tick
        scheduler.wake("publish")

    scheduler.add("poll", poll_tick(s.poll_interval), poll)
    scheduler.add("publish", s.publish_interval, runtime.publish_round)
    scheduler.add("reconcile", s.reconcile_interval, lambda _stop: runtime.reconcile_round())
    scheduler.add("maintenance", timedelta(seconds=30), lambda _stop: runtime.maintenance_round())
    return scheduler
