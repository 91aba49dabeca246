"""Signing in: argon2 passwords, attempts throttled per (account, address) (see
``throttle``), server-side sessions.

The session cookie carries a random token; the table keeps only its sha256, so a copy of
the database signs nobody in, and signing out ends the session everywhere at once.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.store.models import SignInAttempt, User, WebSession
from bot.users import hash_password, verify_password
from bot.web import throttle
from bot.web.roles import Actor

IDLE = timedelta(hours=12)
LIFETIME = timedelta(days=7)
#: a session's last_seen_at is written at most this often (a write per page would queue
#: every page behind the worker on SQLite)
TOUCH_EVERY = timedelta(minutes=5)


# verified against when the name is unknown, so a wrong name costs as long as a wrong password
@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long as known ones; made on
    first use, since argon2 takes a good part of a second of start-up otherwise."""
    return hash_password(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignIn:
    actor: Actor | None
    token: str | None = None
    #: set when refused for too many attempts: seconds until the next try is allowed
    retry_after: int | None = None


def sign_in(session: Session, name: str, password: str, address: str, now: datetime) -> SignIn:
    name = name.strip()[:100]
    address = address[:100]
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - timedelta(days=1)))
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    door = throttle.gate(session, name, address, now)
    throttle.forget_old(session, address, now)
    wait = door.wait(now)
    if wait is not None:
        return SignIn(None, retry_after=wait)
    user = session.scalar(select(User).where(User.name == name))
    ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    ok = ok and user is not None and not user.disabled
    door.record(ok, now)
    session.add(SignInAttempt(name=name, address=address, at=now, ok=ok))
    if not ok or user is None:
        return SignIn(None)
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + IDLE,
            address=address,
        )
    )
    return SignIn(Actor(user.id, user.name, user.role, token), token)


@dataclass(frozen=True)
class Found:
    actor: Actor
    stale: bool  # last_seen_at is old enough to be written again


def find_session(session: Session, token: str, now: datetime) -> Found | None:
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    web, user = row
    if user.disabled or web.expires_at <= now or web.created_at + LIFETIME <= now:
        return None
    return Found(Actor(user.id, user.name, user.role, token), now - web.last_seen_at >= TOUCH_EVERY)


def touch(session: Session, token: str, now: datetime) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == token_hash(token))
        .values(last_seen_at=now, expires_at=now + IDLE)
    )


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def end_sessions_of(session: Session, user_id: int) -> None:
    """A disabled account or a changed role signs out everywhere."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def end_other_sessions(session: Session, user_id: int, keep: str | None) -> None:
    """A changed password signs out every other session of the account (a thief's too)."""
    stmt = delete(WebSession).where(WebSession.user_id == user_id)
    if keep:
        stmt = stmt.where(WebSession.token_hash != token_hash(keep))
    session.execute(stmt)
