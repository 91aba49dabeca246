"""A poll round: feeds fetched concurrently, each stored the moment it is in, drafting alongside.

One slow feed holds one thread of the pool until the fetch deadline, nothing else: every
source's result is stored in its own transaction as soon as its fetch ends, free threads
take the next due sources, and drafting runs in a thread of its own, woken by each store,
so the articles of a fast feed are drafted while a slow one is still being read. Sources
are claimed with the same lease as before (``claim_sources``), so replicas share the work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.outbox.claims import claim_sources
from bot.sources.poll import Fetched, PollResult, apply_poll
from bot.store.db import transaction
from bot.store.models import Source

#: url, etag, last_modified -> what the fetch brought back (runs in a pool thread)
FetchOne = Callable[[str, str | None, str | None], Fetched]


class DraftAlongside:
    """Runs ``draft`` in its own thread each time it is woken, and once more at the end."""

    def __init__(self, draft: Callable[[], object]) -> None:
        self._draft = draft
        self._woken = threading.Event()
        self._finishing = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="draft", daemon=True)

    def __enter__(self) -> DraftAlongside:
        self._thread.start()
        self.wake()  # articles left from an earlier round need no new feed item
        return self

    def wake(self) -> None:
        self._woken.set()

    def _run(self) -> None:
        while True:
            self._woken.wait()
            self._woken.clear()
            last = self._finishing
            try:
                self._draft()
            except BaseException as exc:  # raised in the round's own thread at exit
                self._error = exc
                return
            if last:
                return

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._finishing = True
        self._woken.set()
        self._thread.join()
        if self._error is not None and error is None:
            raise self._error


def _claim(
    sessions: sessionmaker[Session], worker: str, now: datetime, lease: timedelta, limit: int
) -> list[tuple[int, str, str | None, str | None]]:
    with transaction(sessions) as session:
        ids = claim_sources(session, worker, now, lease, limit)
        return [
            (i, src.url, src.etag, src.last_modified)
            for i in ids
            if (src := session.get(Source, i)) is not None
        ]


def _store(
    sessions: sessionmaker[Session],
    source_id: int,
    outcome: Fetched,
    now: datetime,
    interval: timedelta,
    max_age: timedelta,
) -> PollResult | None:
    with transaction(sessions) as session:
        source = session.get(Source, source_id)
        if source is None:  # removed while we fetched it
            return None
        result = apply_poll(session, source, outcome, now, max_age)
        source.next_poll_at = now + interval
        source.claimed_by = None
        source.lease_until = None
        return result


def poll_sources(
    sessions: sessionmaker[Session],
    clock: Clock,
    worker: str,
    fetch_one: FetchOne,
    *,
    lease: timedelta,
    interval: timedelta,
    max_age: timedelta,
    concurrency: int,
    stop: threading.Event | None = None,
    stored: Callable[[PollResult], None] = lambda _result: None,
) -> dict[int, PollResult]:
    """Poll every due source, ``concurrency`` at a time; ``stored`` hears of each result."""
    results: dict[int, PollResult] = {}
    running: dict[Future[Fetched], int] = {}
    claiming = True
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="poll") as pool:
        while True:
            # claim in handfuls, not one by one: each claim is a write transaction
            free = concurrency - len(running)
            if claiming and not (stop and stop.is_set()) and free >= max(concurrency // 2, 1):
                batch = _claim(sessions, worker, clock.now(), lease, free)
                claiming = bool(batch)  # nothing due now: finish what runs, then stop
                for source_id, url, etag, last_modified in batch:
                    running[pool.submit(fetch_one, url, etag, last_modified)] = source_id
            if not running:
                return results
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                source_id = running.pop(future)
                result = _store(
                    sessions, source_id, future.result(), clock.now(), interval, max_age
                )
                if result is not None:
                    results[source_id] = result
                    stored(result)
