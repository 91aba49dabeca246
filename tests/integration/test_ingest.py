"""Polling and dedupe on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.sources.feeds import FeedItem
from bot.sources.poll import fresh_guids
from bot.store.db import transaction
from bot.store.models import Article, Post
from tests.fakes.feed_server import FeedServer, Route
from tests.feeds import guardian_feed


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


def _count(runtime: Runtime, model: type) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _add(runtime: Runtime, url: str, **kwargs: object) -> int:
    with transaction(runtime.sessions) as session:
        source, _ = runtime.add_source(session, url, **kwargs)  # type: ignore[arg-type]
        return source.id


def test_old_items_are_stored_not_drafted(
    runtime: Runtime, feeds: FeedServer, clock: FixedClock
) -> None:
    feeds.routes["/feed"] = Route(guardian_feed(clock.now(), fresh=3))
    _add(runtime, feeds.url("/feed"))
    runtime.poll_round(force=True)
    with runtime.sessions() as session:
        statuses = dict(
            session.execute(select(Article.status, func.count()).group_by(Article.status)).all()
        )
    assert statuses == {"drafted": 3, "old": 52}
    assert _count(runtime, Post) == 6  # one per channel per fresh item


def test_backfill_drafts_the_newest_whatever_their_age(
    runtime: Runtime, feeds: FeedServer, clock: FixedClock
) -> None:
    feeds.routes["/feed"] = Route(guardian_feed(clock.now(), fresh=0))
    _add(runtime, feeds.url("/feed"), backfill=4)
    runtime.poll_round(force=True)
    assert _count(runtime, Post) == 8


def test_repolling_creates_nothing_new(
    runtime: Runtime, feeds: FeedServer, clock: FixedClock
) -> None:
    feeds.routes["/feed"] = Route(guardian_feed(clock.now(), fresh=2))
    _add(runtime, feeds.url("/feed"))
    runtime.poll_round(force=True)
    runtime.poll_round(force=True)  # 304
    assert feeds.requests[-1][1].get("If-None-Match")
    feeds.routes["/feed"].conditional = False  # now 200 with the same items
    runtime.poll_round(force=True)
    assert (_count(runtime, Article), _count(runtime, Post)) == (55, 4)


def test_one_article_in_two_feeds_is_one_article(
    runtime: Runtime, feeds: FeedServer, clock: FixedClock
) -> None:
    body = guardian_feed(clock.now(), fresh=2)
    feeds.routes["/a"] = Route(body)
    # the same items with tracking parameters on their links
    feeds.routes["/b"] = Route(
        body.replace(b"</link>", b"?utm_source=rss&amp;utm_medium=feed</link>")
    )
    _add(runtime, feeds.url("/a"))
    _add(runtime, feeds.url("/b"))
    runtime.poll_round(force=True)
    assert (_count(runtime, Article), _count(runtime, Post)) == (55, 4)


def test_a_new_source_is_due_once_per_interval(
    runtime: Runtime, feeds: FeedServer, clock: FixedClock
) -> None:
    feeds.routes["/feed"] = Route(guardian_feed(clock.now(), fresh=1))
    _add(runtime, feeds.url("/feed"))
    runtime.poll_round()
    runtime.poll_round()
    assert feeds.count("/feed") == 1
    clock.advance(runtime.settings.poll_interval + timedelta(seconds=1))
    runtime.poll_round()
    assert feeds.count("/feed") == 2


def _item(guid: str, published: datetime | None) -> FeedItem:
    url = f"https://n.example/{guid}"
    return FeedItem(guid, url, url, guid, None, None, None, published, (), None)


def test_fresh_rules() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    items = [
        _item("new", now - timedelta(hours=1)),
        _item("old", now - timedelta(days=3)),
        _item("undated", None),
        _item("older", now - timedelta(days=30)),
    ]
    assert fresh_guids(items, True, 0, now, timedelta(days=2)) == {"new"}
    # on later polls an undated item just appeared: it is news
    assert fresh_guids(items, False, 0, now, timedelta(days=2)) == {"new", "undated"}
    assert fresh_guids(items, True, 2, now, timedelta(days=2)) == {"new", "old"}


def test_the_worker_prints_the_example_headline_once_on_whatsapp(runtime: Runtime) -> None:
    """The worker drafts from the stored feed HTML, not through `preview`'s path: the
    bundled example's first item, whose summary repeats its headline, still shows it once."""
    from bot.sources.catalog import EXAMPLE_FEED

    _add(runtime, str(EXAMPLE_FEED), backfill=1)
    runtime.poll_round(force=True)
    with runtime.sessions() as session:
        post = session.scalars(select(Post).where(Post.channel == "whatsapp")).one()
        article = session.get_one(Article, post.article_id)
    assert article.title in post.text
    assert post.text.count(article.title) == 1
