"""The outbox: claim a due post, send it through its channel, record what happened.

Each post moves in short transactions: claim (→ publishing under a lease, attempt row,
audit), then the send outside any transaction while a heartbeat keeps the lease, then the
outcome (→ published | approved with a persisted ``next_attempt_at`` | failed | unknown),
written only if this worker still holds the claim (``outcomes``) and retried when the
database hiccups (``durable``). A send whose outcome is unknown is never resent blindly:
``reconcile`` asks the channel first.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot import audit, metrics
from bot.channels.base import OutgoingPost, Publisher, Receipt
from bot.clock import Clock
from bot.errors import BotError, ChannelPaused, PermanentError, TransientError, UnknownOutcome
from bot.outbox import backoff, durable, outcomes
from bot.outbox.claims import claim_post, open_channels
from bot.outbox.lease import Heartbeat
from bot.outbox.outcomes import Claim
from bot.outbox.states import State
from bot.store.db import transaction
from bot.store.models import Attempt, Post

log = structlog.get_logger("bot.outbox")


@dataclass(frozen=True)
class OutboxConfig:
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(seconds=90)
    stale_after: timedelta = timedelta(hours=2)
    #: how long an unknown outcome waits before it is looked up, for a platform that may
    #: store a request a while after it stopped answering it. Zero (the default) looks at
    #: the next reconcile tick; `newsbot publish --once` then resolves it at once.
    settle: timedelta = timedelta(0)


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


def attempt_outcome(receipt: Receipt | None, error: BaseException | None) -> str:
    """What one send came to, as the attempts table and the metric name it."""
    if receipt is not None:
        return "published"
    if isinstance(error, ChannelPaused):
        return "paused"
    if isinstance(error, TransientError):
        return "transient"
    if isinstance(error, PermanentError):
        return "permanent"
    return "unknown"


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
        #: posts this outbox is sending right now (shutdown reports them)
        self.in_flight: set[int] = set()

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
                result = session.execute(
                    update(Post)
                    .where(
                        Post.id == post_id,
                        Post.state == State.PUBLISHING,
                        Post.claimed_by == self.worker,
                    )
                    .values(channel_data=data)
                )
            if not getattr(result, "rowcount", 0):
                # saved before the send goes out: a worker that lost the post must not send
                raise TransientError(f"post {post_id} is no longer claimed by {self.worker}")

        return persist

    # -- one post ---------------------------------------------------------------------
    def publish_one(self) -> str | None:
        """Claim and send one due post; returns the outcome, or None when nothing is due."""
        try:
            claimed = self.claim()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            # SQLite busy past its timeout: nothing was claimed; the next tick tries again
            log.warning("claim.busy", error=str(exc).splitlines()[0])
            return None
        if claimed is None:
            return None
        post, number = claimed
        claim = Claim(post.id, post.channel, self.worker, number)
        channel = self.channels[post.channel]
        item = outgoing(post, self._persist_channel_data(post.id))
        bound = log.bind(post_id=post.id, article_id=post.article_id, channel=post.channel)
        started = self.clock.now()
        self.in_flight.add(post.id)
        # whatever the channel logs while sending carries the post it is about
        context = structlog.contextvars.bind_contextvars(
            post_id=post.id, article_id=post.article_id, channel=post.channel
        )
        try:
            with Heartbeat(self.sessions, self.clock, post.id, self.worker, self.config.lease):
                receipt, error = self._send(channel, item, bound)
            if receipt is not None:
                metrics.PUBLISH_SECONDS.labels(post.channel).observe(
                    (self.clock.now() - started).total_seconds()
                )
            outcome = durable.write(
                lambda: self._record(claim, receipt, error), f"outcome of post {post.id}"
            )
        finally:
            structlog.contextvars.reset_contextvars(**context)
            self.in_flight.discard(post.id)
        metrics.ATTEMPTS.labels(post.channel, attempt_outcome(receipt, error)).inc()
        if outcome == "failed":
            metrics.POSTS_FAILED.labels(post.channel).inc()
        self._log(bound, outcome, receipt, error)
        return outcome

    @staticmethod
    def _send(
        channel: Publisher, item: OutgoingPost, bound: Any
    ) -> tuple[Receipt | None, BaseException | None]:
        try:
            return channel.publish(item), None
        except BotError as exc:
            return None, exc
        except Exception as exc:  # a bug in a channel must not leave the post in limbo
            bound.exception("publish.crashed")
            return None, UnknownOutcome(f"{exc.__class__.__name__}: {exc}")

    def _record(self, claim: Claim, receipt: Receipt | None, error: BaseException | None) -> str:
        """One transaction: the outcome of the send, if this worker still holds the post."""
        now = self.clock.now()
        with transaction(self.sessions) as session:
            if receipt is not None:
                return outcomes.published(session, claim, receipt, now)
            if isinstance(error, ChannelPaused):
                until = error.until or now + self.config.backoff_base
                return outcomes.paused(session, claim, error, until, now)
            if isinstance(error, TransientError):
                decision = backoff.decide(
                    claim.attempt,
                    self.config.max_attempts,
                    now,
                    self.config.backoff_base,
                    self.config.backoff_cap,
                    error.retry_after,
                    self.rand,
                )
                return outcomes.retry(session, claim, str(error), decision, now)
            if isinstance(error, PermanentError):
                return outcomes.failed(session, claim, str(error), now)
            return outcomes.unknown(session, claim, str(error), now, self.config.settle)

    @staticmethod
    def _log(
        bound: Any, outcome: str, receipt: Receipt | None, error: BaseException | None
    ) -> None:
        if outcome == "published":
            bound.info(
                "post.published", action="published", remote_id=receipt and receipt.remote_id
            )
        elif outcome == "failed":
            bound.error("post.failed", action="failed", error=str(error))
        elif outcome == "waiting":
            bound.warning("channel.paused", action="waiting", reason=str(error))
        elif outcome in ("retry", "unknown"):
            action = "retry_scheduled" if outcome == "retry" else "unknown"
            bound.warning(f"post.{action}", action=action, error=str(error))

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
