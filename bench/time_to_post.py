"""Time to post: a CMS push (`POST /api/v1/articles`) for an auto-approved desk, until fake X
and fake WAHA both hold the post; p50/p95 over 100 articles. Baseline: the same two posts
sent straight to the fakes, with nothing in between."""

from __future__ import annotations

import time

import httpx

from bench.common import Row, percentile
from bench.live import CHAT, FILLER, WAHA_KEY, LiveDesk

ARTICLES = 100


def direct(desk: LiveDesk, n: int) -> float:
    """What the two platforms alone cost: one create on each fake, sequentially."""
    start = time.perf_counter()
    headers = {"X-Api-Key": WAHA_KEY}
    httpx.post(
        f"{desk.waha.url}/api/sendText",
        headers=headers,
        json={"session": "default", "chatId": CHAT, "text": f"direct {n}"},
    ).raise_for_status()
    # fake X wants a signed request; its control API is free of that, so the baseline
    # reads it instead of posting (a loopback round trip of the same size)
    httpx.get(f"{desk.x_url}/_control/posts").raise_for_status()
    return time.perf_counter() - start


def run() -> list[Row]:
    desk = LiveDesk({"NEWSBOT_PUBLISH_INTERVAL": "5s", "NEWSBOT_POLL_INTERVAL": "1h"})
    try:
        desk.newsbot("users", "add", "cms", "--role", "editor", stdin="a-long-password-1\n")
        token = desk.newsbot("users", "token", "cms", "--label", "bench").strip()
        desk.start()
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{desk.port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        waits, baseline = [], []
        for n in range(ARTICLES):
            headline = f"Pushed story {n}"
            body = f"{FILLER}\n\n“The bridge opens on Monday, a week early,” said Mayor Ana Ruiz."
            start = time.perf_counter()
            answer = api.post(
                "/api/v1/articles",
                json={
                    "url": f"https://cms.example/news/{n}",
                    "title": headline,
                    "body": body,
                },
            )
            answer.raise_for_status()
            waits.append(desk.wait_delivered(headline, timeout=30) - start)
            baseline.append(direct(desk, n))
        api.close()
    finally:
        desk.stop()
    p50, p95 = percentile(waits, 50), percentile(waits, 95)
    b50, b95 = percentile(baseline, 50), percentile(baseline, 95)
    return [
        Row(
            "CMS push to post on X and WhatsApp, p50",
            round(p50, 3),
            "s",
            round(b50, 3),
            round(p50 / b50, 1),
            "—",
            None,
        ),
        Row(
            "CMS push to post on X and WhatsApp, p95",
            round(p95, 3),
            "s",
            round(b95, 3),
            round(p95 / b95, 1),
            "≤ 1 s",
            p95 <= 1.0,
        ),
    ]
