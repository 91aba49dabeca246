"""Running the long-lived processes: `newsbot run`, `worker` and `web`.

SIGTERM/SIGINT: stop taking work, let the send in flight finish (bounded by
NEWSBOT_SHUTDOWN_GRACE), release what this worker still holds, exit 0. A send still
running when the grace is up is cut: its post becomes ``unknown`` and is reconciled by
another worker (or this one, next start) before any resend.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import structlog
import uvicorn

from bot.memory import limit_malloc_arenas
from bot.outbox.claims import release_claims
from bot.runtime import Runtime
from bot.scheduler import Scheduler
from bot.store.db import transaction
from bot.web.app import create_app
from bot.worker import build_scheduler

log = structlog.get_logger("bot.serve")


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM after its own shutdown, which would kill the process before
    the worker half has finished; here a signal only asks the server to stop."""

    stop: threading.Event

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        def on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("shutdown.signal", signal=signal.Signals(signum).name)
            self.stop.set()
            self.should_exit = True

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        if self.stop.is_set():  # the signal came while we were starting
            self.should_exit = True
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _catch_signals(stop: threading.Event) -> None:
    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("shutdown.signal", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def _release(runtime: Runtime) -> None:
    """Give back what this worker holds; a failure here is logged, leases expire anyway."""
    try:
        with transaction(runtime.sessions) as session:
            released = release_claims(
                session, runtime.worker, runtime.clock.now(), runtime.settings.backoff_base
            )
    except Exception as exc:  # shutting down: never a traceback, never a hang
        log.warning("shutdown.release_failed", error=str(exc).splitlines()[0])
        return
    if any(released.values()):
        log.warning("shutdown.released", **released)


def serve(runtime: Runtime, *, web: bool, worker: bool) -> int:
    limit_malloc_arenas()  # before any thread starts
    stop = threading.Event()
    # before anything starts: a SIGTERM during start-up is a request to stop, not a kill
    _catch_signals(stop)
    scheduler: Scheduler | None = None
    clean = True
    try:
        if worker:
            runtime.ensure_sources()
            scheduler = build_scheduler(runtime)
            if not stop.is_set():
                scheduler.start()
                log.info("worker.started", worker=runtime.worker)
        if web and not stop.is_set():
            s = runtime.settings.web
            config = uvicorn.Config(
                create_app(runtime, scheduler),
                host=s.host,
                port=s.port,
                log_config=None,  # our logging setup, so the redactor sees uvicorn's lines
                access_log=False,
                lifespan="off",
            )
            server = _Server(config)
            server.stop = stop
            log.info("web.started", url=f"http://{s.host}:{s.port}")
            server.run()  # installs its own SIGTERM/SIGINT handlers and returns on them
        else:
            while not stop.wait(0.5):
                pass
    finally:
        if scheduler is not None:
            clean = scheduler.shutdown(runtime.settings.shutdown_grace)
            _release(runtime)
            log.info("worker.stopped", clean=clean)
        runtime.close()
    if not clean:
        # a send outlived the grace: its thread cannot be interrupted and would hold the
        # interpreter open; its post is already ``unknown``, so leave now
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0
