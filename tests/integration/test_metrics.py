"""/metrics: the numbers match what happened and what the database holds."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels.health import mark_channel_health
from bot.clock import FixedClock
from bot.errors import PermanentError, TransientError
from bot.heartbeat import Heartbeat
from bot.outbox.engine import Outbox, OutboxConfig
from bot.runtime import Runtime
from bot.scheduler import Tick, Ticks
from bot.store.db import transaction
from bot.store.models import ChannelUsage, Post, Source
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.fakes.scripted_channel import ScriptedChannel
from tests.ops import Samples, metric_samples, sample, serving
from tests.posts import make_posts

X_CREDENTIALS = {
    "api_key": "key-" + "1" * 8,
    "api_secret": "secret-" + "2" * 8,
    "access_token": "token-" + "3" * 8,
    "access_token_secret": "tsecret-" + "4" * 8,
}


def scrape(rt: Runtime, ticks: Ticks | None = None) -> Samples:
    from bot.scheduler import Scheduler

    with serving(create_app(rt, Scheduler(ticks) if ticks else None)) as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return metric_samples(answer.text)


def test_publish_outcomes_posts_by_state_queue_and_latency(
    db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    rt = Runtime(make_settings(db_url, tmp_path), clock=clock)
    try:
        before = scrape(rt)
        x = ScriptedChannel("x", [None, PermanentError("HTTP 403: suspended"), None])
        wa = ScriptedChannel("whatsapp", [TransientError("HTTP 503")])
        make_posts(rt, clock, 4, channel="x")
        make_posts(rt, clock, 2, channel="whatsapp")
        make_posts(rt, clock, 1, channel="whatsapp", approve=False)
        clock.advance(timedelta(seconds=90))  # approved 90 s before they go out
        outbox = Outbox(
            rt.sessions,
            {"x": x, "whatsapp": wa},
            clock,
            OutboxConfig(backoff_base=timedelta(seconds=30)),
            "w1",
            random.Random(5),
        )
        # four x posts: published, failed, published, published; whatsapp: retry, published
        assert outbox.drain() == {"published": 4, "failed": 1, "retry": 1}
        after = scrape(rt)

        def delta(name: str, **labels: str) -> float:
            return (sample(after, name, **labels) or 0) - (sample(before, name, **labels) or 0)

        attempts = "newsbot_publish_attempts_total"
        assert delta(attempts, channel="x", outcome="published") == 3
        assert delta(attempts, channel="x", outcome="permanent") == 1
        assert delta(attempts, channel="whatsapp", outcome="transient") == 1
        assert delta(attempts, channel="whatsapp", outcome="published") == 1
        latency = "newsbot_publish_latency_seconds"
        assert delta(latency + "_count", channel="x") == 3
        assert delta(latency + "_sum", channel="x") == pytest.approx(3 * 90)
        # 90 s falls in the 300 s bucket, not the 60 s one
        assert delta(latency + "_bucket", channel="x", le="60.0") == 0
        assert delta(latency + "_bucket", channel="x", le="300.0") == 3

        posts = "newsbot_posts"
        assert sample(after, posts, state="published", channel="x") == 3
        assert sample(after, posts, state="failed", channel="x") == 1
        assert sample(after, posts, state="published", channel="whatsapp") == 1
        assert sample(after, posts, state="approved", channel="whatsapp") == 1
        assert sample(after, posts, state="pending_review", channel="whatsapp") == 1
        assert sample(after, posts, state="unknown", channel="x") == 0  # zeros are shown
        with rt.sessions() as session:
            total = session.scalar(select(func.count()).select_from(Post))
        assert sum(v for (n, _), v in after.items() if n == posts) == total == 7
        # the retried whatsapp post waits out its backoff: not due yet, then due
        assert sample(after, "newsbot_queue_depth", channel="whatsapp") == 0
        clock.advance(timedelta(minutes=5))
        assert sample(scrape(rt), "newsbot_queue_depth", channel="whatsapp") == 1
        assert sample(after, "newsbot_database_up") == 1
    finally:
        rt.close()


def test_sources_channels_quotas_and_ticks(db_url: str, tmp_path: Path, clock: FixedClock) -> None:
    settings = make_settings(
        db_url, tmp_path, x={**X_CREDENTIALS, "daily_cap": 20, "monthly_budget": 5.0}
    )
    rt = Runtime(settings, clock=clock)
    try:
        with transaction(rt.sessions) as session:
            good, _ = rt.add_source(session, "https://news.example/feed.rss")
            bad, _ = rt.add_source(session, "https://down.example/feed.rss")
            good.last_success_at = clock.now() - timedelta(minutes=3)
            bad.failures_in_row = 4
            session.add(ChannelUsage(channel="x", day="2026-03-01", posts=6, cost=0.12))
            session.add(ChannelUsage(channel="x", day="2026-02-28", posts=9, cost=0.5))
            mark_channel_health(
                session,
                "x",
                True,
                {"x_user_limit": {"limit": "100", "remaining": 37, "reset": "1772400000"}},
                clock.now(),
            )
            mark_channel_health(session, "whatsapp", False, {"error": "down"}, clock.now())
            good_id, bad_id = good.id, bad.id
        ticks = Ticks()
        ticks.ticks["publish"] = Tick("publish", 2.0)  # never ran: its age counts from start
        samples = scrape(rt, ticks)
        last = "newsbot_source_last_success_timestamp_seconds"
        url = "https://news.example/feed.rss"
        assert (
            sample(samples, last, source=str(good_id), url=url)
            == (clock.now() - timedelta(minutes=3)).timestamp()
        )
        assert (
            sample(samples, last, source=str(bad_id), url="https://down.example/feed.rss") is None
        )
        assert (
            sample(
                samples,
                "newsbot_source_failures_in_row",
                source=str(bad_id),
                url="https://down.example/feed.rss",
            )
            == 4
        )
        remaining = "newsbot_channel_quota_remaining"
        assert sample(samples, remaining, channel="x", quota="daily_cap") == 14
        assert sample(samples, remaining, channel="x", quota="x_user_limit") == 37
        assert sample(samples, remaining, channel="x", quota="monthly_budget") == 5.0 - 0.12
        # the dry-run whatsapp channel has no quota to report
        assert not [k for k in samples if k[0] == remaining and ("channel", "whatsapp") in k[1]]
        assert sample(samples, "newsbot_channel_healthy", channel="x") == 1
        assert sample(samples, "newsbot_channel_healthy", channel="whatsapp") == 0
        assert sample(samples, "newsbot_tick_interval_seconds", tick="publish") == 2.0
        age = sample(samples, "newsbot_tick_age_seconds", tick="publish")
        assert age is not None and 0 <= age < 30
    finally:
        rt.close()


def test_a_web_only_process_shows_the_workers_tick_age(runtime: Runtime, clock: FixedClock) -> None:
    import time

    ticks = Ticks()
    ticks.ticks["publish"] = Tick("publish", 2.0, last_finished=time.monotonic(), runs=1)
    Heartbeat(runtime.sessions, runtime.clock, "w")(ticks)
    clock.advance(timedelta(seconds=42))
    samples = scrape(runtime)
    age = sample(samples, "newsbot_tick_age_seconds", tick="publish")
    assert age is not None and 42 <= age < 43


def test_sources_metric_counts_every_source(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        for i in range(3):
            runtime.add_source(session, f"https://s{i}.example/feed")
    samples = scrape(runtime)
    with runtime.sessions() as session:
        count = session.scalar(select(func.count()).select_from(Source))
    failing = [k for k in samples if k[0] == "newsbot_source_failures_in_row"]
    assert len(failing) == count == 3
