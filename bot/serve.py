"""Running the long-lived processes: `newsbot run`, `worker` and `web`.

SIGTERM/SIGINT: stop taking work, let the send in flight finish (bounded by
NEWSBOT_SHUTDOWN_GRACE), release claims, exit 0.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

import structlog
import uvicorn

from bot.memory import limit_malloc_arenas
from bot.runtime import Runtime
from bot.scheduler import Scheduler
from bot.web.app import create_app
from bot.worker import build_scheduler

log = structlog.get_logger("bot.serve")


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM after its own shutdown, which would kill the process before
    the worker half has finished; here a signal only asks the server to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        def on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("shutdown.signal", signal=signal.Signals(signum).name)
            self.should_exit = True

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve(runtime: Runtime, *, web: bool, worker: bool) -> int:
    limit_malloc_arenas()  # before any thread starts
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("shutdown.signal", signal=signal.Signals(signum).name)
        stop.set()

    # from the first moment: a SIGTERM during start-up is a clean stop too
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler: Scheduler | None = None
    try:
        if worker:
            runtime.ensure_sources()
            scheduler = build_scheduler(runtime)
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
            log.info("web.started", url=f"http://{s.host}:{s.port}")
            server.run()  # installs its own SIGTERM/SIGINT handlers and returns on them
        else:
            while not stop.wait(0.5):
                pass
    finally:
        if scheduler is not None:
            clean = scheduler.shutdown(runtime.settings.shutdown_grace)
            log.info("worker.stopped", clean=clean)
        runtime.close()
    return 0
