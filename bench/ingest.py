"""Ingest: a real 1,000-item feed on loopback, newsbot's fetch + parse + dedupe + store
against a bare ``feedparser.parse`` of the same bytes."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import feedparser

from bench.common import Row, fresh_sqlite, median, quiet, runtime_for, static_server, timed
from bot.store.db import transaction
from tests.paths import FIXTURES

REPEAT = 7


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
    site = Path(tempfile.mkdtemp(prefix="newsbot-ingest-site-"))
    (site / "big.rss").write_bytes(body)
    server, base = static_server(site)  # its own process: it costs the measured one nothing

    def newsbot_once() -> None:
        folder = Path(tempfile.mkdtemp(prefix="newsbot-ingest-"))
        runtime = runtime_for(fresh_sqlite(folder), folder / "data")
        with transaction(runtime.sessions) as session:
            runtime.add_source(session, f"{base}/big.rss")
        start = time.perf_counter()
        results = runtime.poll_round(force=True)
        times.append(time.perf_counter() - start)
        assert next(iter(results.values())).new == 1000, results
        runtime.close()

    times: list[float] = []
    baseline: list[float] = []
    try:
        newsbot_once()  # warm imports and caches
        times.clear()
        # interleaved, so a noisy neighbour slows both sides alike
        for _ in range(REPEAT):
            newsbot_once()
            baseline.extend(timed(lambda: feedparser.parse(body), 1))
    finally:
        server.terminate()
        server.wait()
    value, base_value = median(times), median(baseline)
    ratio = value / base_value
    return [
        Row("ingest 1,000-item feed (fetch+parse+dedupe+store)", round(value, 3), "s",
            round(base_value, 3), round(ratio, 2), "≤ 1.5× feedparser.parse", ratio <= 1.5)
    ]  # fmt: skip
