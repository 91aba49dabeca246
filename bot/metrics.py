"""Prometheus counters and histograms: what *this process* did (sum them across
processes). Any module may count here, so this one imports nothing from ``bot``.

The desk-wide gauges, read from the database at scrape time, are ``bot.web.gauges``.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram, disable_created_metrics

# `*_created` series (when each counter was made) double the output and answer nothing here
disable_created_metrics()  # type: ignore[no-untyped-call]

ATTEMPTS = Counter(
    "newsbot_publish_attempts_total",
    "Publish attempts by channel and outcome",
    ["channel", "outcome"],
)
POSTS_FAILED = Counter(
    "newsbot_posts_failed_total",
    "Posts that failed for good (dead letters: a permanent error, or out of attempts)",
    ["channel"],
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
ALERTS = Counter(
    "newsbot_alerts_total",
    "Failure alerts by kind and outcome (sent, failed, suppressed, off)",
    ["kind", "outcome"],
)
