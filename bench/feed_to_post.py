"""Feed to post: a new item appears in a polled feed; how long until fake X and fake WAHA
hold it. Target: within the poll interval plus one second."""

from __future__ import annotations

import time

from bench.common import Row, percentile
from bench.live import LiveDesk

POLL_SECONDS = 3.0
ITEMS = 12


def run() -> list[Row]:
    desk = LiveDesk({"NEWSBOT_POLL_INTERVAL": f"{POLL_SECONDS}s", "NEWSBOT_PUBLISH_INTERVAL": "1s"})
    try:
        desk.newsbot("sources", "add", desk.feeds.url("/feed.rss"))
        desk.start()
        waits = []
        for n in range(ITEMS):
            time.sleep(0.37 * (n % 5))  # items land at different points of the poll cycle
            headline = desk.add_item(f"item-{n}")
            added = time.perf_counter()
            waits.append(desk.wait_delivered(headline) - added)
    finally:
        desk.stop()
    p50, p95 = percentile(waits, 50), percentile(waits, 95)
    target = POLL_SECONDS + 1
    return [
        Row(
            f"feed to post p50 (poll every {POLL_SECONDS:g} s)",
            round(p50, 2),
            "s",
            POLL_SECONDS,
            round(p50 / POLL_SECONDS, 2),
            f"≤ {target:g} s",
            p50 <= target,
        ),
        Row(
            f"feed to post p95 (poll every {POLL_SECONDS:g} s)",
            round(p95, 2),
            "s",
            POLL_SECONDS,
            round(p95 / POLL_SECONDS, 2),
            f"≤ {target:g} s",
            p95 <= target,
        ),
    ]
