"""Cloud API webhook replays: each event is applied once, and none older than we remember.

Meta resends a webhook until it gets a 200 (for up to seven days), and anyone holding a
signed body can post it again: the signature has no time in it. Each event's id is kept
(``webhook_events``, unique), so a resent one changes nothing. Ids are kept for ``KEEP``;
an event whose own timestamp is older than that is refused as stale, since its id may have
been forgotten.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.models import WebhookEvent

KEEP = timedelta(days=30)


def stale(at: datetime, now: datetime) -> bool:
    return at < now - KEEP


def message_key(message_id: str) -> str:
    return f"message:{message_id}"[:250]


def status_key(message_id: str, status: str) -> str:
    # one message has several statuses (sent, delivered, read): each is its own event
    return f"status:{message_id}:{status}"[:250]


def first_time(session: Session, key: str, now: datetime) -> bool:
    """Record ``key``; True the first time, False if it was already applied.

    One INSERT … ON CONFLICT DO NOTHING: on PostgreSQL a concurrent copy of the same
    event waits for the first transaction and then finds the key taken.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(WebhookEvent)
        .values(key=key, received_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(WebhookEvent.id)
    )
    # RETURNING, not rowcount: the drivers do not agree on a rowcount here
    return session.execute(stmt).scalar() is not None


def forget_old(session: Session, now: datetime) -> None:
    session.execute(delete(WebhookEvent).where(WebhookEvent.received_at < now - KEEP))
