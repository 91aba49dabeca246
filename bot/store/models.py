"""SQLAlchemy 2 models: sources, articles, posts, attempts, audit events, users.

Times are stored as naive UTC and always come back aware (``UTCDateTime``), so SQLite and
PostgreSQL behave the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(String(500))
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    #: draft the N newest items of the first poll whatever their age
    backfill: Mapped[int] = mapped_column(Integer, default=0)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    failures_in_row: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(index=True)
    #: a poller's lease: several replicas never poll one feed at once
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("source_id", "guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    guid: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str] = mapped_column(String(2048))
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    body: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(2048))
    #: the candidate quotes of the article, best first: [{"text", "speaker"}]
    quotes: Mapped[list[Any]] = mapped_column(default=list)
    #: new (to draft) | drafting | drafted | old (stored, not drafted) | failed
    status: Mapped[str] = mapped_column(String(20), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    drafted_at: Mapped[datetime | None]

    source: Mapped[Source | None] = relationship()


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("article_id", "channel"),
        Index("ix_posts_due", "state", "next_attempt_at"),
        # the dashboard's queue: articles by state, newest first, channel without a lookup
        Index("ix_posts_queue", "state", "article_id", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), index=True)
    text: Mapped[str] = mapped_column(Text)
    key_quote: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    hashtags: Mapped[list[Any]] = mapped_column(default=list)
    scheduled_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_attempt_at: Mapped[datetime | None]
    remote_id: Mapped[str | None] = mapped_column(String(200))
    remote_url: Mapped[str | None] = mapped_column(String(2048))
    error: Mapped[str | None] = mapped_column(Text)
    #: why an approved post is not going out yet (quota, session down)
    waiting_reason: Mapped[str | None] = mapped_column(Text)
    channel_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(100))
    last_edited_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    article: Mapped[Article] = relationship()


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    #: published | transient | paused | permanent | unknown | found | not_found
    outcome: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditEvent(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40), index=True)
    post_id: Mapped[int | None] = mapped_column(Integer, index=True)
    article_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: sha256 of the token; the token itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: refused from this time on, like a revoked token; None: no expiry
    expires_at: Mapped[datetime | None]


class ChannelState(Base):
    """Per channel: paused until a time with a reason (quota, credits, session down)."""

    __tablename__ = "channel_state"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    paused_until: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    healthy: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class ChannelUsage(Base):
    """Posts sent and money spent per channel per UTC day (quota and budget)."""

    __tablename__ = "channel_usage"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD (UTC)
    posts: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)


class Subscriber(Base):
    """WhatsApp Cloud API subscribers who opted in to receive the newsroom's updates."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), unique=True)
    opted_in_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    #: the reader's own time (the webhook's timestamp) of the last START/STOP applied: an
    #: older one arriving later (a resend, a replay) changes nothing
    consent_at: Mapped[datetime | None]


class SubscriberSend(Base):
    """One Cloud API message per post per subscriber: the idempotency of a fan-out."""

    __tablename__ = "subscriber_sends"
    __table_args__ = (UniqueConstraint("post_id", "subscriber_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    message_id: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime]


class WebhookEvent(Base):
    """A Cloud API webhook event already applied (message id, or status id and status)."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(250), unique=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class WebSession(Base):
    """A signed-in dashboard session; the cookie holds the token, the table its sha256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    address: Mapped[str | None] = mapped_column(String(100))


class SignInAttempt(Base):
    """Every sign-in try, kept a day: the rate limit per account and per address reads it."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_name_at", "name", "at"),
        Index("ix_sign_in_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean, default=False)


class SignInThrottle(Base):
    """Failed sign-ins in a row, per (address, account) and per address over all accounts,
    and until when that pair or address must wait. A row is locked while an attempt is
    checked and recorded, so concurrent tries cannot all slip under the limit."""

    __tablename__ = "sign_in_throttles"

    address: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: "account:NAME" for one account from this address, "address" for all of them
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


class TickHeartbeat(Base):
    """When each worker's periodic ticks last ran, so any process can tell whether the
    workers are alive (``/readyz`` of a web-only process, the tick-age metric)."""

    __tablename__ = "tick_heartbeats"

    worker: Mapped[str] = mapped_column(String(100), primary_key=True)
    tick: Mapped[str] = mapped_column(String(40), primary_key=True)
    interval_seconds: Mapped[float] = mapped_column(Float)
    #: when the tick last finished (before its first run: when its worker started)
    last_finished_at: Mapped[datetime | None]
    #: set while the tick is running (a long poll round is busy, not dead)
    running_since: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    #: when the worker last wrote this row; rows of workers gone for a day are pruned
    seen_at: Mapped[datetime] = mapped_column(index=True)
