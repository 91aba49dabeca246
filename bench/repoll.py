"""Re-poll: 500 unchanged feeds on loopback (304 on conditional GET), one newsbot poll round
against a plain sequential ``httpx.get`` loop that downloads them in full."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from bench.common import Row, fresh_sqlite, median, quiet, runtime_for, static_server, timed
from bot.store.db import transaction
from tests.paths import FIXTURES

FEEDS = 500
REPEAT = 3


def run() -> list[Row]:
    quiet()
    body = (FIXTURES / "feeds" / "rssparser-guardian.rss").read_bytes()
    folder = Path(tempfile.mkdtemp(prefix="newsbot-repoll-"))
    site = folder / "site"
    site.mkdir()
    for n in range(FEEDS):
        (site / f"feed{n}.rss").write_bytes(body)
    server, base = static_server(site)
    urls = [f"{base}/feed{n}.rss" for n in range(FEEDS)]
    runtime = runtime_for(fresh_sqlite(folder), folder / "data")
    try:
        with transaction(runtime.sessions) as session:
            for url in urls:
                runtime.add_source(session, url)
        runtime.poll_round(force=True)  # first round: full bodies, ETags stored

        def newsbot_round() -> None:
            results = runtime.poll_round(force=True)
            assert all(r.status == "not_modified" for r in results.values()), results
            assert len(results) == FEEDS

        def baseline_loop() -> None:
            for url in urls:
                httpx.get(url).raise_for_status()

        value = median(timed(newsbot_round, REPEAT))
        baseline = median(timed(baseline_loop, REPEAT))
    finally:
        runtime.close()
        server.terminate()
        server.wait()
    speedup = baseline / value
    return [
        Row(
            "re-poll 500 unchanged feeds: one round",
            round(value, 3),
            "s",
            None,
            None,
            "≤ 2 s",
            value <= 2.0,
        ),
        Row(
            "re-poll 500 unchanged feeds vs full sequential downloads",
            round(value, 3),
            "s",
            round(baseline, 3),
            round(value / baseline, 3),
            "≥ 5× faster",
            speedup >= 5.0,
        ),
    ]
