"""Feeds for tests, made from the fixtures in tests/data with some items moved to the present."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.fakes.feed_server import FeedServer, Route
from tests.paths import FIXTURES

GUARDIAN = FIXTURES / "feeds" / "rssparser-guardian.rss"


def guardian_feed(now: datetime, fresh: int) -> bytes:
    """The Guardian fixture (55 items from 2018), its first ``fresh`` items dated an hour ago."""
    text = GUARDIAN.read_text(encoding="utf-8")
    count = 0

    def redate(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        if count > fresh:
            return match.group(0)
        return f"<pubDate>{format_datetime(now - timedelta(hours=1, minutes=count))}</pubDate>"

    def item(match: re.Match[str]) -> str:
        return re.sub(r"<pubDate>[^<]*</pubDate>", redate, match.group(0))

    return re.sub(r"<item>.*?</item>", item, text, flags=re.DOTALL).encode("utf-8")


@contextmanager
def guardian_server(fresh: int) -> Iterator[FeedServer]:
    """A feed server with ``guardian_feed`` (``fresh`` items new) at ``/feed.rss``."""
    server = FeedServer().start()
    try:
        server.routes["/feed.rss"] = Route(guardian_feed(datetime.now(UTC), fresh=fresh))
        yield server
    finally:
        server.stop()
