"""The outbox: claim a due post, send it through its channel, record what happened.

Each post moves in short transactions: claim (→ publishing, attempt row, audit), then the
send outside any transaction, then the outcome (→ published | approved with a persisted
``next_attempt_at`` | failed | unknown). A send whose outcome is unknown is never resent
blindly: ``reconcile`` asks the channel first.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import alerts, audit, metrics
from bot.channels.base import OutgoingPost, Publisher, Receipt
from bot.clock import Clock
from bot.errors import ChannelPaused, PermanentError, TransientError, UnknownOutcome
from bot.outbox import backoff
from bot.outbox.claims import claim_post, open_channels
from bot.outbox.states import State
from bot.store.db import transaction
from bot.store.models import Attempt, ChannelState, Post

log = structlog.get_logger("bot.outbox")


@dataclass(frozen=True)
class OutboxConfig:
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(seconds=90)
    stale_after: timedelta = timedelta(hours=2)


def outgoing(post: Post, persist: Any = None) -> OutgoingPost:
    article = post.article
    quote = post.key_quote or {}
    return OutgoingPost(
        post_id=post.id,
        article_id=post.article_id,
        channel=post.channel,
        text=post.text,
        title=article.title,
        url=article.canonical_url,
        image_url=article.image_url,
        key_quote=quote.get("text"),
        speaker=quote.get("speaker"),
        hashtags=tuple(post.hashtags or ()),
        idempotency_key=f"newsbot-post-{post.id}",
        first_attempt_at=post.first_attempt_at,
        channel_data=dict(post.channel_data or {}),
        persist=persist or (lambda _data: None),
    )


class Outbox:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        channels: dict[str, Publisher],
        clock: Clock,
        config: OutboxConfig,
        worker: str,
        rand: random.Random | None = None,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.clock = clock
        self.config = config
        self.worker = worker
        self.rand = rand or random.Random()  # noqa: S311 - jitter, not cryptography

    # -- claiming ---------------------------------------------------------------------
    def claim(self) -> tuple[Post, int] | None:
        """Claim the next due post; returns it (with its article) and the attempt number."""
        now = self.clock.now()
        with transaction(self.sessions) as session:
            channels = open_channels(session, list(self.channels), now)
            post_id = claim_post(
                session, channels, self.worker, now, self.config.lease, self.config.stale_after
            )
            if post_id is None:
                return None
            post = session.get_one(Post, post_id, populate_existing=True)
            if post.first_attempt_at is None:
                post.first_attempt_at = now
            session.add(
                Attempt(post_id=post.id, number=post.attempts, worker=self.worker, started_at=now)
            )
            audit.record(
                session,
                "claimed",
                at=now,
                post=post,
                detail={"attempt": post.attempts, "worker": self.worker},
            )
            _ = post.article  # loaded for the send, outside the transaction
            return post, post.attempts

    def _persist_channel_data(self, post_id: int) -> Any:
        def persist(data: dict[str, Any]) -> None:
            with transaction(self.sessions) as session:
                session.execute(update(Post).where(Post.id == post_id).values(channel_data=data))

        return persist

    # -- one post ---------------------------------------------------------------------
    def publish_one(self) -> str | None:  # noqa: PLR0911 - one return per outcome
        """Claim and send one due post; returns the outcome, or None when nothing is due."""
        claimed = self.claim()
        if claimed is None:
            return None
        post, number = claimed
        channel = self.channels[post.channel]
        item = outgoing(post, self._persist_channel_data(post.id))
        bound = log.bind(post_id=post.id, article_id=post.article_id, channel=post.channel)
        started = self.clock.now()
        # whatever the channel logs while sending carries the post it is about
        context = structlog.contextvars.bind_contextvars(
            post_id=post.id, article_id=post.article_id, channel=post.channel
        )
        try:
            receipt = channel.publish(item)
        except ChannelPaused as exc:
            return self._paused(post.id, exc, bound)
        except TransientError as exc:
            return self._transient(post.id, number, exc, bound)
        except PermanentError as exc:
            return self._failed(post.id, str(exc), bound)
        except UnknownOutcome as exc:
            return self._unknown(post.id, str(exc), bound)
        except Exception as exc:  # a bug in a channel must not leave the post in limbo
            bound.exception("publish.crashed")
            return self._unknown(post.id, f"{exc.__class__.__name__}: {exc}", bound)
        finally:
            structlog.contextvars.reset_contextvars(**context)
        metrics.PUBLISH_SECONDS.labels(post.channel).observe(
            (self.clock.now() - started).total_seconds()
        )
        return self._published(post.id, receipt, bound)

    def drain(
        self, stop: threading.Event | None = None, limit: int | None = None
    ) -> dict[str, int]:
        """Send what is due now, one post at a time, until nothing is left (or told to stop)."""
        counts: dict[str, int] = {}
        while not (stop and stop.is_set()) and (limit is None or sum(counts.values()) < limit):
            outcome = self.publish_one()
            if outcome is None:
                break
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    # -- outcomes ---------------------------------------------------------------------
    def _finish(
        self,
        session: Session,
        post_id: int,
        outcome: str,
        error: str | None,
        response: dict[str, Any] | None,
    ) -> Post:
        post = session.get_one(Post, post_id, populate_existing=True)
        attempt = session.scalar(
            select(Attempt).where(Attempt.post_id == post_id).order_by(Attempt.id.desc()).limit(1)
        )
        if attempt is not None:
            attempt.finished_at = self.clock.now()
            attempt.outcome = outcome
            attempt.error = error
            attempt.response = response
        post.claimed_by = None
        post.lease_until = None
        post.updated_at = self.clock.now()
        metrics.ATTEMPTS.labels(post.channel, outcome).inc()
        return post

    def _published(self, post_id: int, receipt: Receipt, bound: Any) -> str:
        now = self.clock.now()
        with transaction(self.sessions) as session:
            post = self._finish(session, post_id, "published", None, receipt.response)
            mark_published(session, post, receipt, now, "published")
        bound.info("post.published", action="published", remote_id=receipt.remote_id)
        return "published"

    def _transient(self, post_id: int, number: int, exc: TransientError, bound: Any) -> str:
        now = self.clock.now()
        decision = backoff.decide(
            number,
            self.config.max_attempts,
            now,
            self.config.backoff_base,
            self.config.backoff_cap,
            exc.retry_after,
            self.rand,
        )
        with transaction(self.sessions) as session:
            post = self._finish(session, post_id, "transient", str(exc), None)
            if decision.give_up:
                post.state = State.FAILED
                post.error = f"gave up after {number} attempts: {exc}"
                audit.record(
                    session,
                    "failed",
                    at=now,
                    post=post,
                    detail={"error": post.error, "attempts": number},
                )
                alerts.post_failed(session, post, post.error)
                bound.error("post.failed", action="failed", error=post.error)
                return "failed"
            post.state = State.APPROVED
            post.error = str(exc)
            post.next_attempt_at = decision.at
            audit.record(
                session,
                "retry_scheduled",
                at=now,
                post=post,
                detail={
                    "error": str(exc),
                    "attempt": number,
                    "next_attempt_at": decision.at.isoformat() if decision.at else None,
                },
            )
        bound.warning(
            "post.retry_scheduled", action="retry_scheduled", error=str(exc), attempt=number
        )
        return "retry"

    def _paused(self, post_id: int, exc: ChannelPaused, bound: Any) -> str:
        now = self.clock.now()
        until = exc.until or now + self.config.backoff_base
        with transaction(self.sessions) as session:
            post = self._finish(session, post_id, "paused", exc.reason, None)
            post.state = State.APPROVED
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
        bound.warning(
            "channel.paused", action="waiting", reason=exc.reason, until=until.isoformat()
        )
        return "waiting"

    def _failed(self, post_id: int, error: str, bound: Any) -> str:
        now = self.clock.now()
        with transaction(self.sessions) as session:
            post = self._finish(session, post_id, "permanent", error, None)
            post.state = State.FAILED
            post.error = error
            audit.record(session, "failed", at=now, post=post, detail={"error": error})
            alerts.post_failed(session, post, error)
        bound.error("post.failed", action="failed", error=error)
        return "failed"

    def _unknown(self, post_id: int, error: str, bound: Any) -> str:
        now = self.clock.now()
        with transaction(self.sessions) as session:
            post = self._finish(session, post_id, "unknown", error, None)
            post.state = State.UNKNOWN
            post.error = error
            audit.record(session, "unknown", at=now, post=post, detail={"error": error})
        bound.warning("post.unknown", action="unknown", error=error)
        return "unknown"


def mark_published(
    session: Session, post: Post, receipt: Receipt, now: datetime, action: str
) -> None:
    post.state = State.PUBLISHED
    post.remote_id = receipt.remote_id
    post.remote_url = receipt.remote_url
    post.published_at = now
    post.error = None
    post.waiting_reason = None
    post.next_attempt_at = None
    detail: dict[str, Any] = {
        "remote_id": receipt.remote_id,
        "remote_url": receipt.remote_url,
        "response": receipt.response,
    }
    if receipt.notes:
        detail["notes"] = list(receipt.notes)
    audit.record(session, action, at=now, post=post, detail=detail)
    if post.approved_at is not None:
        metrics.APPROVAL_TO_LIVE.labels(post.channel).observe(
            (now - post.approved_at).total_seconds()
        )


def pause_channel(
    session: Session, channel: str, reason: str, until: datetime, now: datetime
) -> None:
    state = session.get(ChannelState, channel)
    if state is None:
        state = ChannelState(channel=channel, healthy=True, detail={}, updated_at=now)
        session.add(state)
    state.paused_until = until
    state.reason = reason
    state.updated_at = now
    # every post of the channel that waits shows why
    session.execute(
        update(Post)
        .where(Post.channel == channel, Post.state.in_((State.APPROVED, State.SCHEDULED)))
        .values(waiting_reason=reason)
    )
