"""Reconciliation: before any resend of a post whose outcome is unknown, ask the channel.

Two ways into ``unknown``: a send that got no clear answer (timeout, dropped connection),
and a claim whose lease ran out while ``publishing`` (its worker died mid-send). Either
way the channel's ``find`` decides: there → ``published``; not there → ``approved`` and
sent again by the outbox. Until ``find`` answers, the post is not sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot import audit
from bot.channels.base import Publisher, Receipt
from bot.clock import Clock
from bot.outbox import durable
from bot.outbox.claims import claim_unknown, cut_short
from bot.outbox.engine import outgoing
from bot.outbox.outcomes import load, mark_published, out_anyway
from bot.outbox.states import State, move
from bot.store.db import transaction
from bot.store.models import Post

log = structlog.get_logger("bot.outbox")


def expire_leases(sessions: sessionmaker[Session], clock: Clock) -> int:
    """Posts left ``publishing`` by a worker that died mid-send become ``unknown``."""
    now = clock.now()
    with transaction(sessions) as session:
        # SKIP LOCKED: a post whose worker is writing its outcome right now is not stuck
        stuck = list(
            session.scalars(
                select(Post)
                .where(
                    Post.state == State.PUBLISHING,
                    # a claim without a lease (written by hand, say) is stuck as well
                    or_(Post.lease_until.is_(None), Post.lease_until < now),
                )
                .with_for_update(skip_locked=True)
            )
        )
        for post in stuck:
            cut_short(session, post, now, "mid-send", "lease expired", None)
    return len(stuck)


def _settle(
    session: Session, post_id: int, worker: str, receipt: Receipt | None, now: datetime
) -> str:
    post = load(session, post_id)
    if post.state != State.UNKNOWN or post.claimed_by != worker:
        # someone resolved it meanwhile (our reconcile lease ran out); a copy we found is
        # still the truth, and a second copy is reported
        if receipt is not None:
            out_anyway(session, post, receipt, now, worker, "reconciled")
        return "skipped"
    post.claimed_by = None
    post.lease_until = None
    post.updated_at = now
    if receipt is not None:
        mark_published(session, post, receipt, now, "reconciled", found=True)
        return "found"
    move(post, State.APPROVED, now)
    post.next_attempt_at = now
    audit.record(
        session, "reconciled", at=now, post=post, detail={"found": False, "next": "resend"}
    )
    return "not_found"


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
        return "skipped"  # not configured in this process; another replica may have it
    try:
        receipt = channel.find(item)
    except Exception as exc:  # cannot tell yet: look again later, never resend meanwhile
        error = f"reconciliation failed: {exc.__class__.__name__}: {exc}"

        def defer() -> None:
            with transaction(sessions) as session:
                post = load(session, post_id)
                if post.state == State.UNKNOWN and post.claimed_by == worker:
                    post.claimed_by = None
                    post.lease_until = clock.now() + retry_in
                    post.error = error

        durable.write(defer, f"reconciliation of post {post_id}")
        bound.warning("post.reconcile_failed", error=error)
        return "deferred"

    def settle() -> str:
        with transaction(sessions) as session:
            return _settle(session, post_id, worker, receipt, clock.now())

    outcome = durable.write(settle, f"reconciliation of post {post_id}")
    bound.info(
        "post.reconciled",
        action="reconciled",
        outcome=outcome,
        remote_id=receipt.remote_id if receipt else None,
    )
    return outcome


def reconcile_all(
    sessions: sessionmaker[Session],
    channels: dict[str, Publisher],
    clock: Clock,
    worker: str,
    lease: timedelta,
    retry_in: timedelta,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    try:
        expire_leases(sessions, clock)
        while (
            outcome := reconcile_one(sessions, channels, clock, worker, lease, retry_in)
        ) is not None:
            counts[outcome] = counts.get(outcome, 0) + 1
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        # SQLite busy past its timeout: what was not taken yet waits for the next round
        log.warning("reconcile.busy", error=str(exc).splitlines()[0])
    return counts
