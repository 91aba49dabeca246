"""The X channel's rows: usage counters (``ChannelUsage``) and X's limit (``ChannelState``).

A post's place under the cap is *reserved* before the send, in one transaction that locks
today's counter row, so two workers (or two replicas) cannot both take the last slot. A
send that surely did not go out gives its place back; one that may have gone out keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.x import quota
from bot.channels.x.settings import XSettings
from bot.store import upsert
from bot.store.db import transaction
from bot.store.models import ChannelState, ChannelUsage

CHANNEL = "x"


@dataclass(frozen=True)
class Reservation:
    day: str
    cost: float

    def as_data(self) -> dict[str, Any]:
        return {"day": self.day, "cost": self.cost}

    @classmethod
    def from_data(cls, data: Any) -> Reservation | None:
        if isinstance(data, dict) and isinstance(data.get("day"), str):
            return cls(data["day"], float(data.get("cost", 0.0)))
        return None


def _insert_missing(session: Session, model: Any, values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two workers may create the same row at once."""
    session.execute(upsert.insert(session, model).values(**values).on_conflict_do_nothing())


def _usage(session: Session, now: datetime, lock: bool = False) -> tuple[ChannelUsage, quota.Usage]:
    day = quota.day_key(now)
    _insert_missing(
        session, ChannelUsage, {"channel": CHANNEL, "day": day, "posts": 0, "cost": 0.0}
    )
    stmt = select(ChannelUsage).where(ChannelUsage.channel == CHANNEL, ChannelUsage.day == day)
    row = session.scalars(stmt.with_for_update() if lock else stmt).one()
    month_cost = session.scalar(
        select(func.coalesce(func.sum(ChannelUsage.cost), 0.0)).where(
            ChannelUsage.channel == CHANNEL, ChannelUsage.day.like(quota.month_key(now) + "-%")
        )
    )
    return row, quota.Usage(row.posts, float(month_cost or 0.0))


def reserve(
    sessions: sessionmaker[Session], settings: XSettings, cost: float, now: datetime
) -> Reservation | quota.Pause:
    """Count one more post today, unless the cap or the budget says no."""
    with transaction(sessions) as session:
        row, usage = _usage(session, now, lock=True)
        pause = quota.blocked(usage, settings, cost, now)
        if pause is not None:
            return pause
        row.posts += 1
        row.cost += cost
        return Reservation(row.day, cost)


def release(sessions: sessionmaker[Session], reservation: Reservation) -> None:
    with transaction(sessions) as session:
        session.execute(
            update(ChannelUsage)
            .where(ChannelUsage.channel == CHANNEL, ChannelUsage.day == reservation.day)
            .values(
                posts=case((ChannelUsage.posts > 0, ChannelUsage.posts - 1), else_=0),
                cost=case(
                    (ChannelUsage.cost > reservation.cost, ChannelUsage.cost - reservation.cost),
                    else_=0.0,
                ),
            )
        )


def current(sessions: sessionmaker[Session], now: datetime) -> quota.Usage:
    with transaction(sessions) as session:
        return _usage(session, now)[1]


# -- health and X's own limit -----------------------------------------------------------


def _state(session: Session, now: datetime) -> ChannelState:
    _insert_missing(
        session,
        ChannelState,
        {"channel": CHANNEL, "healthy": True, "detail": {}, "updated_at": now},
    )
    return session.scalars(select(ChannelState).where(ChannelState.channel == CHANNEL)).one()


def note_x_limit(sessions: sessionmaker[Session], now: datetime, headers: dict[str, str]) -> None:
    """Keep what X last said about the account's 24-hour post limit."""
    remaining = headers.get("x-user-limit-24hour-remaining")
    if remaining is None or not remaining.strip().isdigit():
        return
    with transaction(sessions) as session:
        state = _state(session, now)
        detail = dict(state.detail or {})
        detail["x_user_limit"] = {
            "limit": headers.get("x-user-limit-24hour-limit"),
            "remaining": int(remaining),
            "reset": headers.get("x-user-limit-24hour-reset"),
        }
        state.detail = detail
        state.updated_at = now


def state_detail(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """What the channel's state row says: health, X's limit as last seen, any pause."""
    with sessions() as session:
        state = session.get(ChannelState, CHANNEL)
        if state is None:
            return {"healthy": True}
        detail = dict(state.detail or {})
        detail["healthy"] = state.healthy
        if state.paused_until is not None:
            detail["paused_until"] = state.paused_until
            detail["paused_reason"] = state.reason
        return detail


def x_limit(detail: dict[str, Any]) -> tuple[int | None, datetime | None]:
    """X's 24-hour post limit as its last answer reported it: (remaining, reset)."""
    seen = detail.get("x_user_limit") or {}
    remaining, reset = seen.get("remaining"), str(seen.get("reset") or "")
    at = datetime.fromtimestamp(int(reset), UTC) if reset.isdigit() else None
    return (remaining if isinstance(remaining, int) else None), at
