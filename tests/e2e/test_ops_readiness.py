"""Readiness through the real processes: a frozen tick turns `newsbot run` unready, and a
web-only process is ready only while a worker ticks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import Runtime
from tests.browser.webapp import make_token, make_user
from tests.conftest import Cli, make_settings
from tests.ops import Process, free_port, get, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

#: how long a change may take to show: generous, as two loaded cores can stall a process for
#: seconds; waits end as soon as the condition holds, so a quick machine does not pay for it
DEADLINE = 120


def admin_token(cli: Cli, tmp_path: Path) -> str:
    """An API token: /readyz shows its checks in detail only to an admin or a token."""
    rt = Runtime(make_settings(cli.env["NEWSBOT_DATABASE_URL"], tmp_path))
    try:
        make_user(rt, "ops", "admin")
        return make_token(rt, "ops")
    finally:
        rt.close()


def readyz(port: int, token: str) -> tuple[int, dict[str, Any]]:
    status, _, body = get(
        f"http://127.0.0.1:{port}/readyz", headers={"Authorization": f"Bearer {token}"}
    )
    return status, json.loads(body)


def test_freezing_the_publish_tick_turns_readyz_503(cli: Cli, tmp_path: Path) -> None:
    port = free_port()
    token = admin_token(cli, tmp_path)
    env = {
        **cli.env,
        "NEWSBOT_WEB__PORT": str(port),
        "NEWSBOT_PUBLISH_INTERVAL": "1s",
        "NEWSBOT_TEST_FREEZE_TICKS": "publish",
    }
    run = Process(["run"], cli.cwd, env, tmp_path / "run.log")
    try:
        # every tick has run once (publish too): ready. A tick that has not run yet is
        # ready too (measured from the start), so wait for publish's run, not only for 200
        _, body = wait_until(
            lambda: (
                (r := readyz(port, token))[0] == 200
                and r[1]["checks"]["scheduler"]["ticks"]["publish"]["runs"] > 0
                and r
            ),
            timeout=DEADLINE,
        )
        assert body["status"] == "ready" and body["failed"] == []
        assert body["checks"]["scheduler"]["ticks"]["publish"]["runs"] == 1
        # publish never runs again: past twice its interval, not ready, and it says why
        _, body = wait_until(lambda: (r := readyz(port, token))[0] == 503 and r, timeout=DEADLINE)
        assert body["status"] == "not ready"
        assert body["failed"] == ["scheduler"]
        ticks = body["checks"]["scheduler"]["ticks"]
        assert ticks["publish"]["ok"] is False and ticks["publish"]["runs"] == 1
        assert ticks["publish"]["age_seconds"] > ticks["publish"]["budget_seconds"] == 3.0
        assert all(t["ok"] for name, t in ticks.items() if name != "publish")
        assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
        assert set(body["channels"]) == {"x", "whatsapp"}  # reported, not failing
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200  # alive all along
    finally:
        assert run.stop() == 0
    lines = run.lines()  # every line of the log is one JSON object
    assert any(
        line["event"] == "ticks.freeze_for_test" and line["ticks"] == ["publish"] for line in lines
    )


def test_a_web_only_process_follows_the_workers_heartbeats(cli: Cli, tmp_path: Path) -> None:
    port = free_port()
    token = admin_token(cli, tmp_path)
    env = {**cli.env, "NEWSBOT_WEB__PORT": str(port), "NEWSBOT_PUBLISH_INTERVAL": "1s"}
    web = Process(["web"], cli.cwd, env, tmp_path / "web.log")
    worker: Process | None = None
    try:
        status, body = wait_until(lambda: readyz(port, token), timeout=DEADLINE)
        assert status == 503 and body["failed"] == ["workers"]
        assert body["checks"]["workers"]["error"] == "no worker has reported a heartbeat"

        worker = Process(["worker"], cli.cwd, env, tmp_path / "worker.log")
        _, body = wait_until(lambda: (r := readyz(port, token))[0] == 200 and r, timeout=DEADLINE)
        ticks = body["checks"]["workers"]["ticks"]
        assert set(ticks) == {"poll", "publish", "reconcile", "maintenance"}
        assert all(t["ok"] for t in ticks.values())

        assert worker.stop() == 0
        worker = None
        # publish (1 s) goes stale first: 2 × 1 s + 1 s, plus the 5 s heartbeat period.
        # The worker's last heartbeat marks no tick busy: a busy one would look alive for
        # ten minutes, and the periodic flush can catch publish mid-run
        _, body = wait_until(lambda: (r := readyz(port, token))[0] == 503 and r, timeout=DEADLINE)
        assert body["failed"] == ["workers"]
        publish = body["checks"]["workers"]["ticks"]["publish"]
        assert publish["ok"] is False and publish["running"] is False
    finally:
        if worker is not None:
            worker.stop()
        assert web.stop() == 0
