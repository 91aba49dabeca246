"""API tokens: shown once, stored as sha256, revocable, optionally expiring; one user's
rights each. An expired token is refused like a revoked one."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.errors import UsageError
from bot.store.models import ApiToken, User
from bot.web.roles import Actor

PREFIX = "nbt_"
#: last_used_at is written at most this often per token
TOUCH_EVERY = timedelta(minutes=1)


_LIFETIME = re.compile(r"(\d{1,5})([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
#: the longest expiry a token can be given (and the `--expires` of about ten years)
MAX_LIFETIME = timedelta(days=3660)


def parse_lifetime(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w`` → how long a new token stays valid."""
    found = _LIFETIME.fullmatch(text.strip().lower())
    if found is None or int(found.group(1)) == 0:
        raise UsageError(f"--expires: expected a duration such as 90d, 12h or 2w, not {text!r}")
    lifetime = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    if lifetime > MAX_LIFETIME:
        raise UsageError("--expires: at most 3660d; leave it out for a token that never expires")
    return lifetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session,
    user_id: int,
    name: str,
    now: datetime,
    lifetime: timedelta | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user_id``; with ``lifetime``, refused from ``now + lifetime`` on."""
    name = name.strip()
    if not name or len(name) > 100:
        raise UsageError("token name: expected 1 to 100 characters")
    token = PREFIX + secrets.token_urlsafe(32)
    expires_at = now + lifetime if lifetime is not None else None
    row = ApiToken(
        user_id=user_id, name=name, token_hash=_hash(token), created_at=now, expires_at=expires_at
    )
    session.add(row)
    session.flush()
    return row, token


def revoke_token(
    session: Session, token_id: int, user_id: int | None, now: datetime
) -> ApiToken | None:
    """Revoke one token; ``user_id`` limits it to that user's own (None: any, for admins).
    The token revoked, or None if there was no such live token."""
    stmt = update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    if not session.execute(stmt.values(revoked_at=now)).rowcount:  # type: ignore[attr-defined]
        return None
    return session.get(ApiToken, token_id)


def expired(token: ApiToken, now: datetime) -> bool:
    return token.expires_at is not None and token.expires_at <= now


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
        .where(
            ApiToken.token_hash == _hash(token),
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    ).first()
    if row is None or row[1].disabled:
        return None
    api, user = row
    stale = api.last_used_at is None or now - api.last_used_at >= TOUCH_EVERY
    return TokenOwner(Actor(user.id, user.name, user.role), api.id, stale)


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
