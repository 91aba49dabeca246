"""`newsbot run` on its embedded default: SQLite under data/, the bundled example feed,
dry-run channels — drafts in the queue with no network and no settings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ops import free_port
from tests.paths import REPO

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_first_run_shows_drafts_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    port = free_port()
    env.update(
        {"PYTHONPATH": str(REPO), "NEWSBOT_WEB__PORT": str(port), "NEWSBOT_LOG_FORMAT": "json"}
    )
    newsbot = [sys.executable, "-m", "bot"]
    subprocess.run(
        [*newsbot, "db", "upgrade"], cwd=tmp_path, env=env, check=True, capture_output=True
    )
    assert (tmp_path / "data" / "newsbot.db").exists()
    started = time.monotonic()
    proc = subprocess.Popen([*newsbot, "run"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        ready = None
        while time.monotonic() - started < 30:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                if response.status_code == 200:
                    ready = response.json()
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        assert ready is not None, "never ready"
        # anonymous: ready, and no check failed (migrations, scheduler, database)
        assert ready == {"status": "ready", "failed": []}
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
        drafts: list[dict[str, Any]] = []
        while time.monotonic() - started < 30 and len(drafts) < 8:
            listed = subprocess.run([*newsbot, "drafts", "list", "--json"], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, check=True)  # fmt: skip
            drafts = [json.loads(line) for line in listed.stdout.splitlines()]
            time.sleep(0.3)
        # the example feed: the seed article and three more, one draft per channel each
        assert len(drafts) == 8
        assert {d["state"] for d in drafts} == {"pending_review"}
        titles = {d["title"] for d in drafts}
        assert "India-Japan Ties Steady; Upgrade Around The Corner?" in titles
    finally:
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    stopped = [json.loads(line) for line in err.splitlines() if '"worker.stopped"' in line]
    assert stopped and stopped[0]["clean"] is True
