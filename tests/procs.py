"""Long-running `newsbot` processes in tests: start, wait for a log event, stop."""

from __future__ import annotations

import queue
import subprocess
import threading
import time


class LogWatcher:
    """Reads a process's stderr in a thread, so a test can wait for an event without blocking."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(proc,), daemon=True)
        self._thread.start()

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.lines.append(line)
            self._queue.put(line)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if text in line:
                return line
        raise AssertionError(
            f"no {text!r} in the log within {timeout} s:\n{''.join(self.lines[-20:])}"
        )

    def text(self) -> str:
        self._thread.join(timeout=5)
        return "".join(self.lines)
