"""What ``/metrics`` serves: this process's counters (``bot.metrics``) and desk-wide gauges.

Two kinds, and the difference matters when several processes run:
- counters and histograms count what *this process* did (sum them across processes);
- gauges read the database at scrape time, so every process shows the same desk-wide
  numbers (take one, or ``max``, never the sum). They cost a handful of grouped queries.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import structlog
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from bot import __version__, heartbeat
from bot.channels.health import quotas
from bot.outbox.claims import due_posts
from bot.outbox.states import State
from bot.store.models import ChannelState, Post, Source

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.scheduler import Ticks

log = structlog.get_logger("bot.metrics")


class _ProcessMetrics:
    """This process's counters and histograms (the global registry), in a per-app registry."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class DatabaseGauges:
    """Desk-wide gauges, read from the database at scrape time."""

    def __init__(self, runtime: Runtime, ticks: Ticks | None) -> None:
        self.runtime = runtime
        self.ticks = ticks

    def collect(self) -> Iterator[Metric]:
        info = GaugeMetricFamily("newsbot_build_info", "newsbot version", labels=["version"])
        info.add_metric([__version__], 1)
        yield info
        up = GaugeMetricFamily("newsbot_database_up", "1 when the database answered the scrape")
        try:
            families = list(self._from_database())
        except Exception as exc:  # a scrape still shows the process's own counters
            log.warning("metrics.database_failed", error=exc.__class__.__name__)
            up.add_metric([], 0)
            yield up
            yield from self._local_ticks()
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _from_database(self) -> Iterator[Metric]:
        rt = self.runtime
        s = rt.settings
        now = rt.clock.now()
        with rt.sessions() as session:
            posts = session.execute(
                select(Post.channel, Post.state, func.count()).group_by(Post.channel, Post.state)
            ).all()
            due = session.execute(
                select(Post.channel, func.count())
                .where(due_posts(s.channels, now, s.stale_after))
                .group_by(Post.channel)
            ).all()
            sources = session.execute(
                select(Source.id, Source.url, Source.last_success_at, Source.failures_in_row)
            ).all()
            states = list(session.scalars(select(ChannelState)))
            left = quotas(session, s, now)
            beats = heartbeat.read(session, now) if self.ticks is None else {}

        by_state = GaugeMetricFamily(
            "newsbot_posts", "Posts by state and channel", labels=["state", "channel"]
        )
        counts = {(channel, state): n for channel, state, n in posts}
        for channel in sorted(set(s.channels) | {c for c, _ in counts}):
            for state in State:
                by_state.add_metric([state.value, channel], counts.get((channel, state.value), 0))
        yield by_state

        depth = GaugeMetricFamily(
            "newsbot_queue_depth",
            "Posts due to go out now (approved and past any backoff, or scheduled for now)",
            labels=["channel"],
        )
        due_by = dict(due)
        for channel in s.channels:
            depth.add_metric([channel], due_by.get(channel, 0))
        yield depth

        last_ok = GaugeMetricFamily(
            "newsbot_source_last_success_timestamp_seconds",
            "When each source was last polled successfully (Unix time; absent before)",
            labels=["source", "url"],
        )
        failing = GaugeMetricFamily(
            "newsbot_source_failures_in_row",
            "Failed polls in a row per source",
            labels=["source", "url"],
        )
        for source_id, url, success_at, failures in sources:
            if success_at is not None:
                last_ok.add_metric([str(source_id), url], success_at.timestamp())
            failing.add_metric([str(source_id), url], failures or 0)
        yield last_ok
        yield failing

        healthy = GaugeMetricFamily(
            "newsbot_channel_healthy",
            "1 when the channel last reported healthy",
            labels=["channel"],
        )
        paused = GaugeMetricFamily(
            "newsbot_channel_paused",
            "1 while the channel is paused (quota, session)",
            labels=["channel"],
        )
        known = {st.channel: st for st in states}
        for channel in s.channels:
            st = known.get(channel)
            healthy.add_metric([channel], 1 if st is None or st.healthy else 0)
            is_paused = st is not None and st.paused_until is not None and st.paused_until > now
            paused.add_metric([channel], 1 if is_paused else 0)
        yield healthy
        yield paused

        remaining = GaugeMetricFamily(
            "newsbot_channel_quota_remaining",
            "What is left of each channel quota (posts; money for monthly_budget)",
            labels=["channel", "quota"],
        )
        for quota in left:
            remaining.add_metric([quota.channel, quota.name], quota.remaining)
        yield remaining

        if self.ticks is None:
            yield from self._ticks_from_heartbeats(beats)
        else:
            yield from self._local_ticks()

    def _tick_families(self) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        age = GaugeMetricFamily(
            "newsbot_tick_age_seconds",
            "Seconds since each scheduler tick last finished (since start if it never ran)",
            labels=["tick"],
        )
        interval = GaugeMetricFamily(
            "newsbot_tick_interval_seconds", "Each scheduler tick's interval", labels=["tick"]
        )
        return age, interval

    def _local_ticks(self) -> Iterator[Metric]:
        if self.ticks is None:
            return
        age, interval = self._tick_families()
        mono = time.monotonic()
        for name, tick in self.ticks.ticks.items():
            since = tick.last_finished if tick.last_finished is not None else self.ticks.started_at
            age.add_metric([name], mono - since)
            interval.add_metric([name], tick.interval)
        yield age
        yield interval

    def _ticks_from_heartbeats(self, beats: dict[str, Any]) -> Iterator[Metric]:
        age, interval = self._tick_families()
        for name, status in sorted(beats.items()):
            if status.age is not None:
                age.add_metric([name], status.age)
            interval.add_metric([name], status.interval)
        yield age
        yield interval


def registry_for(runtime: Runtime, ticks: Ticks | None) -> CollectorRegistry:
    """What one web app serves: this process's metrics and the desk-wide gauges."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessMetrics())
    registry.register(DatabaseGauges(runtime, ticks))
    return registry
