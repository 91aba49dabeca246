"""One poll of one source: conditional GET, parse, store new articles, decide which to draft.

A source's failure is recorded on the source and never stops the round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import metrics
from bot.editorial.extract import from_item
from bot.sources.feeds import FeedError, FeedItem, parse_feed
from bot.sources.fetch import FetchError, fetch
from bot.store.models import Article, Source

log = structlog.get_logger("bot.sources")


@dataclass(frozen=True)
class PollResult:
    status: str  # ok | not_modified | error
    new: int = 0
    drafted: int = 0
    error: str | None = None


def fresh_guids(
    items: list[FeedItem], first_poll: bool, backfill: int, now: datetime, max_age: timedelta
) -> set[str]:
    """Which items get drafted: recent ones, plus the N newest on a backfilled first poll.

    On a source's first poll an undated item counts as old, so a new feed never floods
    the queue with its back catalogue.
    """
    fresh = {
        item.guid
        for item in items
        if (item.published_at is not None and now - item.published_at <= max_age)
        or (item.published_at is None and not first_poll)
    }
    if first_poll and backfill > 0:
        # newest first; undated items keep their document order (feeds list newest first)
        ranked = sorted(
            enumerate(items),
            key=lambda pair: (pair[1].published_at is not None, pair[1].published_at, -pair[0]),
            reverse=True,
        )
        fresh |= {item.guid for _, item in ranked[:backfill]}
    return fresh


def store_items(
    session: Session, source: Source, items: list[FeedItem], fresh: set[str], now: datetime
) -> int:
    """Insert articles not seen before (by source+guid and by canonical URL)."""
    known_guids = set(session.scalars(select(Article.guid).where(Article.source_id == source.id)))
    candidates = [i for i in items if i.guid not in known_guids]
    urls = {i.canonical_url for i in candidates}
    known_urls = set(session.scalars(select(Article.canonical_url).where(Article.canonical_url.in_(urls)))) if urls else set()
    added = 0
    seen: set[str] = set()
    for item in candidates:
        if item.canonical_url in known_urls or item.canonical_url in seen or item.guid in seen:
            continue
        seen.update((item.canonical_url, item.guid))
        data = from_item(item)
        article = Article(
            source_id=source.id,
            guid=item.guid,
            url=item.url,
            canonical_url=item.canonical_url,
            title=data.title or item.url,
            summary=data.summary,
            author=data.author,
            published_at=data.published_at,
            tags=list(data.tags),
            body=data.body,
            image_url=data.image_url,
            quotes=[],
            status="new" if item.guid in fresh else "old",
            created_at=now,
        )
        try:
            with session.begin_nested():  # another feed may carry the same article
                session.add(article)
        except IntegrityError:
            continue
        added += 1
    return added


def poll_source(
    session: Session,
    source: Source,
    client: httpx.Client,
    now: datetime,
    max_age: timedelta,
    max_bytes: int,
) -> PollResult:
    first_poll = source.last_success_at is None
    bound = log.bind(source_id=source.id, url=source.url)
    try:
        result = fetch(client, source.url, max_bytes, source.etag, source.last_modified)
        if result.not_modified:
            outcome = PollResult("not_modified")
        else:
            feed = parse_feed(result.body, source.url)
            fresh = fresh_guids(feed.items, first_poll, source.backfill, now, max_age)
            added = store_items(session, source, feed.items, fresh, now)
            source.etag = result.etag
            source.last_modified = result.last_modified
            source.title = source.title or feed.title
            outcome = PollResult("ok", new=added)
    except (FetchError, FeedError) as exc:
        outcome = PollResult("error", error=str(exc))
    except Exception as exc:  # a parser bug on one feed must not stop the round
        bound.exception("poll.crashed")
        outcome = PollResult("error", error=f"{exc.__class__.__name__}: {exc}")
    source.last_polled_at = now
    source.last_status = outcome.status
    if outcome.status == "error":
        source.last_error = outcome.error
        source.failures_in_row += 1
        bound.warning("poll.failed", action="poll_failed", error=outcome.error, failures=source.failures_in_row)
    else:
        source.last_error = None
        source.failures_in_row = 0
        source.last_success_at = now
        bound.info("poll.done", action="polled", status=outcome.status, new=outcome.new)
    metrics.POLLS.labels(outcome.status).inc()
    return outcome
