"""The fake WAHA as a separate process, driven over its control API.

    with WahaProcess.start(channels=["123@newsletter"]) as waha:
        waha.url; waha.set_faults({...}); waha.messages()

Same control methods as the in-process ``FakeWaha``, so a test reads the same either way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import TracebackType
from typing import Any

import httpx

from tests.paths import REPO


class WahaControl:
    """Talks to a fake's ``/_control/`` endpoints."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=10.0)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self._http.request(method, "/_control/" + path, json=body)
        response.raise_for_status()
        return response.json()

    def messages(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "messages")
        return result

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "requests")
        return result

    def violations(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "violations")
        return result

    def set_faults(self, plan: dict[str, Any]) -> None:
        self._call("POST", "faults", plan)

    def faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "faults")
        return result

    def set_session_status(self, status: str) -> None:
        self._call("POST", "session-status", {"status": status})

    def set_channels(self, channels: list[dict[str, Any]]) -> None:
        self._call("POST", "channels", channels)

    def reset(self) -> None:
        self._call("POST", "reset")


class WahaProcess(WahaControl):
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        super().__init__(url)
        self.process = process

    @classmethod
    def start(
        cls,
        *,
        api_key: str = "test-waha-key",
        session: str = "default",
        channels: list[str] = (),  # type: ignore[assignment]
        status: str = "WORKING",
        faults: dict[str, Any] | None = None,
        port: int = 0,
    ) -> WahaProcess:
        argv = [sys.executable, "-m", "tests.fakes.fake_waha", "--port", str(port)]
        argv += ["--api-key", api_key, "--session", session, "--status", status]
        for spec in channels:
            argv += ["--channel", spec]
        if faults:
            argv += ["--faults", json.dumps(faults)]
        process = subprocess.Popen(
            argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )  # fmt: skip
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("LISTENING "):
            process.kill()
            _, err = process.communicate(timeout=5)
            raise RuntimeError(f"fake WAHA did not start: {line!r} {err[-2000:]}")
        return cls(process, line.removeprefix("LISTENING "))

    def stop(self) -> str:
        """Stop the process; returns what it wrote to stderr (violations, tracebacks)."""
        self.close()
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err

    def __enter__(self) -> WahaProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
