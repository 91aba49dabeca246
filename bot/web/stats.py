"""The overview's numbers: posts and failures per day, queue depth, median latencies."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.outbox.states import State
from bot.store.models import Article, AuditEvent, Post


@dataclass(frozen=True)
class Overview:
    days: list[date]
    published: dict[str, list[int]]  # channel -> count per day
    failures: list[int]
    queue_depth: dict[str, int]  # channel -> pending now
    due: int  # approved or scheduled, not yet out
    article_to_approval: float | None  # median seconds, last ``window`` days
    approval_to_live: float | None


def _day_index(days: list[date]) -> dict[date, int]:
    return {d: i for i, d in enumerate(days)}


def overview(
    session: Session, now: datetime, tz: ZoneInfo, channels: list[str], span: int = 14
) -> Overview:
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=span - 1 - i) for i in range(span)]
    index = _day_index(days)
    since = datetime.combine(days[0], datetime.min.time(), tz)
    published = {c: [0] * span for c in channels}
    for channel, at in session.execute(
        select(Post.channel, Post.published_at).where(Post.published_at >= since)
    ):
        if at is None:
            continue
        i = index.get(at.astimezone(tz).date())
        if i is not None and channel in published:
            published[channel][i] += 1
    failures = [0] * span
    for (at,) in session.execute(
        select(AuditEvent.at).where(AuditEvent.action == "failed", AuditEvent.at >= since)
    ):
        i = index.get(at.astimezone(tz).date())
        if i is not None:
            failures[i] += 1
    depth = Counter(
        dict(
            session.execute(
                select(Post.channel, func.count())
                .where(Post.state == State.PENDING_REVIEW)
                .group_by(Post.channel)
            ).all()
        )
    )
    due = session.scalar(
        select(func.count()).where(Post.state.in_((State.APPROVED, State.SCHEDULED)))
    )
    week = now - timedelta(days=7)
    to_approval = [
        (approved - created).total_seconds()
        for approved, created in session.execute(
            select(Post.approved_at, Article.created_at)
            .join(Article, Article.id == Post.article_id)
            .where(Post.approved_at >= week)
        )
        if approved is not None
    ]
    to_live = [
        (live - approved).total_seconds()
        for live, approved in session.execute(
            select(Post.published_at, Post.approved_at).where(
                Post.published_at >= week, Post.approved_at.is_not(None)
            )
        )
        if live is not None and approved is not None
    ]
    return Overview(
        days=days,
        published=published,
        failures=failures,
        queue_depth={c: depth.get(c, 0) for c in channels},
        due=due or 0,
        article_to_approval=statistics.median(to_approval) if to_approval else None,
        approval_to_live=statistics.median(to_live) if to_live else None,
    )
