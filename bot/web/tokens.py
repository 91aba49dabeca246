"""API tokens: shown once, stored as sha256, revocable; one user's rights each."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.errors import UsageError
from bot.store.models import ApiToken, User
from bot.web.roles import Actor

PREFIX = "nbt_"
#: last_used_at is written at most this often per token
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user_id: int, name: str, now: datetime) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name or len(name) > 100:
        raise UsageError("token name: expected 1 to 100 characters")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user_id, name=name, token_hash=_hash(token), created_at=now)
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, token_id: int, user_id: int | None, now: datetime) -> bool:
    """Revoke one token; ``user_id`` limits it to that user's own (None: any, for admins)."""
    stmt = update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    return bool(session.execute(stmt.values(revoked_at=now)).rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class TokenOwner:
    actor: Actor
    token_id: int
    stale: bool


def find_token(session: Session, token: str, now: datetime) -> TokenOwner | None:
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _hash(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or row[1].disabled:
        return None
    api, user = row
    stale = api.last_used_at is None or now - api.last_used_at >= TOUCH_EVERY
    return TokenOwner(Actor(user.id, user.name, user.role), api.id, stale)


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
