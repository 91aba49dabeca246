"""Polling: conditional GET and parse (concurrently, no database), then store what is new.

A source's failure is recorded on the source and never stops the round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import alerts, metrics
from bot.sources.feeds import FeedError, FeedItem, ParsedFeed, parse_feed
from bot.sources.fetch import FetchError, fetch
from bot.store import upsert
from bot.store.models import Article, Source

log = structlog.get_logger("bot.sources")


@dataclass(frozen=True)
class PollResult:
    status: str  # ok | not_modified | error
    new: int = 0
    error: str | None = None


@dataclass(frozen=True)
class Fetched:
    """What one poll brought back, before anything is stored."""

    status: str
    feed: ParsedFeed | None = None
    etag: str | None = None
    last_modified: str | None = None
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


def fetch_source(
    client: httpx.Client, url: str, etag: str | None, last_modified: str | None, max_bytes: int
) -> Fetched:
    """Network and parsing only: safe to run in a thread pool."""
    try:
        # a source that is a file was added by the operator (the API and the dashboard
        # take http(s) URLs only): the CLI, NEWSBOT_FEEDS or the bundled example
        result = fetch(client, url, max_bytes, etag, last_modified, local_ok=True)
        if result.not_modified:
            return Fetched("not_modified", etag=etag, last_modified=last_modified)
        feed = parse_feed(result.body, url)
        return Fetched("ok", feed, result.etag, result.last_modified)
    except (FetchError, FeedError) as exc:
        return Fetched("error", error=str(exc))
    except Exception as exc:  # a parser bug on one feed must not stop the round
        log.exception("poll.crashed", url=url)
        return Fetched("error", error=f"{exc.__class__.__name__}: {exc}")


def store_items(
    session: Session, source: Source, items: list[FeedItem], fresh: set[str], now: datetime
) -> int:
    """Insert articles not seen before (by source+guid and by canonical URL)."""
    known_guids = set(session.scalars(select(Article.guid).where(Article.source_id == source.id)))
    candidates = [i for i in items if i.guid not in known_guids]
    urls = {i.canonical_url for i in candidates}
    known_urls = (
        set(session.scalars(select(Article.canonical_url).where(Article.canonical_url.in_(urls))))
        if urls
        else set()
    )
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for item in candidates:
        if item.canonical_url in known_urls or item.canonical_url in seen or item.guid in seen:
            continue
        seen.update((item.canonical_url, item.guid))
        # the feed's HTML is stored as given; it becomes text when (if) the article is
        # drafted, so a feed's back catalogue costs one insert per item and no parsing
        rows.append(
            {
                "source_id": source.id,
                "guid": item.guid,
                "url": item.url,
                "canonical_url": item.canonical_url,
                "title": item.title or item.url,
                "summary": item.summary,
                "author": item.author,
                "published_at": item.published_at,
                "tags": list(item.tags),
                "body": item.content or item.summary,
                "image_url": item.image_url,
                "quotes": [],
                "status": "new" if item.guid in fresh else "old",
                "created_at": now,
            }
        )
    if not rows:
        return 0
    # one statement for the whole batch; an article another feed (or replica) stored
    # meanwhile is skipped by the unique constraints, not raised
    statement = upsert.insert(session, Article).on_conflict_do_nothing()
    result = session.execute(statement.returning(Article.id), rows)
    return len(result.all())


def apply_poll(
    session: Session, source: Source, fetched: Fetched, now: datetime, max_age: timedelta
) -> PollResult:
    """Record one poll's outcome on its source and store its new articles."""
    bound = log.bind(source_id=source.id, url=source.url)
    if fetched.status == "ok" and fetched.feed is not None:
        first_poll = source.last_success_at is None
        fresh = fresh_guids(fetched.feed.items, first_poll, source.backfill, now, max_age)
        added = store_items(session, source, fetched.feed.items, fresh, now)
        source.etag = fetched.etag
        source.last_modified = fetched.last_modified
        source.title = source.title or fetched.feed.title
        outcome = PollResult("ok", new=added)
    else:
        outcome = PollResult(fetched.status, error=fetched.error)
    source.last_polled_at = now
    source.last_status = outcome.status
    if outcome.status == "error":
        source.last_error = outcome.error
        source.failures_in_row += 1
        alerts.source_failed(session, source)
        bound.warning(
            "poll.failed",
            action="poll_failed",
            error=outcome.error,
            failures=source.failures_in_row,
        )
    else:
        alerts.source_ok(session, source)
        source.last_error = None
        source.failures_in_row = 0
        source.last_success_at = now
        bound.info("poll.done", action="polled", status=outcome.status, new=outcome.new)
    metrics.POLLS.labels(outcome.status).inc()
    return outcome
