"""Failure alerts reach a loopback webhook: once per failure, no spam, never in the way."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.health import mark_channel_health
from bot.clock import FixedClock
from bot.errors import PermanentError, TransientError
from bot.outbox.engine import Outbox, OutboxConfig
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import ChannelState, Post, Source
from tests.conftest import make_settings
from tests.fakes.feed_server import FeedServer, Route
from tests.fakes.scripted_channel import ScriptedChannel
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.feeds import guardian_feed
from tests.posts import make_posts

CONFIG = OutboxConfig(max_attempts=2, backoff_base=timedelta(seconds=10))


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def desk(
    db_url: str, tmp_path: Path, clock: FixedClock, receiver: WebhookReceiver
) -> Iterator[Runtime]:
    settings = make_settings(
        db_url, tmp_path, alerts={"webhook_url": receiver.url, "source_failures": 3}
    )
    rt = Runtime(settings, clock=clock)
    yield rt
    rt.close()


def outbox_of(rt: Runtime, channel: ScriptedChannel, clock: FixedClock) -> Outbox:
    return Outbox(rt.sessions, {"x": channel}, clock, CONFIG, "w1", random.Random(1))


def test_a_post_that_fails_for_good_alerts_once(
    desk: Runtime, clock: FixedClock, receiver: WebhookReceiver
) -> None:
    channel = ScriptedChannel("x", [PermanentError("HTTP 401: bad credentials")])
    [pid] = make_posts(desk, clock, 1)
    assert outbox_of(desk, channel, clock).drain() == {"failed": 1}
    [message] = receiver.wait_for(1)
    with desk.sessions() as session:
        article_id = session.get_one(Post, pid).article_id
    assert message["kind"] == "post_failed" and message["severity"] == "error"
    assert (message["post_id"], message["article_id"], message["channel"]) == (
        pid,
        article_id,
        "x",
    )
    assert message["error"] == "HTTP 401: bad credentials"
    assert message["text"] == (
        f"newsbot: post {pid} to x failed for good: HTTP 401: bad credentials"
    )
    assert message["at"] == "2026-03-01T09:00:00Z"
    assert receiver.headers[0]["Content-Type"] == "application/json"


def test_giving_up_after_transient_errors_alerts_and_retries_do_not(
    desk: Runtime, clock: FixedClock, receiver: WebhookReceiver
) -> None:
    channel = ScriptedChannel("x", [TransientError("HTTP 503"), TransientError("HTTP 503")])
    [pid] = make_posts(desk, clock, 1)
    outbox = outbox_of(desk, channel, clock)
    assert outbox.drain() == {"retry": 1}
    time.sleep(0.3)
    assert receiver.received == []  # a retry is not a failure
    clock.advance(timedelta(minutes=5))
    assert outbox.drain() == {"failed": 1}
    [message] = receiver.wait_for(1)
    assert message["kind"] == "post_failed" and message["post_id"] == pid
    assert message["error"] == "gave up after 2 attempts: HTTP 503"
    assert message["attempts"] == 2


def test_a_source_that_keeps_failing_alerts_once_per_streak(
    desk: Runtime, clock: FixedClock, receiver: WebhookReceiver
) -> None:
    feeds = FeedServer().start()
    try:
        feeds.routes["/feed.rss"] = Route(b"down", status=500)
        with transaction(desk.sessions) as session:
            desk.add_source(session, feeds.url("/feed.rss"))

        def poll() -> None:
            desk.poll_round(force=True)
            clock.advance(timedelta(minutes=5))

        for _ in range(2):
            poll()
        time.sleep(0.3)
        assert receiver.received == []
        poll()  # the third failure in a row
        [failing] = receiver.wait_for(1)
        assert failing["kind"] == "source_failing" and failing["severity"] == "warning"
        assert failing["url"] == feeds.url("/feed.rss") and failing["failures_in_row"] == 3
        assert "500" in failing["error"]
        for _ in range(3):
            poll()  # still failing: nothing more
        feeds.routes["/feed.rss"] = Route(guardian_feed(datetime.now(UTC), fresh=0))
        poll()
        recovered = receiver.wait_for(2)[1]
        assert recovered["kind"] == "source_recovered"
        assert recovered["failures_in_row"] == 6
        # it flaps: down again for three polls within the hour, up again — no new messages
        feeds.routes["/feed.rss"] = Route(b"down", status=500)
        for _ in range(3):
            poll()
        time.sleep(0.3)
        assert receiver.kinds() == ["source_failing", "source_recovered"]
        with desk.sessions() as session:
            assert session.scalars(select(Source.failures_in_row)).one() == 3
        # an hour after the last message the same streak rule alerts again
        feeds.routes["/feed.rss"] = Route(guardian_feed(datetime.now(UTC), fresh=0))
        poll()
        feeds.routes["/feed.rss"] = Route(b"down", status=500)
        clock.advance(timedelta(hours=1))
        for _ in range(3):
            poll()
        assert receiver.wait_for(3)[-1]["kind"] == "source_failing"
    finally:
        feeds.stop()


def test_a_channel_turning_unhealthy_alerts_on_the_flip_only(
    desk: Runtime, clock: FixedClock, receiver: WebhookReceiver
) -> None:
    def mark(healthy: bool, detail: dict[str, Any]) -> bool:
        with transaction(desk.sessions) as session:
            return mark_channel_health(session, "whatsapp", healthy, detail, clock.now())

    assert mark(True, {"session": "WORKING"}) is False  # healthy from the start: no flip
    down = {"error": "WAHA session STOPPED", "session": "STOPPED", "error_at": "09:00"}
    assert mark(False, down) is True
    assert mark(False, down) is False
    [message] = receiver.wait_for(1)
    assert message["kind"] == "channel_unhealthy" and message["channel"] == "whatsapp"
    assert message["error"] == "WAHA session STOPPED"
    clock.advance(timedelta(minutes=1))
    assert mark(True, {"session": "WORKING", "error_at": None}) is True
    assert receiver.wait_for(2)[1]["kind"] == "channel_recovered"
    clock.advance(timedelta(minutes=1))
    assert mark(False, {"error": "WAHA session STOPPED"}) is True  # flaps within the hour
    time.sleep(0.3)
    assert receiver.kinds() == ["channel_unhealthy", "channel_recovered"]
    with desk.sessions() as session:
        state = session.get_one(ChannelState, "whatsapp")
        assert state.healthy is False
        assert state.detail == {"error": "WAHA session STOPPED", "session": "WORKING"}


def test_a_rolled_back_change_alerts_nobody(
    desk: Runtime, clock: FixedClock, receiver: WebhookReceiver
) -> None:
    with pytest.raises(RuntimeError), transaction(desk.sessions) as session:
        mark_channel_health(session, "x", False, {"error": "401"}, clock.now())
        raise RuntimeError("the rest of the work failed")
    with transaction(desk.sessions) as session:
        assert mark_channel_health(session, "x", True, {}, clock.now()) is False
    time.sleep(0.3)
    assert receiver.received == []


@pytest.mark.parametrize("trouble", ["500", "hangs", "closed port"])
def test_a_webhook_in_trouble_never_holds_up_the_outbox(
    db_url: str, tmp_path: Path, clock: FixedClock, receiver: WebhookReceiver, trouble: str
) -> None:
    url = receiver.url
    if trouble == "500":
        receiver.status = 500
    elif trouble == "hangs":
        receiver.delay = 10
    else:
        receiver.stop()
    rt = Runtime(make_settings(db_url, tmp_path, alerts={"webhook_url": url}), clock=clock)
    try:
        channel = ScriptedChannel("x", [PermanentError("HTTP 403: suspended")])
        ids = make_posts(rt, clock, 2)
        started = time.monotonic()
        assert outbox_of(rt, channel, clock).drain() == {"failed": 1, "published": 1}
        assert time.monotonic() - started < 5  # the alert's timeout is 3 s
        with rt.sessions() as session:
            assert [session.get_one(Post, i).state for i in ids] == ["failed", "published"]
    finally:
        rt.close()


def test_a_whatsapp_session_that_stops_raises_a_channel_alert(
    desk: Runtime, clock: FixedClock, receiver: WebhookReceiver, db_url: str
) -> None:
    from bot.channels.health import health_recorder
    from bot.channels.whatsapp.waha import build
    from bot.errors import ChannelPaused
    from tests.fakes.fake_waha import FakeWaha, channel
    from tests.integration.whatsapp_waha_support import CHAT, KEY, make_post

    with FakeWaha(api_key=KEY, channels=[channel(CHAT, "Desk")]) as waha:
        settings = make_settings(
            db_url,
            Path(desk.settings.data_dir),
            alerts={"webhook_url": receiver.url},
            whatsapp={"waha_url": waha.url, "waha_api_key": KEY, "channel_id": CHAT},
        )
        publisher = build(
            settings, desk.sessions, clock, health_recorder(desk.sessions, clock, "whatsapp")
        )
        waha.set_session_status("SCAN_QR_CODE")
        with pytest.raises(ChannelPaused):
            publisher.publish(make_post())
        [message] = receiver.wait_for(1)
        assert message["kind"] == "channel_unhealthy" and message["channel"] == "whatsapp"
        assert "SCAN_QR_CODE" in str(message)
        with desk.sessions() as session:
            state = session.get(ChannelState, "whatsapp")
            assert state is not None and not state.healthy
        waha.set_session_status("WORKING")
        publisher.publish(make_post())
        messages = receiver.wait_for(2)
        assert messages[1]["kind"] == "channel_recovered"
