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
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.sources.alongside import DraftAlongside
from bot.sources.poll import Fetched, PollResult, apply_poll, fetch_source
from bot.store.claim import claim
from bot.store.db import transaction
from bot.store.models import Source

#: url, etag, last_modified -> what the fetch brought back (runs in a pool thread)
FetchOne = Callable[[str, str | None, str | None], Fetched]


@dataclass(frozen=True)
class PollPolicy:
    lease: timedelta  # how long a claimed source is ours
    interval: timedelta  # NEWSBOT_POLL_INTERVAL
    max_age: timedelta  # NEWSBOT_MAX_AGE: older items are stored, not drafted
    max_feed_bytes: int
    #: feeds fetched at once
    concurrency: int = 16


def claim_sources(
    session: Session, worker: str, now: datetime, lease: timedelta, limit: int = 1
) -> list[int]:
    """Up to ``limit`` sources due for polling, leased so no other replica polls them."""
    condition = and_(
        or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now),
        or_(Source.lease_until.is_(None), Source.lease_until < now),
    )
    return claim(
        session,
        Source.id,
        condition,
        (Source.next_poll_at, Source.id),
        {"claimed_by": worker, "lease_until": now + lease},
        limit=limit,
    )


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


def poll_due(
    sessions: sessionmaker[Session],
    client: httpx.Client,
    clock: Clock,
    worker: str,
    policy: PollPolicy,
    draft: Callable[[], object],
    stop: threading.Event | None = None,
    force: bool = False,
) -> dict[int, PollResult]:
    """Poll every due source (every source with ``force``), drafting what is new as each
    feed is stored: a slow feed delays neither the other feeds nor their drafts."""
    if force:
        with transaction(sessions) as session:
            session.execute(update(Source).values(next_poll_at=None))
    with DraftAlongside(draft) as drafting:
        return poll_sources(
            sessions,
            clock,
            worker,
            lambda url, etag, modified: fetch_source(
                client, url, etag, modified, policy.max_feed_bytes
            ),
            lease=policy.lease,
            interval=policy.interval,
            max_age=policy.max_age,
            concurrency=policy.concurrency,
            stop=stop,
            stored=lambda result: drafting.wake() if result.new else None,
        )
