"""Recording what a send came to, fenced by the claim that made it.

A worker records an outcome only while it still holds the post: state ``publishing``,
claimed by it, on the attempt it claimed. A worker that lost its claim (it froze for
longer than its lease, and the post was reconciled and perhaps claimed again elsewhere)
changes nothing — except that a post it did get out is the truth and is recorded, and a
second copy on the platform is written to the audit as ``duplicate`` for a person.

Each function runs inside the caller's transaction and returns the outcome's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import alerts, audit, metrics
from bot.channels.base import Receipt
from bot.errors import ChannelPaused
from bot.outbox.backoff import RetryDecision
from bot.outbox.states import State, move
from bot.store.models import Attempt, ChannelState, Post

log = structlog.get_logger("bot.outbox")


@dataclass(frozen=True)
class Claim:
    """Who holds a post, for which attempt: the fence every outcome is checked against."""

    post_id: int
    channel: str
    worker: str
    attempt: int


def load(session: Session, post_id: int) -> Post:
    """The post, locked for this transaction on PostgreSQL (SQLite has one writer anyway)."""
    return session.get_one(Post, post_id, populate_existing=True, with_for_update=True)


def holds(post: Post, claim: Claim) -> bool:
    return (
        post.state == State.PUBLISHING
        and post.claimed_by == claim.worker
        and post.attempts == claim.attempt
    )


def finish_attempt(
    session: Session,
    claim: Claim,
    outcome: str,
    now: datetime,
    error: str | None = None,
    response: dict[str, Any] | None = None,
) -> None:
    attempt = session.scalar(
        select(Attempt)
        .where(
            Attempt.post_id == claim.post_id,
            Attempt.number == claim.attempt,
            Attempt.worker == claim.worker,
        )
        .order_by(Attempt.id.desc())
        .limit(1)
    )
    if attempt is not None:
        attempt.finished_at = now
        attempt.outcome = outcome
        attempt.error = error
        attempt.response = response


def _release(post: Post, now: datetime) -> None:
    post.claimed_by = None
    post.lease_until = None
    post.updated_at = now


def mark_published(
    session: Session,
    post: Post,
    receipt: Receipt,
    now: datetime,
    action: str,
    *,
    found_late: bool = False,
    **extra: Any,
) -> None:
    """``found_late``: a copy turned up after the desk moved on (``states.FOUND_FROM``)."""
    move(post, State.PUBLISHED, now, found=found_late)
    post.remote_id = receipt.remote_id
    post.remote_url = receipt.remote_url
    post.error = None
    post.waiting_reason = None
    post.next_attempt_at = None
    detail: dict[str, Any] = {
        "remote_id": receipt.remote_id,
        "remote_url": receipt.remote_url,
        "response": receipt.response,
        **extra,
    }
    if receipt.notes:
        detail["notes"] = list(receipt.notes)
    for event, about in receipt.events:  # what the channel saw on the way (an image left out)
        audit.record(session, event, at=now, post=post, detail=about)
    audit.record(session, action, at=now, post=post, detail=detail)
    if post.approved_at is not None:
        metrics.APPROVAL_TO_LIVE.labels(post.channel).observe(
            (now - post.approved_at).total_seconds()
        )


def out_anyway(
    session: Session, post: Post, receipt: Receipt, now: datetime, by: str, action: str
) -> str:
    """A copy is on the platform although this worker or reconciler no longer holds the
    post: record it as the post's if nothing else is, else report the second copy."""
    if post.state == State.PUBLISHED and post.remote_id == receipt.remote_id:
        return "published"  # recorded already (a commit retried after its answer was lost)
    if post.state in (State.PUBLISHED, State.WITHDRAWN):
        audit.record(
            session,
            "duplicate",
            at=now,
            post=post,
            detail={
                "remote_id": receipt.remote_id,
                "remote_url": receipt.remote_url,
                "kept": post.remote_id,
                "by": by,
                "todo": "a second copy went out; delete it on the platform",
            },
        )
        log.error(
            "post.duplicate", post_id=post.id, remote_id=receipt.remote_id, kept=post.remote_id
        )
        return "duplicate"
    before = post.state
    _release(post, now)
    mark_published(
        session, post, receipt, now, action, found_late=True, late={"by": by, "state_was": before}
    )
    return "published"


