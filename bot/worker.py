"""The worker: the periodic ticks of one process, wired to a Runtime."""

from __future__ import annotations

import threading
from datetime import timedelta

from bot.heartbeat import Heartbeat
from bot.memory import release_free_memory
from bot.runtime import Runtime
from bot.scheduler import Scheduler, Ticks


def poll_tick(interval: timedelta) -> timedelta:
    """Check for due sources often enough that an item waits at most ~interval + 20 %."""
    seconds = min(interval.total_seconds() / 5, 5.0)
    return timedelta(seconds=max(seconds, 0.2))


def build_scheduler(runtime: Runtime, ticks: Ticks | None = None) -> Scheduler:
    s = runtime.settings
    heartbeat = Heartbeat(runtime.sessions, runtime.clock, runtime.worker)
    scheduler = Scheduler(ticks, heartbeat, on_stop=heartbeat.stopped)

    def poll(stop: threading.Event) -> None:
        if runtime.poll_round(stop):
            release_free_memory()  # what parsing the feeds freed goes back to the system
        # auto-approved drafts go out now, not at the next publish tick
        scheduler.wake("publish")

    def maintenance(_stop: threading.Event) -> None:
        runtime.maintenance_round()
        release_free_memory()

    scheduler.add("poll", poll_tick(s.poll_interval), poll)
    scheduler.add("publish", s.publish_interval, runtime.publish_round)
    scheduler.add("reconcile", s.reconcile_interval, lambda _stop: runtime.reconcile_round())
    scheduler.add("maintenance", timedelta(seconds=30), maintenance)
    return scheduler
