"""Reconciliation: before any resend of a post whose outcome is unknown, ask the channel."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import audit
from bot.channels.base import Publisher
from bot.clock import Clock
from bot.errors import BotError
from bot.outbox.claims import claim_unknown
from bot.outbox.engine import mark_published, outgoing
from bot.outbox.states import State
from bot.store.db import transaction
from bot.store.models import Post

log = structlog.get_logger("bot.outbox")


def expire_leases(sessions: sessionmaker[Session], clock: Clock) -> int:
    """Posts left ``publishing`` by a worker that died mid-send become ``unknown``."""
    now = clock.now()
    with transaction(sessions) as session:
        stuck = list(
            session.scalars(
                select(Post).where(Post.state == State.PUBLISHING, Post.lease_until < now)
            )
        )
        for post in stuck:
            audit.record(
                session,
                "unknown",
                at=now,
                post=post,
                detail={"error": f"worker {post.claimed_by} stopped mid-send (lease expired)"},
            )
            post.state = State.UNKNOWN
            post.claimed_by = None
            post.lease_until = None
            post.updated_at = now
    return len(stuck)


def reconcile_one(
    sessions: sessionmaker[Session],
    channels: dict[str, Publisher],
    clock: Clock,
    worker: str,
    lease: timedelta,
    retry_in: timedelta,
) -> str | None:
    now = clock.now()
    with transaction(sessions) as session:
        post_id = claim_unknown(session, worker, now, lease)
        if post_id is None:
            return None
        post = session.get_one(Post, post_id, populate_existing=True)
        item = outgoing(post)
    bound = log.bind(post_id=post.id, article_id=post.article_id, channel=post.channel)
    channel = channels.get(post.channel)
    if channel is None:
        return "skipped"
    try:
        receipt = channel.find(item)
    except BotError as exc:
        with transaction(sessions) as session:
            post = session.get_one(Post, post_id, populate_existing=True)
            post.claimed_by = None
            post.lease_until = clock.now() + retry_in  # look again later
            post.error = f"reconciliation failed: {exc}"
        bound.warning("post.reconcile_failed", error=str(exc))
        return "deferred"
    now = clock.now()
    with transaction(sessions) as session:
        post = session.get_one(Post, post_id, populate_existing=True)
        if post.state != State.UNKNOWN:
            return "skipped"
        post.claimed_by = None
        post.lease_until = None
        post.updated_at = now
        if receipt is not None:
            mark_published(session, post, receipt, now, "reconciled")
            bound.info(
                "post.reconciled", action="reconciled", found=True, remote_id=receipt.remote_id
            )
            return "found"
        post.state = State.APPROVED
        post.next_attempt_at = now
        audit.record(
            session, "reconciled", at=now, post=post, detail={"found": False, "next": "resend"}
        )
    bound.info("post.reconciled", action="reconciled", found=False)
    return "not_found"


def reconcile_all(
    sessions: sessionmaker[Session],
    channels: dict[str, Publisher],
    clock: Clock,
    worker: str,
    lease: timedelta,
    retry_in: timedelta,
) -> dict[str, int]:
    expire_leases(sessions, clock)
    counts: dict[str, int] = {}
    while (
        outcome := reconcile_one(sessions, channels, clock, worker, lease, retry_in)
    ) is not None:
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
