"""Worker processes — the real `newsbot worker` — and a supervisor that kill -9s them.

The supervisor picks a random worker every few seconds, kills it with SIGKILL (no
shutdown, no cleanup: mid-send, mid-transaction, wherever it is) and starts a new one in
its place. At the end every worker gets SIGTERM and must exit 0.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

#: the worker's clocks, short so that a run takes minutes, not hours
WORKER_ENV = {
    "NEWSBOT_PUBLISH_INTERVAL": "0.3s",
    "NEWSBOT_RECONCILE_INTERVAL": "0.5s",
    "NEWSBOT_POLL_INTERVAL": "1h",
    "NEWSBOT_LEASE": "5s",
    "NEWSBOT_BACKOFF_BASE": "0.2s",
    "NEWSBOT_BACKOFF_CAP": "2s",
    # transient faults must never exhaust a post: 30 % faults, 100 tries
    "NEWSBOT_MAX_ATTEMPTS": "100",
    "NEWSBOT_SHUTDOWN_GRACE": "5s",
    "NEWSBOT_WHATSAPP__SESSION_RECHECK": "1s",
    "NEWSBOT_LOG_FORMAT": "json",
    "NEWSBOT_LOG_LEVEL": "info",
}


class Workers:
    def __init__(self, count: int, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.started = 0
        self.logs: dict[int, Path] = {}
        self.procs: list[subprocess.Popen[bytes]] = [self._spawn() for _ in range(count)]

    def _spawn(self) -> subprocess.Popen[bytes]:
        self.started += 1
        path = self.folder / f"worker-{self.started}.log"
        log = path.open("wb")
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "worker"],
                cwd=self.folder,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()  # the child has its own copy
        self.logs[proc.pid] = path
        return proc

    def running(self) -> bool:
        """Every current worker is past its start-up and runs its ticks."""
        return all(b"worker.started" in self.logs[p.pid].read_bytes() for p in self.procs)

    def kill_one(self, rand: random.Random) -> None:
        index = rand.randrange(len(self.procs))
        victim = self.procs[index]
        if victim.poll() is None:
            os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        self.procs[index] = self._spawn()

    def crashed(self) -> list[int]:
        """Exit codes of workers that stopped by themselves (none should)."""
        return [p.returncode for p in self.procs if p.poll() is not None]

    def stop(self, timeout: float = 30) -> list[int | None]:
        """SIGTERM to every worker, once each runs (a process still importing has no
        handler yet and would just die), and their exit codes."""
        wait_until(self.running, 60, every=0.2)
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes: list[int | None] = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                codes.append(None)
        return codes


class Supervisor(threading.Thread):
    """Kills a random worker every ``every`` seconds (a random span) and restarts it."""

    def __init__(self, workers: Workers, every: tuple[float, float], seed: int) -> None:
        super().__init__(name="chaos-supervisor", daemon=True)
        self.workers = workers
        self.every = every
        self.rand = random.Random(seed)
        self.kills = 0
        self.halt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.halt.wait(self.rand.uniform(*self.every)):
                self.workers.kill_one(self.rand)
                self.kills += 1
                # the next span counts from when the new worker runs: on a loaded machine
                # its start-up alone can outlast the span, and the run then kills only
                # workers that never got to send (91 starts, 2 posts out in 7 minutes)
                while not self.halt.is_set() and not self.workers.running():
                    self.halt.wait(0.1)
        except BaseException as exc:  # reported by the test, not lost in a thread
            self.error = exc

    def stop(self) -> None:
        self.halt.set()
        self.join(30)


def wait_until(condition: object, timeout: float, every: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(every)
    return False
