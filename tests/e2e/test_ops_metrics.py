"""/metrics after an end-to-end run of `newsbot run`: feed in, posts out, numbers that add up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli, jsonl
from tests.fakes.feed_server import FeedServer
from tests.feeds import guardian_server
from tests.ops import Process, Samples, free_port, get, metric_samples, sample, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with guardian_server(fresh=3) as server:
        yield server


def test_metrics_after_an_end_to_end_run(cli: Cli, feeds: FeedServer, tmp_path: Path) -> None:
    port = free_port()
    good, gone = feeds.url("/feed.rss"), feeds.url("/gone.rss")
    env = {
        **cli.env,
        "NEWSBOT_WEB__PORT": str(port),
        "NEWSBOT_FEEDS": f"{good},{gone}",
        "NEWSBOT_APPROVAL": "auto",
        "NEWSBOT_PUBLISH_INTERVAL": "1s",
    }
    started = time.time()
    run = Process(["run"], cli.cwd, env, tmp_path / "run.log")
    try:

        def scrape() -> Samples:
            status, headers, body = get(f"http://127.0.0.1:{port}/metrics")
            assert status == 200 and headers["content-type"].startswith("text/plain")
            return metric_samples(body)

        def all_out() -> Samples | None:
            samples = scrape()
            published = [
                sample(samples, "newsbot_posts", state="published", channel=c)
                for c in ("x", "whatsapp")
            ]
            return samples if published == [3, 3] else None

        samples = wait_until(all_out, timeout=90, every=0.5)
    finally:
        assert run.stop() == 0

    # what the desk itself says happened
    published = jsonl(cli.ok("drafts", "list", "--state", "published", "--json").stdout)
    log = jsonl(cli.ok("log", "--json").stdout)
    sources = {s["url"]: s for s in jsonl(cli.ok("sources", "list", "--json").stdout)}
    assert len(published) == 6
    assert sum(1 for e in log if e["action"] == "published") == 6

    # posts by state and channel: every post is published, nothing else
    posts = {k[1]: v for k, v in samples.items() if k[0] == "newsbot_posts" and v}
    assert posts == {
        (("channel", "whatsapp"), ("state", "published")): 3,
        (("channel", "x"), ("state", "published")): 3,
    }
    # publish attempts by outcome, and the latency from approval (auto: at drafting)
    for channel in ("x", "whatsapp"):
        assert (
            sample(samples, "newsbot_publish_attempts_total", channel=channel, outcome="published")
            == 3
        )
        assert not [
            k
            for k in samples
            if k[0] == "newsbot_publish_attempts_total"
            and ("channel", channel) in k[1]
            and ("outcome", "published") not in k[1]
        ]
        latency = "newsbot_publish_latency_seconds"
        assert sample(samples, latency + "_count", channel=channel) == 3
        assert sample(samples, latency + "_bucket", channel=channel, le="60.0") == 3
        assert 0 <= (sample(samples, latency + "_sum", channel=channel) or -1) < 3 * 60
        assert sample(samples, "newsbot_queue_depth", channel=channel) == 0
        assert sample(samples, "newsbot_channel_healthy", channel=channel) == 1
    # three fresh articles drafted (52 old ones stored, not drafted)
    assert sample(samples, "newsbot_article_to_draft_seconds_count") == 3
    # the good source polled fine a moment ago; the gone one never did
    good_id, gone_id = str(sources[good]["id"]), str(sources[gone]["id"])
    last = sample(
        samples, "newsbot_source_last_success_timestamp_seconds", source=good_id, url=good
    )
    assert last is not None and started - 1 <= last <= time.time()
    assert sample(samples, "newsbot_source_failures_in_row", source=good_id, url=good) == 0
    assert (
        sample(samples, "newsbot_source_last_success_timestamp_seconds", source=gone_id, url=gone)
        is None
    )
    failures = sample(samples, "newsbot_source_failures_in_row", source=gone_id, url=gone)
    assert failures is not None and failures >= 1
    assert (sample(samples, "newsbot_polls_total", outcome="ok") or 0) >= 1
    assert (sample(samples, "newsbot_polls_total", outcome="error") or 0) >= 1
    # every tick ran within twice its interval
    for tick in ("poll", "publish", "reconcile", "maintenance"):
        age = sample(samples, "newsbot_tick_age_seconds", tick=tick)
        interval = sample(samples, "newsbot_tick_interval_seconds", tick=tick)
        assert age is not None and interval is not None and age <= 2 * interval + 1
    assert sample(samples, "newsbot_database_up") == 1
