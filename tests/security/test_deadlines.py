"""NEWSBOT_FETCH_TIMEOUT is the whole fetch's deadline, and a slow feed delays no other.

Before the fix the timeout bounded each read: a server sending one byte every 0.2 s held
a fetch for as long as its body lasted (10 s for 50 bytes under a 1 s timeout), and a
round stored and drafted nothing until its slowest feed was in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.egress import EgressPolicy
from bot.egress_transport import content_client
from bot.runtime import Runtime
from bot.sources.fetch import FetchError, fetch
from bot.store.db import transaction
from bot.store.models import Post, Source
from tests.conftest import make_settings
from tests.fakes.feed_server import FeedServer, Route
from tests.fakes.loopback_server import QuietHandler, ThreadedServer
from tests.feeds import guardian_feed

TRICKLE = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title>'
    b"<item><title>Slow</title><link>https://slow.example/1</link></item></channel></rss>"
)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


def runtime_with(db_url: str, tmp_path: Path, clock: FixedClock, **settings: object) -> Runtime:
    return Runtime(make_settings(db_url, tmp_path, fetch_pages="never", **settings), clock=clock)


def test_a_trickling_server_is_cut_at_the_deadline(
    db_url: str, tmp_path: Path, clock: FixedClock, feeds: FeedServer
) -> None:
    feeds.routes["/trickle"] = Route(TRICKLE[:50], trickle=0.2)  # 10 s to send it all
    runtime = runtime_with(db_url, tmp_path, clock, fetch_timeout=1.0)
    try:
        runtime.poll_round()  # nothing to poll: the round's modules load outside the timing
        with transaction(runtime.sessions) as session:
            source, _ = runtime.add_source(session, feeds.url("/trickle"))
            source_id = source.id
        started = time.monotonic()
        runtime.poll_round(force=True)
        took = time.monotonic() - started
        with runtime.sessions() as session:
            polled = session.get_one(Source, source_id)
            assert polled.last_status == "error"
            assert "timed out" in (polled.last_error or "")
    finally:
        runtime.close()
    assert took < 3.0, f"the fetch took {took:.1f} s under a 1 s deadline"


class _SlowHeaders(QuietHandler):
    """Answers with its status line and headers one byte every 0.2 s."""

    def do_GET(self) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nX-Padding: "
        try:
            for byte in head + b"x" * 100:
                if self.server.owner.is_set():
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            return


def test_headers_sent_slowly_are_cut_at_the_deadline() -> None:
    stop = threading.Event()
    server = ThreadedServer(_SlowHeaders, stop)
    server.start()
    policy = EgressPolicy.from_allow(["127.0.0.1"])
    try:
        with content_client(policy, timeout=1.0) as client:
            started = time.monotonic()
            with pytest.raises(FetchError, match="timed out"):
                fetch(client, server.url + "/feed", 10_000)
            took = time.monotonic() - started
    finally:
        stop.set()
        server.stop()
    assert took < 2.0, f"the fetch took {took:.1f} s under a 1 s deadline"


def test_a_slow_feed_delays_neither_the_others_nor_their_drafts(
    db_url: str, tmp_path: Path, clock: FixedClock, feeds: FeedServer
) -> None:
    feeds.routes["/slow"] = Route(TRICKLE, delay=10.0)
    feeds.routes["/fast"] = Route(guardian_feed(clock.now(), fresh=2))
    runtime = runtime_with(db_url, tmp_path, clock, fetch_timeout=20.0)
    try:
        with transaction(runtime.sessions) as session:
            slow, _ = runtime.add_source(session, feeds.url("/slow"))
            fast, _ = runtime.add_source(session, feeds.url("/fast"))
            ids = (slow.id, fast.id)
        started = time.monotonic()
        round_ = threading.Thread(target=runtime.poll_round, kwargs={"force": True})
        round_.start()
        seen: tuple[float, object] | None = None
        while round_.is_alive() and seen is None:
            with runtime.sessions() as session:
                drafts = session.scalar(select(func.count()).select_from(Post))
                if drafts:
                    seen = (time.monotonic() - started, session.get_one(Source, ids[0]).last_status)
            time.sleep(0.1)
        round_.join(30)
        with runtime.sessions() as session:
            assert session.get_one(Source, ids[0]).last_status == "ok"
            assert session.get_one(Source, ids[1]).last_status == "ok"
    finally:
        runtime.close()
    assert seen is not None, "nothing was drafted before the slow feed was in"
    when, slow_status = seen
    assert slow_status is None, "the fast feed's drafts waited for the slow feed"
    assert when < 10.0
