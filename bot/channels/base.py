"""The channel publisher protocol: one shape for every channel and the dry run.

Implementations do I/O only: they say what happened (a receipt and its notes, health
through the ``OnHealth`` callback they are built with) and write nothing to the desk's
audit or state themselves. They classify every failure into the three errors of
``bot.errors`` (``TransientError`` — with ``ChannelPaused`` for "the channel is closed
for now" — ``PermanentError`` and ``UnknownOutcome``); the outbox decides what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class OutgoingPost:
    """What a channel needs to send one post; plain data, no database objects."""

    post_id: int
    article_id: int
    channel: str
    text: str
    title: str
    url: str
    image_url: str | None = None
    key_quote: str | None = None
    speaker: str | None = None
    hashtags: tuple[str, ...] = ()
    #: stable per post: the same on every attempt, so a retry can be matched
    idempotency_key: str = ""
    #: when the earliest attempt of this post started; ``find`` looks from there
    first_attempt_at: datetime | None = None
    #: channel-owned scratch state persisted with the post (a reserved message id, say)
    channel_data: dict[str, Any] = field(default_factory=dict)
    #: saves ``channel_data`` durably *before* the send goes out
    persist: Callable[[dict[str, Any]], None] = field(default=lambda _data: None, repr=False)


@dataclass(frozen=True)
class Receipt:
    """The platform's answer to a successful send."""

    channel: str
    remote_id: str
    remote_url: str | None = None
    #: what the platform answered, for the audit (never credentials)
    response: dict[str, Any] = field(default_factory=dict)
    #: anything the send wants noted in the audit ("image dropped: too large")
    notes: tuple[str, ...] = ()
    #: events the desk records in the audit beside the send: (action, detail)
    events: tuple[tuple[str, dict[str, Any]], ...] = ()


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str
    #: what the dashboard and ``newsbot check`` show: account, quota, session status
    data: dict[str, Any] = field(default_factory=dict)


#: how a channel reports its health: (healthy, detail); ``detail["error"]`` says why not
OnHealth = Callable[[bool, dict[str, Any]], None]


def ignore_health(_healthy: bool, _detail: dict[str, Any]) -> None:
    """For a publisher built without a place to record its health (tests, one-off checks)."""


@runtime_checkable
class Publisher(Protocol):
    name: str

    def publish(self, post: OutgoingPost) -> Receipt:
        """Send the post. Raises TransientError, ChannelPaused, PermanentError or UnknownOutcome."""
        ...

    def find(self, post: OutgoingPost) -> Receipt | None:
        """Look the post up on the platform (after an unknown outcome); None if not there."""
        ...

    def delete(self, receipt: Receipt) -> None:
        """Take a published post down (correction, takedown)."""
        ...

    def check(self) -> Health:
        """Reach the platform and say whether posts can go out, and as whom."""
        ...

    def watch(self) -> Health | None:
        """Look at the platform when a look is due and report it (None: no look now)."""
        ...

    def close(self) -> None:
        """Let go of connections; the runtime calls it on the way out."""
        ...
