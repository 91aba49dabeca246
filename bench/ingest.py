"""Ingest: a real 1,000-item feed on loopback, newsbot's fetch + parse + dedupe + store
against a bare ``feedparser.parse`` of the same bytes."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import feedparser

from bench.common import Row, fresh_sqlite, median, quiet, runtime_for, timed
from bot.store.db import transaction
from tests.fakes.feed_server import FeedServer, Route
from tests.paths import FIXTURES

REPEAT = 5


def thousand_item_feed() -> bytes:
    """The Guardian fixture's 55 real items, repeated with distinct links up to 1,000."""
    text = (FIXTURES / "feeds" / "rssparser-guardian.rss").read_text(encoding="utf-8")
    head, rest = text.split("<item>", 1)
    items = ["<item>" + part for part in rest.split("<item>")]
    items[-1], tail = items[-1].split("</channel>", 1)
    out = []
    for n in range(1000):
        item = items[n % len(items)]
        out.append(re.sub(r"(https://www\.theguardian\.com/[^<\"]+)", rf"\1?n={n}", item))
    return (head + "".join(out) + "</channel>" + tail).encode("utf-8")


def run() -> list[Row]:
    quiet()
    body = thousand_item_feed()
    server = FeedServer().start()
    server.routes["/big.rss"] = Route(body, conditional=False)
    try:
        baseline = median(timed(lambda: feedparser.parse(body), REPEAT))

        def newsbot_once() -> None:
            folder = Path(tempfile.mkdtemp(prefix="newsbot-ingest-"))
            runtime = runtime_for(fresh_sqlite(folder), folder / "data")
            with transaction(runtime.sessions) as session:
                runtime.add_source(session, server.url("/big.rss"))
            results = runtime.poll_round(force=True)
            assert next(iter(results.values())).new == 1000, results
            runtime.close()

        newsbot_once()  # warm imports and caches
        value = median(timed(newsbot_once, REPEAT))
    finally:
        server.stop()
    ratio = value / baseline
    return [
        Row(
            "ingest 1,000-item feed (fetch+parse+dedupe+store)",
            round(value, 3),
            "s",
            round(baseline, 3),
            round(ratio, 2),
            "≤ 1.5× feedparser.parse",
            ratio <= 1.5,
        )
    ]
