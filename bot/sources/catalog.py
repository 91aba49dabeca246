"""The list of sources: adding one (idempotent by URL), and the ones a process starts with."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import Source

log = structlog.get_logger("bot.sources")

EXAMPLE_FEED = Path(__file__).resolve().parent.parent / "example" / "feed.xml"


def add_source(
    session: Session, url: str, now: datetime, auto_approve: bool = False, backfill: int = 0
) -> tuple[Source, bool]:
    """The source for ``url``, and whether it was added now (False: it was there)."""
    existing = session.scalar(select(Source).where(Source.url == url))
    if existing is not None:
        return existing, False
    source = Source(
        url=url,
        auto_approve=auto_approve,
        backfill=backfill,
        failures_in_row=0,
        created_at=now,
    )
    session.add(source)
    session.flush()
    return source, True


def ensure_sources(session: Session, feeds: Iterable[str], now: datetime, example: bool) -> None:
    """``feeds`` (NEWSBOT_FEEDS) are added; with ``example``, an empty database gets the
    example feed."""
    for url in feeds:
        add_source(session, url, now)
    empty = not session.scalar(select(func.count()).select_from(Source))
    if empty and example and EXAMPLE_FEED.exists():
        add_source(session, str(EXAMPLE_FEED), now, backfill=10)
        log.info("sources.example_added", url=str(EXAMPLE_FEED))
