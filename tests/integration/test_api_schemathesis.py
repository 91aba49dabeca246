"""schemathesis against /api/v1/openapi.json with an admin's token on the real `newsbot web`:
no 5xx, and every answer matches the schema (status codes, content types, bodies, headers).

One check is left out: ``positive_data_acceptance``. It expects every schema-valid request to
succeed, and some cannot by design — a time in the past, a wall time skipped by DST, text
with a NUL character, a host name IDNA refuses — and are answered with a documented 422."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.clock import SystemClock
from bot.runtime import Runtime
from tests.browser.webapp import make_token, make_user, seed_drafts
from tests.conftest import cli_env, make_settings, migrated
from tests.ops import free_port

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_api_conforms_to_its_openapi(tmp_path: Path) -> None:
    url = migrated(f"sqlite:///{tmp_path / 'api.db'}")
    runtime = Runtime(make_settings(url, tmp_path), clock=SystemClock())
    seed_drafts(runtime, 5)
    make_user(runtime, "cms", "admin")
    token = make_token(runtime, "cms")
    runtime.close()
    port = free_port()
    env = cli_env(url, tmp_path / "data", NEWSBOT_WEB__PORT=str(port), NEWSBOT_FETCH_PAGES="never")
    log = (tmp_path / "web.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"], cwd=tmp_path, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # a cap, not a wait: it returns on the first answer; on a loaded machine the start
        # alone took longer than 30 s
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                base + "/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--exclude-checks",
                "positive_data_acceptance",
                "--max-examples",
                "25",
                "--workers",
                "1",
                "--seed",
                "20261127",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=280,
            check=False,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
        log.close()
    report = run.stdout[-4000:]
    assert run.returncode == 0, report
    assert " passed" in report and "failed" not in report.split("SUMMARY")[-1]
    server_log = (tmp_path / "web.log").read_text()
    assert "api.error" not in server_log and "Traceback" not in server_log
