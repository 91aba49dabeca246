"""What can be asked of the desk, and what it answers: plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class Keep(Enum):
    """An edit leaves this field as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class Approve:
    """Approve now."""

    post_id: int


@dataclass(frozen=True)
class Schedule:
    """Approve for a time typed in the newsroom's zone (or ISO with an offset)."""

    post_id: int
    at: str


@dataclass(frozen=True)
class Reject:
    post_id: int
    note: str


@dataclass(frozen=True)
class Edit:
    """New words, key quote (``{"text", "speaker"}`` or None) and hashtags; KEEP: unchanged."""

    post_id: int
    text: str | Keep = KEEP
    key_quote: dict[str, Any] | Keep | None = KEEP
    hashtags: list[str] | Keep = KEEP


@dataclass(frozen=True)
class Withdraw:
    post_id: int
    reason: str = ""


@dataclass(frozen=True)
class Retry:
    post_id: int


@dataclass(frozen=True)
class AddSource:
    url: str
    auto_approve: bool = False
    backfill: int = 0
    #: a feed file on the server's disk: the CLI's business, never a form's or a token's
    allow_files: bool = False
    #: who asks: the signed-in admin, the token's owner, or ``cli`` (no default: the
    #: audit must never guess)
    actor: str = field(kw_only=True)


@dataclass(frozen=True)
class RemoveSource:
    source_id: int
    actor: str = field(kw_only=True)


@dataclass(frozen=True)
class PostResult:
    post_id: int
    state: str
    scheduled_at: datetime | None = None
    #: False when an edit changed nothing (no audit row was written)
    changed: bool = True


@dataclass(frozen=True)
class SourceResult:
    source_id: int
    url: str
    auto_approve: bool
    backfill: int
