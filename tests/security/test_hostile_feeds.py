"""A feed newsbot does not control: entity bombs, over-long fields, links that are no links.

Measured on the code before the fix: the 91 KB feed below became a 30,000,000-character
summary (tracemalloc peak ~100 MB, 7 s); with a 10,000-character entity, a 100 KB feed
took 890 MB of memory and a minute on every poll.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.sources.feeds import FeedError, parse_feed
from bot.store.db import transaction
from bot.store.models import Article, Source
from tests.fakes.feed_server import FeedServer, Route


def laughs(value_chars: int = 1000, refs: int = 30_000) -> bytes:
    """One internal entity referenced many times: expat gives up past 100x, feedparser's
    loose parser then expands it without limit."""
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "'
        + b"a" * value_chars
        + b'">\n]>\n<rss version="2.0"><channel><title>laughs</title><item><title>x</title>'
        b"<link>https://bomb.example/1</link><description>"
        + b"&a;" * refs
        + b"</description></item></channel></rss>"
    )


def rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


def poll(runtime: Runtime, url: str) -> tuple[Source, list[Article]]:
    with transaction(runtime.sessions) as session:
        source, _ = runtime.add_source(session, url)
        source_id = source.id
    runtime.poll_round(force=True)
    with runtime.sessions() as session:
        source = session.get_one(Source, source_id)
        articles = list(session.scalars(select(Article).where(Article.source_id == source_id)))
        session.expunge_all()
    return source, articles


def test_an_entity_bomb_is_stored_small(runtime: Runtime, feeds: FeedServer) -> None:
    feeds.routes["/laughs"] = Route(laughs())
    source, articles = poll(runtime, feeds.url("/laughs"))
    assert source.last_status == "ok"
    [article] = articles
    assert len(article.summary or "") <= 10_000
    assert "a" * 1000 not in (article.summary or "") + (article.body or "")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_parsing_an_entity_bomb_takes_little_memory(encoding: str) -> None:
    body = laughs(value_chars=1000, refs=30_000)
    if encoding != "utf-8":
        body = (
            body.decode()
            .replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
            .encode(encoding)
        )
    tracemalloc.start()
    try:
        feed = parse_feed(body, "https://bomb.example/feed")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert all(len(item.summary or "") <= 10_000 for item in feed.items)


def test_a_dtd_is_removed_whatever_its_values_hold() -> None:
    # '>' and ']' inside a quoted value do not end the declaration early
    feed = (
        b'<?xml version="1.0"?>\n<!-- a comment -->\n<!DOCTYPE rss [\n'
        b'<!ENTITY x "]>">\n<!ENTITY a "' + b"a" * 500 + b'">\n]>\n'
        b'<rss version="2.0"><channel><title>t</title><item><title>T &a;</title>'
        b"<link>https://e.example/1</link></item></channel></rss>"
    )
    [item] = parse_feed(feed, "https://e.example/").items
    assert "a" * 500 not in item.title


def test_a_declaration_out_of_place_refuses_the_feed() -> None:
    feed = (
        b'junk <!DOCTYPE rss [<!ENTITY a "' + b"a" * 500 + b'">]>'
        b'<rss version="2.0"><channel><item><title>&a;</title>'
        b"<link>https://e.example/1</link></item></channel></rss>"
    )
    with pytest.raises(FeedError, match="refused"):
        parse_feed(feed, "https://e.example/")


def test_every_stored_field_is_capped(runtime: Runtime, feeds: FeedServer) -> None:
    tags = "".join(f"<category>{'t' * 500}{n}</category>" for n in range(120))
    item = (
        f"<item><title>{'T' * 5000}</title><link>https://e.example/long</link>"
        f"<author>{'A' * 2000}</author>{tags}<description>{'s ' * 20_000}</description>"
        "</item>"
    )
    feeds.routes["/long"] = Route(rss(item))
    source, [article] = poll(runtime, feeds.url("/long"))
    assert source.last_status == "ok"
    assert len(article.title) <= 1000
    assert len(article.author or "") <= 500
    assert len(article.tags) <= 50 and all(len(t) <= 200 for t in article.tags)
    assert len(article.summary or "") <= 10_000
    assert len(article.body or "") <= 500_000
    # the long summary was the article's text: it is the body, not lost
    assert len(article.body or "") > 10_000


def test_links_that_are_not_web_links_are_dropped(runtime: Runtime, feeds: FeedServer) -> None:
    bad = [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "ftp://e.example/x",
    ]
    items = "".join(
        f"<item><title>bad {n}</title><link>{link}</link></item>" for n, link in enumerate(bad)
    )
    items = items.replace("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;")
    items += (
        "<item><title>good</title><link>https://e.example/good</link>"
        '<enclosure url="javascript:alert(2)" type="image/png" length="1"/></item>'
    )
    feeds.routes["/links"] = Route(rss(items))
    _, articles = poll(runtime, feeds.url("/links"))
    assert [a.url for a in articles] == ["https://e.example/good"]
    assert articles[0].image_url is None


def test_json_feed_links_that_are_not_web_links_are_dropped() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [
                {"id": "1", "url": "javascript:alert(1)", "title": "bad"},
                {"id": "2", "url": "https://e.example/2", "title": "good", "image": "data:,x"},
            ],
        }
    ).encode()
    [item] = parse_feed(body, "https://e.example/feed.json").items
    assert item.url == "https://e.example/2" and item.image_url is None
