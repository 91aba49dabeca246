"""The audit trail: one append-only event per state change, written in the same transaction.

Actions (extend the list, never rename): drafted, edited, approved, scheduled, rejected,
expired, claimed, published, retry_scheduled, failed, unknown, reconciled, withdrawn,
retried, held, waiting, delivery (Cloud API status webhooks), image_dropped, duplicate
(a second copy of a post reached the platform: a person deletes one); admin actions
(``bot/admin_audit.py``): user_added, user_changed, password_changed, source_added,
source_removed, token_created, token_revoked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import AuditEvent, Post

ACTIONS = (
    "drafted",
    "edited",
    "approved",
    "scheduled",
    "rejected",
    "expired",
    "claimed",
    "published",
    "retry_scheduled",
    "failed",
    "unknown",
    "reconciled",
    "withdrawn",
    "retried",
    "held",
    "waiting",
    "delivery",
    "image_dropped",
    "duplicate",
    "withdraw_failed",
    "user_added",
    "user_changed",
    "password_changed",
    "source_added",
    "source_removed",
    "token_created",
    "token_revoked",
)

SYSTEM = "system"


def record(
    session: Session,
    action: str,
    *,
    at: datetime,
    actor: str = SYSTEM,
    post: Post | None = None,
    article_id: int | None = None,
    channel: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        post_id=post.id if post is not None else None,
        article_id=post.article_id if post is not None else article_id,
        channel=post.channel if post is not None else channel,
        detail=detail or {},
    )
    session.add(event)
    return event


def query(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    post_id: int | None = None,
    actions: Sequence[str] = (),
    actor: str | None = None,
    channel: str | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[AuditEvent]:
    stmt = select(AuditEvent)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    if post_id is not None:
        stmt = stmt.where(AuditEvent.post_id == post_id)
    if actions:
        stmt = stmt.where(AuditEvent.action.in_(actions))
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    if channel:
        stmt = stmt.where(AuditEvent.channel == channel)
    order = AuditEvent.id.desc() if newest_first else AuditEvent.id
    stmt = stmt.order_by(order)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def to_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "post_id": event.post_id,
        "article_id": event.article_id,
        "channel": event.channel,
        "detail": event.detail,
    }
