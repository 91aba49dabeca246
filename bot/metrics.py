"""Prometheus metrics. Counters live in-process; gauges read the database at scrape time."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ATTEMPTS = Counter(
    "newsbot_publish_attempts_total",
    "Publish attempts by channel and outcome",
    ["channel", "outcome"],
)
PUBLISH_SECONDS = Histogram(
    "newsbot_publish_request_seconds", "Time the channel took to answer a send", ["channel"]
)
APPROVAL_TO_LIVE = Histogram(
    "newsbot_publish_latency_seconds",
    "From approval to published",
    ["channel"],
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600),
)
ARTICLE_TO_DRAFT = Histogram(
    "newsbot_article_to_draft_seconds",
    "From the article's first sighting to its drafts",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
POLLS = Counter("newsbot_polls_total", "Feed polls by outcome", ["outcome"])
