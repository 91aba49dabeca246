"""Roles: viewer reads; editor also edits and decides; admin also manages the desk."""

from __future__ import annotations

from dataclasses import dataclass

RANK = {"viewer": 0, "editor": 1, "admin": 2}


def allows(role: str, needed: str) -> bool:
    return RANK.get(role, -1) >= RANK[needed]


@dataclass(frozen=True)
class Actor:
    """Who is asking: a signed-in person or the owner of an API token."""

    user_id: int
    name: str
    role: str
    #: the session token (dashboard) — CSRF tokens are derived from it; None for API calls
    session_token: str | None = None

    def can(self, needed: str) -> bool:
        return allows(self.role, needed)
