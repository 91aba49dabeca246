"""The fake X as a separate process, driven over its control API (the twin of
``fake_waha_process``): for the chaos run and the live benchmarks, where the bot runs in
processes of its own.

    x = FakeXProcess("--plan", json.dumps(plan)); x.url; x.posts(); x.stop()
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import httpx

from tests.paths import REPO


class FakeXProcess:
    """``python -m tests.fakes.fake_x`` on a free port; ``options`` are its extra flags."""

    def __init__(self, *options: str) -> None:
        argv = [
            sys.executable, "-m", "tests.fakes.fake_x", "--port", "0",
            "--user-limit-24h", "100000", *options,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            argv,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # never read: a full pipe would stall the fake
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        try:
            self.url = str(json.loads(line)["base_url"])
        except (ValueError, KeyError):
            self.process.kill()
            raise RuntimeError(f"fake X did not start: {line!r}") from None
        # a connection per call: on a kept-alive one the fake's split header/body writes meet
        # delayed ACKs, ~40 ms a read, which the live benchmarks would count as latency
        self._http = httpx.Client(
            base_url=self.url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)
        )

    def _get(self, path: str) -> Any:
        response = self._http.get("/_control/" + path)
        response.raise_for_status()
        return response.json()

    def posts(self, *, deleted: bool = False) -> list[dict[str, Any]]:
        """The posts it holds; with ``deleted``, also those taken down since."""
        return list(self._get("posts?all=1" if deleted else "posts")["posts"])

    def requests(self) -> list[dict[str, Any]]:
        return list(self._get("requests")["requests"])

    def violations(self) -> list[str]:
        return list(self._get("violations")["violations"])

    def stop(self) -> None:
        self._http.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
