"""Admin actions in the audit trail: accounts, passwords, API tokens, sources.

Each writes one append-only event in the caller's transaction, with the person who did it
(the signed-in user, the token's owner, or ``cli`` for the command line, as `drafts` does).
The detail names what changed and never holds a secret: no password or hash, no token,
no credentials written into a feed URL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.orm import Session

from bot import audit
from bot.store.models import ApiToken, Source, User

#: the actor of a change made with the `newsbot` command (no signed-in user there)
CLI = "cli"


def plain_url(url: str) -> str:
    """The URL without ``user:password@`` (a feed behind basic auth)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def _record(session: Session, action: str, actor: str, now: datetime, **detail: Any) -> None:
    audit.record(session, action, at=now, actor=actor, detail=detail)


def user_added(session: Session, actor: str, user: User, now: datetime) -> None:
    _record(session, "user_added", actor, now, user_id=user.id, user=user.name, role=user.role)


def user_changed(session: Session, actor: str, user: User, now: datetime, **changes: Any) -> None:
    """``changes``: field → [before, after], e.g. ``role=["viewer", "editor"]``."""
    _record(session, "user_changed", actor, now, user_id=user.id, user=user.name, **changes)


def password_changed(session: Session, actor: str, user: User, now: datetime) -> None:
    _record(session, "password_changed", actor, now, user_id=user.id, user=user.name)


def source_added(session: Session, actor: str, source: Source, now: datetime) -> None:
    _record(
        session, "source_added", actor, now,
        source_id=source.id, url=plain_url(source.url),
        auto_approve=source.auto_approve, backfill=source.backfill,
    )  # fmt: skip


def source_removed(session: Session, actor: str, source: Source, now: datetime) -> None:
    _record(session, "source_removed", actor, now, source_id=source.id, url=plain_url(source.url))


def _token(token: ApiToken, owner: str) -> dict[str, Any]:
    expires = token.expires_at.isoformat() if token.expires_at else None
    return {"token_id": token.id, "label": token.name, "user": owner, "expires_at": expires}


def token_created(session: Session, actor: str, token: ApiToken, owner: str, now: datetime) -> None:
    _record(session, "token_created", actor, now, **_token(token, owner))


def token_revoked(session: Session, actor: str, token: ApiToken, owner: str, now: datetime) -> None:
    _record(session, "token_revoked", actor, now, **_token(token, owner))
