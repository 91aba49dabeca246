"""/readyz tells the truth: database, migrations, ticks (own or the workers'), channels aside."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from httpx import Client

from bot.channels.health import mark_channel_health
from bot.clock import FixedClock
from bot.heartbeat import FLUSH_EVERY, Heartbeat
from bot.runtime import Runtime
from bot.scheduler import Scheduler, Tick, Ticks
from bot.store.db import alembic_config, transaction
from bot.store.models import ChannelUsage
from bot.web.app import create_app
from bot.web.health import readiness
from bot.worker import build_scheduler
from tests.browser.webapp import make_token, make_user
from tests.conftest import make_settings, pg_database_url
from tests.ops import serving, wait_until


def as_admin(client: Client, runtime: Runtime) -> Client:
    """/readyz shows its checks in detail only to an admin or an API token's holder."""
    make_user(runtime, "ops", "admin")
    client.headers["Authorization"] = f"Bearer {make_token(runtime, 'ops')}"
    return client


@pytest.fixture
def web(runtime: Runtime) -> Iterator[Client]:
    """A web-only app: no scheduler of its own."""
    with serving(create_app(runtime)) as client:
        yield as_admin(client, runtime)


def worker_ticks(*names: str, interval: float = 2.0) -> Ticks:
    ticks = Ticks()
    for name in names:
        ticks.ticks[name] = Tick(name, interval, last_finished=time.monotonic(), runs=1)
    return ticks


def test_a_web_only_process_is_ready_only_while_some_worker_ticks(
    runtime: Runtime, web: Client, clock: FixedClock
) -> None:
    answer = web.get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["failed"] == ["workers"]
    assert body["checks"]["workers"]["error"] == "no worker has reported a heartbeat"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]

    ticks = worker_ticks("poll", "publish", "reconcile")
    Heartbeat(runtime.sessions, runtime.clock, "worker-a")(ticks)
    answer = web.get("/readyz")
    assert answer.status_code == 200, answer.json()
    publish = answer.json()["checks"]["workers"]["ticks"]["publish"]
    assert publish["ok"] and publish["worker"] == "worker-a" and publish["age_seconds"] < 1

    # the worker stops: past twice the interval (+ the heartbeat's flush period) it is stale
    clock.advance(timedelta(seconds=2 * 2.0 + 1 + FLUSH_EVERY + 1))
    answer = web.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["failed"] == ["workers"]
    assert not answer.json()["checks"]["workers"]["ticks"]["publish"]["ok"]

    # a second worker takes over: the freshest heartbeat of each tick counts
    Heartbeat(runtime.sessions, runtime.clock, "worker-b")(
        worker_ticks("poll", "publish", "reconcile")
    )
    answer = web.get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["checks"]["workers"]["ticks"]["publish"]["worker"] == "worker-b"


def test_one_stuck_tick_of_the_workers_fails_readiness_and_is_named(
    runtime: Runtime, web: Client, clock: FixedClock
) -> None:
    ticks = worker_ticks("poll", "publish")
    beat = Heartbeat(runtime.sessions, runtime.clock, "w", every=0)
    beat(ticks)
    # twenty seconds on, poll keeps running and publish has hung
    ticks.ticks["publish"].last_finished = time.monotonic() - 20
    beat(ticks)
    body = web.get("/readyz").json()
    assert body["failed"] == ["workers"]
    assert body["checks"]["workers"]["ticks"]["poll"]["ok"]
    assert not body["checks"]["workers"]["ticks"]["publish"]["ok"]
    assert body["checks"]["workers"]["ticks"]["publish"]["age_seconds"] == pytest.approx(20, abs=1)
    # a tick busy with a long round is alive, not stuck
    ticks.ticks["publish"].running = True
    ticks.ticks["publish"].last_started = time.monotonic()
    beat(ticks)
    assert web.get("/readyz").status_code == 200


def test_a_worker_that_stops_while_a_tick_is_busy_turns_the_web_unready(
    runtime: Runtime, web: Client, clock: FixedClock
) -> None:
    ticks = worker_ticks("publish")
    beat = Heartbeat(runtime.sessions, runtime.clock, "w", every=0)
    ticks.ticks["publish"].running = True  # the last periodic flush caught publish mid-run
    ticks.ticks["publish"].last_started = time.monotonic()
    beat(ticks)
    past_budget = timedelta(seconds=2 * 2.0 + 1 + FLUSH_EVERY + 1)
    clock.advance(past_budget)
    assert web.get("/readyz").status_code == 200  # busy counts as alive
    scheduler = Scheduler(ticks, beat, on_stop=beat.stopped)
    scheduler.start()
    assert scheduler.shutdown(timedelta(seconds=10))
    clock.advance(past_budget)
    body = web.get("/readyz").json()
    assert body["failed"] == ["workers"]
    publish = body["checks"]["workers"]["ticks"]["publish"]
    assert publish["ok"] is False and publish["running"] is False


