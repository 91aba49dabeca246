"""SIGTERM to a real `newsbot worker` while a send is in flight.

The channel is WhatsApp through the fake WAHA gateway, behind a proxy that makes the send
slow. Within NEWSBOT_SHUTDOWN_GRACE the send finishes and the post is ``published``; a
send slower than the grace is cut, the process still exits 0 on time, and the post —
``unknown``, never lost — is reconciled by the next worker before any resend.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import audit
from bot.scheduler import Scheduler
from bot.store.db import make_engine, make_sessionmaker, transaction
from bot.store.models import Post
from tests.chaos.slow_proxy import SlowProxy
from tests.conftest import cli_env
from tests.fakes.fake_waha import FakeWaha, channel
from tests.paths import REPO
from tests.posts import add_article, add_post

pytestmark = pytest.mark.e2e

CHAT = "120363400000000042@newsletter"
KEY = "waha-key-shutdown"
SEND = (b"POST /api/sendText",)


@pytest.fixture
def waha() -> Iterator[FakeWaha]:
    with FakeWaha(api_key=KEY, channels=[channel(CHAT)]) as fake:
        yield fake
        assert fake.violations() == []


def approved_post(db_url: str) -> int:
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    with transaction(make_sessionmaker(engine)) as session:
        url = "https://n.example/1"
        article = add_article(session, now, url, guid="g1", title="Council approves budget")
        text = f"*Council approves budget*\n\n{url}"
        post_id = add_post(session, article, text, now, channel="whatsapp", approved_by="ed").id
    engine.dispose()
    return post_id


def post_state(db_url: str, post_id: int) -> tuple[str, list[str]]:
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        state = session.get_one(Post, post_id).state
        events = [e.action for e in audit.query(session, post_id=post_id)]
    engine.dispose()
    return state, events


def env_for(db_url: str, tmp_path: Path, gateway: str, grace: float) -> dict[str, str]:
    return cli_env(
        db_url,
        tmp_path / "data",
        NEWSBOT_CHANNELS="whatsapp",
        NEWSBOT_WHATSAPP__WAHA_URL=gateway,
        NEWSBOT_WHATSAPP__WAHA_API_KEY=KEY,
        NEWSBOT_WHATSAPP__CHANNEL_ID=CHAT,
        NEWSBOT_WHATSAPP__TIMEOUT="20s",
        NEWSBOT_SHUTDOWN_GRACE=f"{grace}s",
        NEWSBOT_PUBLISH_INTERVAL="0.2s",
        NEWSBOT_RECONCILE_INTERVAL="0.5s",
        NEWSBOT_BACKOFF_BASE="0.2s",
        NEWSBOT_LEASE="30s",
    )


def terminate_mid_send(
    env: dict[str, str], proxy: SlowProxy, tmp_path: Path
) -> tuple[int, float, str]:
    """Start the worker, SIGTERM it once the send is in flight: exit status, seconds from
    the signal to the exit, and what it logged."""
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            assert proxy.seen.wait(60), "the worker never sent the post"
            time.sleep(0.3)  # well inside the send
            os.kill(worker.pid, signal.SIGTERM)
            signalled = time.monotonic()
            code = worker.wait(timeout=60)
            took = time.monotonic() - signalled
        finally:
            if worker.poll() is None:
                worker.kill()
    return code, took, log_path.read_text()


def publish_once(cwd: Path, env: dict[str, str]) -> None:
    """The next worker: ``newsbot publish --once``, which must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "publish", "--once"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def events(log: str) -> list[dict[str, object]]:
    found = []
    for line in log.splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found


def test_sigterm_lets_the_send_in_flight_finish(
    db_url: str, tmp_path: Path, waha: FakeWaha
) -> None:
    post_id = approved_post(db_url)
    with SlowProxy(waha.url, delay=3.0, prefixes=SEND) as proxy:
        code, took, log = terminate_mid_send(
            env_for(db_url, tmp_path, proxy.url, grace=10), proxy, tmp_path
        )
    assert code == 0, log
    assert took < 10, f"exited {took:.1f}s after SIGTERM: the grace is 10s"
    assert took > 1.5, "it exited before the send in flight could have finished"
    assert post_state(db_url, post_id) == ("published", ["approved", "claimed", "published"])
    assert len(waha.messages()) == 1
    stopped = [e for e in events(log) if e.get("event") == "worker.stopped"]
    assert stopped and stopped[0]["clean"] is True


