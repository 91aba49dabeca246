"""Desk management shared by the admin pages and the API: feeds, channel health, accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.channels.registry import spec
from bot.errors import UsageError
from bot.runtime import Runtime
from bot.store.models import Article, ChannelState, ChannelUsage, Post, Source, User
from bot.users import ROLES
from bot.web import auth


def source_json(source: Source, items: int) -> dict[str, Any]:
    """The shape of `newsbot sources list --json`, plus the last success and title."""
    return {
        "id": source.id,
        "url": source.url,
        "title": source.title,
        "auto_approve": source.auto_approve,
        "last_polled_at": source.last_polled_at.isoformat() if source.last_polled_at else None,
        "last_status": source.last_status,
        "last_error": source.last_error,
        "items": items,
    }


def sources_with_counts(session: Session) -> list[tuple[Source, int]]:
    counts = dict(
        session.execute(select(Article.source_id, func.count()).group_by(Article.source_id)).all()
    )
    return [(s, counts.get(s.id, 0)) for s in session.scalars(select(Source).order_by(Source.id))]


@dataclass(frozen=True)
class ChannelView:
    name: str
    publisher: str
    healthy: bool
    paused_until: datetime | None
    reason: str | None
    detail: dict[str, Any]
    #: published since midnight in the newsroom's time zone
    posts_today: int
    daily_cap: int | None
    #: what the channel counted against its cap today (UTC day, as the cap is kept)
    capped_today: int

    @property
    def remaining(self) -> int | None:
        return None if self.daily_cap is None else max(0, self.daily_cap - self.capped_today)


def channel_views(session: Session, runtime: Runtime, now: datetime) -> list[ChannelView]:
    states = {s.channel: s for s in session.scalars(select(ChannelState))}
    s = runtime.settings
    today = now.astimezone(UTC).strftime("%Y-%m-%d")
    usage = {
        u.channel: u.posts
        for u in session.scalars(select(ChannelUsage).where(ChannelUsage.day == today))
    }
    midnight = datetime.combine(now.astimezone(s.tz).date(), time(), s.tz)
    published = dict(
        session.execute(
            select(Post.channel, func.count())
            .where(Post.published_at >= midnight)
            .group_by(Post.channel)
        ).all()
    )
    views = []
    for name in s.channels:
        state = states.get(name)
        group = spec(name).group(s)
        views.append(
            ChannelView(
                name=name,
                publisher=group.publisher if group.configured else "dry run",
                healthy=state.healthy if state else True,
                paused_until=state.paused_until if state else None,
                reason=state.reason if state else None,
                detail=dict(state.detail or {}) if state else {},
                posts_today=int(published.get(name, 0)),
                daily_cap=getattr(group, "daily_cap", None),
                capped_today=usage.get(name, 0),
            )
        )
    return views


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def _admins_left(session: Session, without: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                User.role == "admin", User.disabled.is_(False), User.id != without
            )
        )
        or 0
    )


def set_role(session: Session, user_id: int, role: str) -> User:
    if role not in ROLES:
        raise UsageError(f"role: expected one of {', '.join(ROLES)}")
    user = session.get(User, user_id)
    if user is None:
        raise UsageError(f"no user with id {user_id}")
    if user.role == "admin" and role != "admin" and not _admins_left(session, user.id):
        raise UsageError("the last admin cannot lose the role; make another admin first")
    if user.role != role:
        user.role = role
        auth.end_sessions_of(session, user.id)
    return user


def set_disabled(session: Session, user_id: int, disabled: bool) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UsageError(f"no user with id {user_id}")
    if disabled and user.role == "admin" and not _admins_left(session, user.id):
        raise UsageError("the last admin cannot be disabled")
    user.disabled = disabled
    if disabled:
        auth.end_sessions_of(session, user.id)
    return user
