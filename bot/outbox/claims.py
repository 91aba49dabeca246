"""Atomic claims: one worker per post (and per source), however many replicas run.

PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` then ``UPDATE`` in one transaction.
SQLite: one conditional ``UPDATE … WHERE id = (SELECT …) AND state IN (…)``; SQLite has a
single writer, so the statement is atomic and the loser simply updates nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from bot import audit
from bot.outbox.states import State
from bot.store.models import ChannelState, Post, Source


def open_channels(session: Session, channels: Sequence[str], now: datetime) -> list[str]:
    paused = set(
        session.scalars(
            select(ChannelState.channel).where(
                ChannelState.paused_until.is_not(None), ChannelState.paused_until > now
            )
        )
    )
    return [c for c in channels if c not in paused]


def due_posts(
    channels: Sequence[str], now: datetime, stale_after: timedelta
) -> ColumnElement[bool]:
    """Approved and past any backoff, or scheduled for now and not too late to send."""
    return and_(
        Post.channel.in_(channels),
        or_(
            and_(
                Post.state == State.APPROVED,
                or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
            ),
            and_(
                Post.state == State.SCHEDULED,
                Post.scheduled_at <= now,
                Post.scheduled_at >= now - stale_after,
            ),
        ),
    )


def _claim_one(
    session: Session,
    condition: ColumnElement[bool],
    order: Sequence[Any],
    values: dict[str, object],
    from_states: Sequence[str],
) -> int | None:
    pick = select(Post.id).where(condition).order_by(*order).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        post_id = session.scalar(pick.with_for_update(skip_locked=True))
        if post_id is None:
            return None
        session.execute(update(Post).where(Post.id == post_id).values(**values))
        return post_id
    return session.scalar(
        update(Post)
        .where(Post.id == pick.scalar_subquery(), Post.state.in_(from_states))
        .values(**values)
        .returning(Post.id)
    )


def claim_post(
    session: Session,
    channels: Sequence[str],
    worker: str,
    now: datetime,
    lease: timedelta,
    stale_after: timedelta,
) -> int | None:
    """Move the next due post to ``publishing`` under this worker's lease; its id or None."""
    if not channels:
        return None
    return _claim_one(
        session,
        due_posts(channels, now, stale_after),
        # approval order: posts that waited on a quota go out in the order editors approved
        (Post.approved_at, Post.id),
        {
            "state": State.PUBLISHING,
            "claimed_by": worker,
            "lease_until": now + lease,
            "attempts": Post.attempts + 1,
            "updated_at": now,
        },
        (State.APPROVED, State.SCHEDULED),
    )


def claim_unknown(session: Session, worker: str, now: datetime, lease: timedelta) -> int | None:
    """Take an ``unknown`` post for reconciliation; it stays ``unknown`` under our lease."""
    condition = and_(
        Post.state == State.UNKNOWN,
        # lease_until on an unknown post: not before then (it settles, or a lookup failed)
        or_(Post.lease_until.is_(None), Post.lease_until <= now),
    )
    return _claim_one(
        session,
        condition,
        (Post.id,),
        {"claimed_by": worker, "lease_until": now + lease, "updated_at": now},
        (State.UNKNOWN,),
    )


def claim_sources(
    session: Session, worker: str, now: datetime, lease: timedelta, limit: int = 1
) -> list[int]:
    """Up to ``limit`` sources due for polling, leased so no other replica polls them."""
    condition = and_(
        or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now),
        or_(Source.lease_until.is_(None), Source.lease_until < now),
    )
    pick = select(Source.id).where(condition).order_by(Source.next_poll_at, Source.id).limit(limit)
    values = {"claimed_by": worker, "lease_until": now + lease}
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(pick.with_for_update(skip_locked=True)))
        if ids:
            session.execute(update(Source).where(Source.id.in_(ids)).values(**values))
        return ids
    return list(
        session.scalars(
            update(Source)
            .where(Source.id.in_(pick.scalar_subquery()), condition)
            .values(**values)
            .returning(Source.id)
        )
    )


def cut_short(
    session: Session,
    post: Post,
    now: datetime,
    how: str,
    cause: str,
    look_from: datetime | None,
) -> None:
    """A send whose worker stopped ``how`` (for ``cause``): it may have gone out, so the
    post is ``unknown`` and is looked up (from ``look_from``; None: at once), not resent."""
    worker = post.claimed_by
    audit.record(
        session,
        "unknown",
        at=now,
        post=post,
        detail={"error": f"worker {worker} stopped {how} ({cause})"},
    )
    post.state = State.UNKNOWN
    post.error = f"worker {worker} stopped {how}; looking it up"
    post.claimed_by = None
    post.lease_until = look_from
    post.updated_at = now


def release_claims(
    session: Session, worker: str, now: datetime, settle: timedelta = timedelta(0)
) -> dict[str, int]:
    """What a stopping worker still holds goes back: a send it cut short is ``unknown`` (it
    may have gone out; reconciliation looks), a lookup or a source poll is simply freed."""
    held = list(session.scalars(select(Post).where(Post.claimed_by == worker).with_for_update()))
    cut = 0
    for post in held:
        if post.state == State.PUBLISHING:
            # the cut request may still land: let it settle before the lookup
            cut_short(session, post, now, "during the send", "shutdown", now + settle)
            cut += 1
            continue
        post.claimed_by = None
        post.lease_until = None
        post.updated_at = now
    sources = session.execute(
        update(Source).where(Source.claimed_by == worker).values(claimed_by=None, lease_until=None)
    )
    return {
        "posts_cut": cut,
        "posts_freed": len(held) - cut,
        "sources": int(getattr(sources, "rowcount", 0) or 0),
    }
