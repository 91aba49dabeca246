"""What the channel contract suite needs from each backend: a small adapter over its fake.

One adapter file per backend (``x_adapter.py``, ``waha_adapter.py``, ``cloud_adapter.py``);
a new channel adds one and lists it in ``backends.py``. The adapter knows its fake (how to
start it, inject a fault, count what the platform stored) and what its platform promises
(the wait it asks for, what exactly-once means there); the suite drives the real
publisher and the real outbox engine the same way for all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class Lost:
    """Where a post stands after a send whose answer never came, and how it ends."""

    #: the post's state right after the send: ``unknown`` where the platform can be asked
    #: afterwards; ``approved`` (retry) where it cannot and the backend keeps a ledger
    state: str
    #: posts on the platform at the end: one wherever the platform makes that possible
    final_stored: int


class Backend(Protocol):
    #: the test id: x, whatsapp-waha, whatsapp-cloud
    id: str
    #: the channel it publishes for (the registry's name)
    channel: str

    def running(self) -> AbstractContextManager[Any]:
        """Start the fake for one test (and check it saw no request its spec refuses)."""
        ...

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """The channel's settings group, aimed at the running fake."""
        ...

    def env(self, **overrides: str) -> dict[str, str]:
        """The same as environment variables, for ``newsbot check`` in a subprocess."""
        ...

    def bad_credentials(self) -> dict[str, Any]:
        """Overrides that make the platform refuse who we are."""
        ...

    def bad_env(self) -> dict[str, str]:
        """The same as environment variables."""
        ...

    def prepare(self, sessions: sessionmaker[Session]) -> None:
        """Anything the platform needs in the store before a post can go (subscribers)."""
        ...

    def stored(self) -> int:
        """Posts the platform holds now (not deleted)."""
        ...

    def transient(self) -> float:
        """Make the next send fail for now; return the wait the platform asked for (s)."""
        ...

    def permanent(self) -> str:
        """Make the next send fail for good; return the platform's own message."""
        ...

    def lose_answer(self, stored: bool) -> Lost:
        """Make the next send time out, after the platform stored it or before."""
        ...

    def at_limit(self) -> str:
        """A text exactly at the limit by the platform's own count."""
        ...

    def withdraw_refused(self) -> str | None:
        """Why the platform cannot take a post back, or None when it can."""
        ...

    def deleted(self) -> int:
        """Posts taken down on the platform."""
        ...


Backends = Iterator[Backend]