def test_a_process_with_a_scheduler_turns_unready_when_its_publish_tick_freezes(
    db_url: str, tmp_path: Path
) -> None:
    settings = make_settings(db_url, tmp_path, publish_interval="0.5s", channels=["x"])
    rt = Runtime(settings)
    scheduler = build_scheduler(rt, Ticks(freeze_after_first={"publish"}))
    scheduler.start()
    try:
        with serving(create_app(rt, scheduler)) as client:
            as_admin(client, rt)
            ready = wait_until(lambda: client.get("/readyz").status_code == 200, timeout=10)
            assert ready
            answer = wait_until(
                lambda: (r := client.get("/readyz")).status_code == 503 and r, timeout=10
            )
            body = answer.json()
            assert body["failed"] == ["scheduler"]
            ticks = body["checks"]["scheduler"]["ticks"]
            assert not ticks["publish"]["ok"] and ticks["publish"]["frozen"]
            assert ticks["publish"]["age_seconds"] > ticks["publish"]["budget_seconds"] == 2.0
            assert ticks["reconcile"]["ok"] and ticks["poll"]["ok"]
            assert "workers" not in body["checks"]  # it vouches for its own ticks
    finally:
        scheduler.shutdown(timedelta(seconds=5))
        rt.close()


def test_a_database_behind_the_code_is_not_ready(runtime: Runtime, web: Client) -> None:
    command.downgrade(alembic_config(runtime.engine), "0001")
    assert web.get("/readyz").status_code == 503
    # the detail an admin would see (whether a token still works on an old schema depends
    # on the revision, so the detail is read from the function the route calls)
    _, body = readiness(runtime, None)
    assert body["failed"] == ["migrations", "workers"]
    assert body["checks"]["migrations"] == {
        "ok": False,
        "current": "0001",
        "head": body["checks"]["migrations"]["head"],
    }
    assert body["checks"]["migrations"]["head"] != "0001"


@pytest.mark.pg
def test_an_unreachable_database_is_not_ready(tmp_path: Path) -> None:
    url = pg_database_url("newsbot_no_such_database")
    rt = Runtime(make_settings(url, tmp_path))
    try:
        with serving(create_app(rt)) as client:
            answer = client.get("/readyz")  # nobody can be signed in: no database
            assert answer.status_code == 503
            assert answer.json() == {
                "status": "not ready",
                "failed": ["database", "migrations", "workers"],
            }
            ok, body = readiness(rt, None)  # the detail an admin would see
            assert not ok and body["checks"]["database"] == {
                "ok": False,
                "error": "OperationalError",
            }
            assert client.get("/healthz").status_code == 200  # alive, just not ready
    finally:
        rt.close()


def test_channel_health_is_reported_without_failing_readiness(
    db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    settings = make_settings(
        db_url,
        tmp_path,
        x={
            "api_key": "k" * 8,
            "api_secret": "s" * 8,
            "access_token": "t" * 8,
            "access_token_secret": "u" * 8,
            "daily_cap": 10,
        },
    )
    rt = Runtime(settings, clock=clock)
    try:
        with transaction(rt.sessions) as session:
            mark_channel_health(
                session,
                "whatsapp",
                False,
                {"error": "WAHA session STOPPED", "session": "STOPPED"},
                clock.now(),
            )
            mark_channel_health(
                session,
                "x",
                True,
                {"x_user_limit": {"limit": "17", "remaining": 4, "reset": "1772400000"}},
                clock.now(),
            )
            session.add(ChannelUsage(channel="x", day="2026-03-01", posts=3, cost=0.05))
        Heartbeat(rt.sessions, rt.clock, "w")(worker_ticks("publish"))
        with serving(create_app(rt)) as client:
            answer = as_admin(client, rt).get("/readyz")
        assert answer.status_code == 200
        channels = answer.json()["channels"]
        assert channels["whatsapp"]["mode"] == "dryrun" and not channels["whatsapp"]["healthy"]
        assert channels["whatsapp"]["detail"] == {
            "error": "WAHA session STOPPED",
            "session": "STOPPED",
        }
        assert channels["x"]["mode"] == "live" and channels["x"]["healthy"]
        assert channels["x"]["quotas"] == {
            "daily_cap": {"remaining": 7.0, "limit": 10.0, "reset": None},
            "x_user_limit": {"remaining": 4.0, "limit": 17.0, "reset": "1772400000"},
        }
    finally:
        rt.close()


def test_every_response_carries_a_request_id(web: Client) -> None:
    given = web.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert given.headers["X-Request-ID"] == "lb-1234.abc"
    fresh = web.get("/healthz")
    assert len(fresh.headers["X-Request-ID"]) == 32
    assert fresh.headers["X-Request-ID"] != web.get("/healthz").headers["X-Request-ID"]
    odd = web.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 100})
    assert odd.headers["X-Request-ID"].isalnum()  # replaced, never echoed back


def test_scheduler_without_start_is_not_ready(runtime: Runtime) -> None:
    scheduler = Scheduler(worker_ticks("publish"))
    with serving(create_app(runtime, scheduler)) as client:
        body = as_admin(client, runtime).get("/readyz").json()
    assert body["failed"] == ["scheduler"]
    assert body["checks"]["scheduler"]["running"] is False
