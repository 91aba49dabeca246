"""A broken source is marked with its error and never stops the worker or other sources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import Source
from tests.conftest import make_settings
from tests.fakes.feed_server import FeedServer, Route
from tests.feeds import guardian_feed

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rss version="2.0"><channel><title>bomb</title>
<item><title>&g;</title><link>https://bomb.example/1</link><description>&g;</description></item>
</channel></rss>"""

CASES = {
    "/missing": (None, "HTTP 404"),
    "/slow": (Route(b"<rss/>", delay=3.0), "timed out"),
    "/html": (
        Route(b"<!doctype html><html><body><p>Hello</p></body></html>", content_type="text/html"),
        "not a feed",
    ),
    "/truncated": (None, "feed"),
    "/huge": (Route(stream_bytes=50 * 1024 * 1024), "limit"),
    "/bomb": (Route(BOMB), None),
}


@pytest.fixture
def feeds(clock: FixedClock) -> Iterator[FeedServer]:
    server = FeedServer().start()
    good = guardian_feed(clock.now(), fresh=2)
    server.routes["/good"] = Route(good)
    server.routes["/truncated"] = Route(good[: len(good) // 3])
    for path, (route, _) in CASES.items():
        if route is not None:
            server.routes[path] = route
    yield server
    server.stop()


@pytest.fixture
def strict_runtime(db_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Runtime]:
    # the timeout is the whole fetch's deadline: the size limit must be reached well within it
    settings = make_settings(db_url, tmp_path, fetch_timeout=1.0, max_feed_bytes=2 * 1024 * 1024)
    rt = Runtime(settings, clock=clock)
    yield rt
    rt.close()


def test_each_bad_source_is_marked_and_the_good_one_still_drafts(
    strict_runtime: Runtime, feeds: FeedServer
) -> None:
    runtime = strict_runtime
    with transaction(runtime.sessions) as session:
        for path in [*CASES, "/good"]:
            runtime.add_source(session, feeds.url(path))
    results = runtime.poll_round(force=True)
    assert len(results) == len(CASES) + 1
    with runtime.sessions() as session:
        sources = {s.url.rsplit("/", 1)[1]: s for s in session.scalars(select(Source))}
    assert sources["good"].last_status == "ok" and sources["good"].last_error is None
    for path, (_, expected) in CASES.items():
        source = sources[path.strip("/")]
        if path == "/bomb":
            # an entity bomb is refused or read harmlessly, never expanded into memory
            assert source.last_status in ("error", "ok")
            continue
        assert source.last_status == "error", path
        assert expected and expected in (source.last_error or ""), (path, source.last_error)
        assert source.failures_in_row == 1


def test_an_entity_bomb_is_not_expanded(strict_runtime: Runtime, feeds: FeedServer) -> None:
    from bot.sources.feeds import FeedError, parse_feed

    try:
        feed = parse_feed(BOMB, "https://bomb.example/")
    except FeedError:
        return
    for item in feed.items:
        assert len(item.title) < 10_000
        assert len(item.summary or "") < 10_000