@pytest.mark.parametrize("hold", ["answer", "request"])
def test_a_send_slower_than_the_grace_is_cut_and_reconciled_never_lost(
    db_url: str, tmp_path: Path, waha: FakeWaha, hold: str
) -> None:
    """``answer``: the gateway stored the message but the answer came too late.
    ``request``: the message had not reached the gateway when the worker left."""
    post_id = approved_post(db_url)
    with SlowProxy(waha.url, delay=8.0, prefixes=SEND, hold=hold) as proxy:
        env = env_for(db_url, tmp_path, proxy.url, grace=1)
        code, took, log = terminate_mid_send(env, proxy, tmp_path)
        assert code == 0, log
        assert took < 5, f"exited {took:.1f}s after SIGTERM: the grace is 1s"
        state, trail = post_state(db_url, post_id)
        assert (state, trail[-1]) == ("unknown", "unknown"), log
        stored_at_exit = len(waha.messages())
        assert stored_at_exit == (1 if hold == "answer" else 0)

        # the next worker (here `publish --once`) looks the post up before any resend
        proxy.delay = 0
        time.sleep(0.3)  # the cut post settles for NEWSBOT_BACKOFF_BASE first
        publish_once(tmp_path, env)
    assert len(waha.messages()) == 1
    state, trail = post_state(db_url, post_id)
    assert state == "published"
    if hold == "answer":
        assert trail == ["approved", "claimed", "unknown", "reconciled"]
    else:
        assert trail == ["approved", "claimed", "unknown", "reconciled", "claimed", "published"]
    assert proxy.dropped == (1 if hold == "request" else 0)


def test_sigterm_when_idle_exits_at_once(db_url: str, tmp_path: Path) -> None:
    env = cli_env(
        db_url,
        tmp_path / "data",
        NEWSBOT_CHANNELS="x",
        NEWSBOT_SHUTDOWN_GRACE="20s",
        PYTHONPATH=str(REPO),
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert worker.stdout is not None
    deadline = time.monotonic() + 60
    for line in worker.stdout:  # wait until it runs
        if "worker.started" in line or time.monotonic() > deadline:
            break
    worker.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert worker.wait(timeout=30) == 0
    # nothing to finish: it does not sit out its 20 s grace (a tick that was starting up
    # may take a moment on a busy machine)
    assert time.monotonic() - started < 5


def test_a_tick_that_wakes_another_does_not_hold_up_shutdown() -> None:
    """The poll tick wakes the publisher when it drafted auto-approved posts; if it does so
    while the scheduler shuts down, the shutdown must still finish."""
    scheduler = Scheduler()
    started = threading.Event()

    def poll(_stop: threading.Event) -> None:
        started.set()
        time.sleep(0.5)
        scheduler.wake("publish")

    scheduler.add("poll", timedelta(minutes=1), poll)
    scheduler.add("publish", timedelta(minutes=1), lambda _stop: None)
    scheduler.start()
    assert started.wait(10)
    assert scheduler.shutdown(timedelta(seconds=5)) is True


def test_kill_9_after_the_platform_stored_the_post_ends_published_once(
    db_url: str, tmp_path: Path, waha: FakeWaha
) -> None:
    """The worker dies (SIGKILL: no handler, no cleanup) after the gateway stored the
    message and before the store recorded it. The next worker waits out the lease, looks
    the post up, finds it, and does not send it again."""
    post_id = approved_post(db_url)
    with SlowProxy(waha.url, delay=30.0, prefixes=SEND) as proxy:
        env = {**env_for(db_url, tmp_path, proxy.url, grace=10), "NEWSBOT_LEASE": "2s"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert proxy.seen.wait(60), "the worker never sent the post"
            deadline = time.monotonic() + 10
            while not waha.messages() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(waha.messages()) == 1  # stored; the answer is still held
            worker.kill()
        finally:
            worker.kill()
            worker.wait(30)
        assert post_state(db_url, post_id) == ("publishing", ["approved", "claimed"])
        time.sleep(2.5)  # the dead worker's lease runs out
        publish_once(tmp_path, env)
    assert len(waha.messages()) == 1
    assert post_state(db_url, post_id) == (
        "published",
        ["approved", "claimed", "unknown", "reconciled"],
    )
