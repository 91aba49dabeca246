"""Keeping a claim alive while its send runs, and noticing when it was lost.

A claim's lease is short, so that a worker killed mid-send is noticed soon; a live worker
whose send takes longer than the lease (a slow platform, an image upload) pushes the lease
forward from a heartbeat thread. Only a worker that stops — killed, or frozen for longer
than the lease — lets its lease run out, and then the post is reconciled.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from types import TracebackType

import structlog
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.outbox.states import State
from bot.store.db import transaction
from bot.store.models import Post

log = structlog.get_logger("bot.outbox")


def extend(
    sessions: sessionmaker[Session], clock: Clock, post_id: int, worker: str, lease: timedelta
) -> bool:
    """Push the lease forward if this worker still holds the post; False if it does not."""
    now = clock.now()
    with transaction(sessions) as session:
        result = session.execute(
            update(Post)
            .where(
                Post.id == post_id,
                Post.state == State.PUBLISHING,
                Post.claimed_by == worker,
            )
            .values(lease_until=now + lease)
        )
        return bool(getattr(result, "rowcount", 0))


class Heartbeat:
    """``with Heartbeat(...):`` around a send; beats every third of the lease."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        post_id: int,
        worker: str,
        lease: timedelta,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.post_id = post_id
        self.worker = worker
        self.lease = lease
        self.every = max(lease.total_seconds() / 3, 0.05)
        #: set when a beat found the post no longer ours
        self.lost = False
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{post_id}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                held = extend(self.sessions, self.clock, self.post_id, self.worker, self.lease)
            except SQLAlchemyError as exc:  # a missed beat is fine; the lease has slack
                log.warning("lease.beat_failed", post_id=self.post_id, error=str(exc))
                continue
            self.beats += 1
            if not held:
                self.lost = True
                log.warning("lease.lost", post_id=self.post_id, worker=self.worker)
                return

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=max(self.every, 1.0) + 30.0)
