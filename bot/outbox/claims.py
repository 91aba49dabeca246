"""What the outbox claims (due posts, unknown posts) and what a stopping worker gives back.

The claim itself (SKIP LOCKED on PostgreSQL, a conditional UPDATE on SQLite) is
``bot.store.claim``. ``claim_post`` is the one state change made in bulk SQL rather than
through ``states.move``: ``approved``/``scheduled`` → ``publishing``, which the table
allows (checked at import by ``bulk_move``). ``claim_unknown`` sets no state. Sources are
claimed by ``bot.sources.rounds``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from bot import audit
from bot.outbox.states import DUE, State, bulk_move, move
from bot.store.claim import claim_one
from bot.store.models import ChannelState, Post, Source

#: the states a claim moves to ``publishing`` (the rest of ``due_posts`` is timing)
CLAIMED_FROM = bulk_move(sorted(DUE), State.PUBLISHING)


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
    return claim_one(
        session,
        Post.id,
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
        recheck=Post.state.in_(CLAIMED_FROM),
    )


def claim_unknown(session: Session, worker: str, now: datetime, lease: timedelta) -> int | None:
    """Take an ``unknown`` post for reconciliation; it stays ``unknown`` under our lease."""
    condition = and_(
        Post.state == State.UNKNOWN,
        # lease_until on an unknown post: not before then (it settles, or a lookup failed)
        or_(Post.lease_until.is_(None), Post.lease_until <= now),
    )
    return claim_one(
        session,
        Post.id,
        condition,
        (Post.id,),
        {"claimed_by": worker, "lease_until": now + lease, "updated_at": now},
        recheck=Post.state == State.UNKNOWN,
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
    move(post, State.UNKNOWN, now)
    post.error = f"worker {worker} stopped {how}; looking it up"
    post.claimed_by = None
    post.lease_until = look_from


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