def published(session: Session, claim: Claim, receipt: Receipt, now: datetime) -> str:
    post = load(session, claim.post_id)
    finish_attempt(session, claim, "published", now, response=receipt.response)
    if not holds(post, claim):
        return out_anyway(session, post, receipt, now, claim.worker, "published")
    _release(post, now)
    mark_published(session, post, receipt, now, "published")
    return "published"


def lost(post: Post, claim: Claim, outcome: str) -> str:
    log.warning(
        "post.claim_lost",
        post_id=post.id,
        worker=claim.worker,
        outcome=outcome,
        state=post.state,
        claimed_by=post.claimed_by,
    )
    return "lost"


def retry(
    session: Session, claim: Claim, error: str, decision: RetryDecision, now: datetime
) -> str:
    post = load(session, claim.post_id)
    finish_attempt(session, claim, "transient", now, error=error)
    if not holds(post, claim):
        return lost(post, claim, "transient")
    _release(post, now)
    if decision.give_up:
        move(post, State.FAILED, now)
        post.error = f"gave up after {claim.attempt} attempts: {error}"
        detail = {"error": post.error, "attempts": claim.attempt}
        audit.record(session, "failed", at=now, post=post, detail=detail)
        alerts.post_failed(session, post, post.error)
        return "failed"
    move(post, State.APPROVED, now)
    post.error = error
    post.next_attempt_at = decision.at
    audit.record(
        session,
        "retry_scheduled",
        at=now,
        post=post,
        detail={
            "error": error,
            "attempt": claim.attempt,
            "next_attempt_at": decision.at.isoformat() if decision.at else None,
        },
    )
    return "retry"


def paused(
    session: Session, claim: Claim, exc: ChannelPaused, until: datetime, now: datetime
) -> str:
    post = load(session, claim.post_id)
    finish_attempt(session, claim, "paused", now, error=exc.reason)
    if not holds(post, claim):
        return lost(post, claim, "paused")
    _release(post, now)
    move(post, State.APPROVED, now)
    post.attempts -= 1  # the channel was closed; the post did not fail
    post.next_attempt_at = until
    pause_channel(session, post.channel, exc.reason, until, now)
    audit.record(
        session,
        "waiting",
        at=now,
        post=post,
        detail={"reason": exc.reason, "until": until.isoformat()},
    )
    return "waiting"


def failed(session: Session, claim: Claim, error: str, now: datetime) -> str:
    post = load(session, claim.post_id)
    finish_attempt(session, claim, "permanent", now, error=error)
    if not holds(post, claim):
        return lost(post, claim, "permanent")
    _release(post, now)
    move(post, State.FAILED, now)
    post.error = error
    audit.record(session, "failed", at=now, post=post, detail={"error": error})
    alerts.post_failed(session, post, error)
    return "failed"


def unknown(session: Session, claim: Claim, error: str, now: datetime, settle: timedelta) -> str:
    post = load(session, claim.post_id)
    finish_attempt(session, claim, "unknown", now, error=error)
    if not holds(post, claim):
        return lost(post, claim, "unknown")
    _release(post, now)
    move(post, State.UNKNOWN, now)
    post.error = error
    # a request the platform is still working on may land a moment after we gave up on
    # it: look for it only once it has had time to settle
    post.lease_until = now + settle
    audit.record(session, "unknown", at=now, post=post, detail={"error": error})
    return "unknown"


def pause_channel(
    session: Session, channel: str, reason: str, until: datetime, now: datetime
) -> None:
    state = session.get(ChannelState, channel, with_for_update=True)
    if state is None:
        try:
            with session.begin_nested():  # two replicas may meet the first pause at once
                state = ChannelState(channel=channel, healthy=True, detail={}, updated_at=now)
                session.add(state)
        except IntegrityError:
            state = session.get_one(
                ChannelState, channel, populate_existing=True, with_for_update=True
            )
    state.paused_until = until
    state.reason = reason
    state.updated_at = now
    # every post of the channel that waits shows why
    session.execute(
        update(Post)
        .where(Post.channel == channel, Post.state.in_((State.APPROVED, State.SCHEDULED)))
        .values(waiting_reason=reason)
    )
