"""Cloud API subscribers: opt-in and opt-out, and the one-row-per-post-per-subscriber ledger.

A ``SubscriberSend`` row is written (``sending``) and committed before its message goes
out. Meta's Cloud API has no idempotency key, so a row left ``sending`` (a crash) or
``unknown`` (a timeout) is never sent again: at most one message per post per subscriber.
Status webhooks move rows forward: sent → delivered → read, or failed.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.store.models import Subscriber, SubscriberSend

#: rows in these states are done: never sent again
DONE = ("sent", "delivered", "read", "failed", "unknown", "skipped")
DELIVERED = ("sent", "delivered", "read")
_RANK = {"pending": 0, "sending": 0, "unknown": 0, "sent": 1, "delivered": 2, "read": 3}

OPTED_IN = and_(
    Subscriber.opted_in_at.is_not(None),
    or_(Subscriber.opted_out_at.is_(None), Subscriber.opted_out_at < Subscriber.opted_in_at),
)


def _subscriber(session: Session, phone: str, now: datetime) -> Subscriber:
    found = session.scalar(select(Subscriber).where(Subscriber.phone == phone))
    if found is None:
        found = Subscriber(phone=phone, created_at=now)
        session.add(found)
    return found


def newer(at: datetime, last: datetime | None) -> bool:
    """A START/STOP sent at ``at`` wins over the last one applied (sent at ``last``)."""
    return last is None or at >= last


def opt_in(session: Session, phone: str, now: datetime, at: datetime | None = None) -> bool:
    """Opt in as of ``at`` (the reader's time; ``now`` if unknown); False if a later
    START or STOP was applied already."""
    subscriber = _subscriber(session, phone, now)
    at = at or now
    if not newer(at, subscriber.consent_at):
        return False
    subscriber.opted_in_at, subscriber.opted_out_at, subscriber.consent_at = now, None, at
    return True


def opt_out(session: Session, phone: str, now: datetime, at: datetime | None = None) -> bool:
    # a refusal from someone never subscribed is kept too: they must not be added later
    subscriber = _subscriber(session, phone, now)
    at = at or now
    if not newer(at, subscriber.consent_at):
        return False
    subscriber.opted_out_at, subscriber.consent_at = now, at
    return True


def opted_in_count(session: Session) -> int:
    return len(list(session.scalars(select(Subscriber.id).where(OPTED_IN))))


def prepare_fanout(session: Session, post_id: int, now: datetime) -> list[tuple[int, str]]:
    """The (subscriber id, phone) pairs this post still has to reach, rows made for each.

    Rows left ``sending`` by an interrupted run become ``unknown``; subscribers who
    opted out since their row was made are ``skipped``.
    """
    rows = {
        row.subscriber_id: row
        for row in session.scalars(select(SubscriberSend).where(SubscriberSend.post_id == post_id))
    }
    for row in rows.values():
        if row.status == "sending":
            row.status, row.updated_at = "unknown", now
    listed = session.execute(select(Subscriber.id, Subscriber.phone).where(OPTED_IN)).all()
    opted_in: dict[int, str] = {row[0]: row[1] for row in listed}
    for subscriber_id in opted_in.keys() - rows.keys():
        row = SubscriberSend(
            post_id=post_id, subscriber_id=subscriber_id, status="pending", updated_at=now
        )
        session.add(row)
        rows[subscriber_id] = row
    due = []
    for subscriber_id, row in sorted(rows.items()):
        if row.status != "pending":
            continue
        if subscriber_id in opted_in:
            due.append((subscriber_id, opted_in[subscriber_id]))
        else:
            row.status, row.updated_at = "skipped", now
    return due


def set_status(
    session: Session,
    *,
    post_id: int,
    subscriber_id: int,
    status: str,
    now: datetime,
    message_id: str | None = None,
) -> None:
    row = session.scalar(
        select(SubscriberSend).where(
            SubscriberSend.post_id == post_id, SubscriberSend.subscriber_id == subscriber_id
        )
    )
    if row is None:
        return
    row.status, row.updated_at = status, now
    if message_id:
        row.message_id = message_id


def fanout_counts(session: Session, post_id: int) -> Counter[str]:
    statuses = session.scalars(
        select(SubscriberSend.status).where(SubscriberSend.post_id == post_id)
    )
    return Counter(statuses)


def fanout_complete(session: Session, post_id: int) -> bool:
    """Every opted-in subscriber has a row for this post and none is waiting to be sent."""
    counts = fanout_counts(session, post_id)
    if counts.get("pending") or counts.get("sending"):
        return False
    have = set(
        session.scalars(
            select(SubscriberSend.subscriber_id).where(SubscriberSend.post_id == post_id)
        )
    )
    wanted = set(session.scalars(select(Subscriber.id).where(OPTED_IN)))
    return wanted <= have


def advances(current: str, new: str) -> bool:
    """Statuses only move forward; ``failed`` ends anything not yet delivered."""
    if new == "failed":
        return current not in ("delivered", "read", "failed")
    if current == "failed":
        return False
    return _RANK.get(new, 0) > _RANK.get(current, 0)


def apply_status(
    session: Session,
    message_id: str,
    status: str,
    callback: tuple[int, int] | None,
    now: datetime,
) -> SubscriberSend | None:
    """Move the row of ``message_id`` to ``status``; the row, or None if not ours.

    The callback (post, subscriber) finds rows whose send answer never arrived (a
    timeout left them ``unknown``) or has not been written yet.
    """
    row = session.scalar(select(SubscriberSend).where(SubscriberSend.message_id == message_id))
    if row is None and callback is not None:
        row = session.scalar(
            select(SubscriberSend).where(
                SubscriberSend.post_id == callback[0],
                SubscriberSend.subscriber_id == callback[1],
            )
        )
        if row is not None and row.message_id not in (None, message_id):
            return None  # a different message for the same pair: not this row
    if row is None:
        return None
    row.message_id = message_id
    if advances(row.status, status):
        row.status, row.updated_at = status, now
    return row
