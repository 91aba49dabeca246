"""Drafts nobody approved in time expire; scheduled posts found too late are held."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit
from bot.outbox.states import State, move
from bot.store.models import Post


def expire_drafts(session: Session, now: datetime) -> int:
    posts = list(
        session.scalars(
            select(Post)
            .where(Post.state == State.PENDING_REVIEW, Post.expires_at <= now)
            .with_for_update(skip_locked=True)
        )
    )
    for post in posts:
        move(post, State.EXPIRED, now)
        audit.record(
            session,
            "expired",
            at=now,
            post=post,
            detail={"expires_at": post.expires_at.isoformat() if post.expires_at else None},
        )
    return len(posts)


def hold_stale(session: Session, now: datetime, stale_after: timedelta) -> int:
    """A scheduled post more than ``stale_after`` late goes back to an editor, not out."""
    posts = list(
        session.scalars(
            select(Post)
            .where(Post.state == State.SCHEDULED, Post.scheduled_at < now - stale_after)
            .with_for_update(skip_locked=True)
        )
    )
    for post in posts:
        late = now - post.scheduled_at if post.scheduled_at else timedelta(0)
        move(post, State.PENDING_REVIEW, now)
        # a fresh TTL: the editor decides again
        post.expires_at = None
        audit.record(
            session,
            "held",
            at=now,
            post=post,
            detail={
                "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
                "late_by_seconds": int(late.total_seconds()),
                "reason": "scheduled time passed while no worker ran; needs an editor",
            },
        )
    return len(posts)
