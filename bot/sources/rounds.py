"""A poll round: claim due sources in batches, fetch their feeds concurrently, store what
is new. Any number of replicas may run it; a claimed source is polled by one of them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.sources.poll import PollResult, apply_poll, fetch_source
from bot.store.claim import claim
from bot.store.db import transaction
from bot.store.models import Source

#: feeds fetched at once, and claimed per transaction
POLL_CONCURRENCY = 16
POLL_BATCH = 64


@dataclass(frozen=True)
class PollPolicy:
    lease: timedelta  # how long a claimed source is ours
    interval: timedelta  # NEWSBOT_POLL_INTERVAL
    max_age: timedelta  # NEWSBOT_MAX_AGE: older items are stored, not drafted
    max_feed_bytes: int


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


def poll_due(
    sessions: sessionmaker[Session],
    client: httpx.Client,
    clock: Clock,
    worker: str,
    policy: PollPolicy,
    stop: threading.Event | None = None,
    force: bool = False,
) -> dict[int, PollResult]:
    """Poll every due source (every source with ``force``).

    Sources are claimed in batches; their feeds are fetched concurrently and the
    batch is stored in one transaction.
    """
    results: dict[int, PollResult] = {}
    if force:
        with transaction(sessions) as session:
            session.execute(update(Source).values(next_poll_at=None))
    with ThreadPoolExecutor(max_workers=POLL_CONCURRENCY, thread_name_prefix="poll") as pool:
        while not (stop and stop.is_set()):
            now = clock.now()
            with transaction(sessions) as session:
                ids = claim_sources(session, worker, now, policy.lease, POLL_BATCH)
                batch = [
                    (i, src.url, src.etag, src.last_modified)
                    for i in ids
                    if (src := session.get(Source, i)) is not None
                ]
            if not batch:
                break
            fetched = list(
                pool.map(
                    lambda b: fetch_source(client, b[1], b[2], b[3], policy.max_feed_bytes),
                    batch,
                )
            )
            now = clock.now()
            with transaction(sessions) as session:
                for (source_id, *_), outcome in zip(batch, fetched, strict=True):
                    source = session.get(Source, source_id)
                    if source is None:  # removed while we fetched it
                        continue
                    results[source_id] = apply_poll(session, source, outcome, now, policy.max_age)
                    source.next_poll_at = now + policy.interval
                    source.claimed_by = None
                    source.lease_until = None
    return results
