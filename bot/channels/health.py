"""Channel health in the database (``channel_state``): written by the channels, read by
``/readyz``, ``/metrics`` and the dashboard.

A channel reports what it learns (a 401 from X, a WAHA session that stopped, a good send)
through the ``OnHealth`` callback ``health_recorder`` makes for it, which records it here
with ``mark_channel_health``; a flip from healthy to unhealthy, or back, raises an alert once.

Quotas are read generically, so a channel only has to write what it knows:
- ``channel_state.detail[<name>] = {"remaining": int, "limit": int | None, "reset": ...}``
  for a limit the platform reports (X writes ``x_user_limit`` from its 24-hour headers);
- ``channel_usage`` rows (posts and cost per UTC day) against the channel's own
  ``daily_cap`` and ``monthly_budget`` settings, where the channel has them (X).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot import alerts
from bot.channels.base import OnHealth
from bot.channels.registry import live, spec
from bot.clock import Clock
from bot.store import upsert
from bot.store.db import transaction
from bot.store.models import ChannelState, ChannelUsage

if TYPE_CHECKING:
    from bot.settings import Settings

log = structlog.get_logger("bot.channels.health")


def mark_channel_health(
    session: Session, channel: str, healthy: bool, detail: dict[str, Any], now: datetime
) -> bool:
    """Record the channel's health and merge ``detail`` into its state; True when it flipped.

    ``detail["error"]`` says why it is unhealthy; it is cleared when the channel is marked
    healthy without one. A key given as None is removed. The row is locked, so two workers
    cannot both see the same flip.
    """
    session.execute(
        upsert.insert(session, ChannelState)
        .values(channel=channel, healthy=True, detail={}, updated_at=now)
        .on_conflict_do_nothing()
    )
    state = session.scalars(
        select(ChannelState)
        .where(ChannelState.channel == channel)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    was = state.healthy
    merged = {**(state.detail or {}), **detail}
    if healthy and "error" not in detail:
        merged.pop("error", None)
    merged = {key: value for key, value in merged.items() if value is not None}
    state.healthy = healthy
    state.detail = merged
    state.updated_at = now
    if was != healthy:
        alerts.channel_flipped(session, channel, healthy, merged.get("error"))
    return was != healthy


def health_recorder(sessions: sessionmaker[Session], clock: Clock, channel: str) -> OnHealth:
    """The callback a channel reports its health through: recorded on its state, an alert
    on a flip; nothing written when the state already says the same (the common case)."""

    def record(healthy: bool, detail: dict[str, Any]) -> None:
        try:
            with transaction(sessions) as session:
                state = session.get(ChannelState, channel)
                same_error = state is not None and (state.detail or {}).get("error") == detail.get(
                    "error"
                )
                if state is not None and state.healthy == healthy and same_error:
                    return
                mark_channel_health(session, channel, healthy, detail, clock.now())
        except Exception:  # the send's outcome matters more than noting the channel's health
            log.warning("channel.health_not_recorded", channel=channel, exc_info=True)

    return record


@dataclass(frozen=True)
class Quota:
    channel: str
    name: str
    remaining: float
    limit: float | None = None
    reset: Any = None

    def as_json(self) -> dict[str, Any]:
        return {"remaining": self.remaining, "limit": self.limit, "reset": self.reset}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip().isdigit():
        return float(value)
    return None


def reported_quotas(channel: str, detail: dict[str, Any]) -> list[Quota]:
    """Every ``{"remaining": n, ...}`` a channel wrote into its state's detail."""
    found = []
    for name, value in sorted((detail or {}).items()):
        if isinstance(value, dict) and _number(value.get("remaining")) is not None:
            remaining = _number(value["remaining"]) or 0.0
            limit = _number(value.get("limit"))
            found.append(Quota(channel, name, remaining, limit, value.get("reset")))
    return found


def own_quotas(session: Session, settings: Settings, channel: str, now: datetime) -> list[Quota]:
    """What is left under the newsroom's own cap and budget (settings vs. ``channel_usage``)."""
    group = spec(channel).group(settings)
    cap = getattr(group, "daily_cap", None)
    budget = getattr(group, "monthly_budget", None)
    found = []
    if cap is not None:
        today = now.strftime("%Y-%m-%d")
        posts = session.scalar(
            select(ChannelUsage.posts).where(
                ChannelUsage.channel == channel, ChannelUsage.day == today
            )
        )
        found.append(Quota(channel, "daily_cap", float(max(cap - (posts or 0), 0)), float(cap)))
    if budget is not None:
        spent = session.scalar(
            select(func.coalesce(func.sum(ChannelUsage.cost), 0.0)).where(
                ChannelUsage.channel == channel, ChannelUsage.day.like(now.strftime("%Y-%m") + "-%")
            )
        )
        left = round(max(budget - float(spent or 0.0), 0.0), 6)
        found.append(Quota(channel, "monthly_budget", left, float(budget)))
    return found


def quotas(session: Session, settings: Settings, now: datetime) -> list[Quota]:
    states = {s.channel: s for s in session.scalars(select(ChannelState))}
    found: list[Quota] = []
    for channel in settings.channels:
        if not live(settings, channel):
            continue
        state = states.get(channel)
        found += reported_quotas(channel, state.detail if state else {})
        found += own_quotas(session, settings, channel, now)
    return found


def channel_report(session: Session, settings: Settings, now: datetime) -> dict[str, Any]:
    """Per configured channel: mode, health, pause, what it last said, quotas left."""
    states = {s.channel: s for s in session.scalars(select(ChannelState))}
    by_channel: dict[str, list[Quota]] = {}
    for quota in quotas(session, settings, now):
        by_channel.setdefault(quota.channel, []).append(quota)
    report: dict[str, Any] = {}
    for channel in settings.channels:
        state = states.get(channel)
        detail = dict(state.detail or {}) if state else {}
        until = state.paused_until if state is not None else None
        paused = until is not None and until > now
        report[channel] = {
            "mode": "live" if live(settings, channel) else "dryrun",
            "healthy": state.healthy if state else True,
            "paused_until": until.isoformat() if until is not None and paused else None,
            "reason": state.reason if paused and state else None,
            "detail": detail,
            "quotas": {q.name: q.as_json() for q in by_channel.get(channel, [])},
            "updated_at": state.updated_at.isoformat() if state else None,
        }
    return report
