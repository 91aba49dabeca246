"""URLs from content or users reach public addresses only, unless NEWSBOT_FETCH_ALLOW says.

Before the fix a source, an item link, a pushed URL and an image URL were all fetched
from loopback, private and metadata addresses; the push API answered with the page's
title, and an image's HTTP status was written to the audit. Refusals here happen before
any connection: ``netguard`` records every connect and stops any outside loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import format_datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.clock import FixedClock
from bot.egress import EgressPolicy
from bot.egress_transport import content_client
from bot.runtime import Runtime
from bot.settings import Settings
from bot.sources.fetch import FetchRefused, fetch
from bot.store.db import transaction
from bot.store.models import Article, Post, Source
from tests.browser.webapp import make_client, make_token, make_user
from tests.conftest import make_settings
from tests.fakes.feed_server import FeedServer, Route
from tests.security import netguard

SECRET = "INTRANET PAYROLL 2026"
PAGE = (
    f"<html><head><title>{SECRET}</title>"
    '<meta property="article:published_time" content="2026-03-01T08:00:00+00:00">'
    f"</head><body><article><h1>{SECRET}</h1>"
    + "<p>“Salaries rise in April,” said the director of finance, Ana Lima.</p>" * 20
    + "</article></body></html>"
).encode()
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>intranet</title>
<item><title>Payroll</title><link>https://e.example/1</link><description>Pay.</description></item>
</channel></rss>"""


def private_urls(port: int) -> list[str]:
    """Loopback (a live fake), a private range, the metadata address, IPv6 loopback."""
    return [
        f"http://127.0.0.1:{port}/secret",
        "http://10.20.30.40/secret",
        "http://169.254.169.254/latest/meta-data/",
        f"http://[::1]:{port}/secret",
    ]


@pytest.fixture
def intranet() -> Iterator[FeedServer]:
    """A server inside the newsroom's network: a feed, a page, an image."""
    server = FeedServer().start()
    server.routes["/secret"] = Route(PAGE, content_type="text/html; charset=utf-8")
    server.routes["/feed"] = Route(FEED)
    yield server
    server.stop()


@pytest.fixture
def closed(db_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Runtime]:
    """A runtime with no NEWSBOT_FETCH_ALLOW: public addresses only."""
    rt = Runtime(make_settings(db_url, tmp_path, fetch_allow=[], fetch_pages="always"), clock=clock)
    yield rt
    rt.close()


def sources_after_poll(runtime: Runtime, urls: list[str]) -> dict[str, Source]:
    with transaction(runtime.sessions) as session:
        for url in urls:
            runtime.add_source(session, url)
    runtime.poll_round(force=True)
    with runtime.sessions() as session:
        found = {s.url: s for s in session.scalars(select(Source))}
        session.expunge_all()
    return found


def test_a_source_url_inside_the_network_is_refused(closed: Runtime, intranet: FeedServer) -> None:
    urls = [u.replace("/secret", "/feed") for u in private_urls(intranet.server.port)]  # type: ignore[union-attr]
    with netguard.watching() as attempts:
        sources = sources_after_poll(closed, urls)
    assert attempts == [] and intranet.requests == []
    for url in urls:
        error = sources[url].last_error or ""
        assert sources[url].last_status == "error", url
        assert error.startswith(f"refused {url}") and "not a public address" in error, error
        assert "\n" not in error
    with closed.sessions() as session:
        assert session.scalars(select(Article)).all() == []


def test_a_host_name_that_resolves_inside_is_refused(closed: Runtime, intranet: FeedServer) -> None:
    url = f"http://localhost:{intranet.server.port}/feed"  # type: ignore[union-attr]
    with netguard.watching() as attempts:
        sources = sources_after_poll(closed, [url])
    assert attempts == [] and intranet.requests == []
    assert "localhost (" in (sources[url].last_error or "")


def test_a_resolver_answer_inside_is_refused_before_connecting() -> None:
    policy = EgressPolicy.from_allow([], resolver=lambda host, port: ["93.184.215.14", "10.0.0.5"])
    refused = pytest.raises(FetchRefused, match=r"intranet\.example \(10\.0\.0\.5\)")
    with content_client(policy, timeout=2) as client, netguard.watching() as attempts, refused:
        fetch(client, "http://intranet.example/", 1000)
    assert attempts == []


def test_an_item_link_inside_the_network_is_refused(
    closed: Runtime, intranet: FeedServer, tmp_path: Path, clock: FixedClock
) -> None:
    date = format_datetime(clock.now())
    items = "".join(
        f"<item><title>Story {n}</title><link>{url}</link><pubDate>{date}</pubDate>"
        "<description>Short.</description></item>"
        for n, url in enumerate(private_urls(intranet.server.port))  # type: ignore[union-attr]
    )
    feed = tmp_path / "operator-feed.xml"  # a file the operator added: read as such
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>')
    with netguard.watching() as attempts:
        sources = sources_after_poll(closed, [str(feed)])
    assert sources[str(feed)].last_status == "ok"
    assert attempts == [] and intranet.requests == []
    with closed.sessions() as session:
        articles = session.scalars(select(Article).order_by(Article.id)).all()
        assert len(articles) == 4
        for article in articles:
            assert article.status == "failed", article.url
            assert "refused" in (article.error or "") and SECRET not in (article.error or "")
        assert session.scalars(select(Post)).all() == []


def test_a_pushed_url_inside_the_network_is_not_fetched_nor_answered(
    closed: Runtime, intranet: FeedServer
) -> None:
    make_user(closed, "cms", "editor")
    token = make_token(closed, "cms")
    api = make_client(closed, None, headers={"Authorization": f"Bearer {token}"})
    for url in private_urls(intranet.server.port):  # type: ignore[union-attr]
        with netguard.watching() as attempts:
            answer = api.post("/api/v1/articles", json={"url": url, "title": "Pushed"})
        assert answer.status_code == 422, answer.text
        assert "refused" in answer.text and SECRET not in answer.text
        assert "Salaries" not in answer.text
        assert attempts == []
    assert intranet.requests == []
    with closed.sessions() as session:
        for article in session.scalars(select(Article)):
            assert article.status == "failed" and "refused" in (article.error or "")


def test_a_redirect_from_an_allowed_host_to_loopback_is_refused(
    db_url: str, tmp_path: Path, clock: FixedClock, intranet: FeedServer
) -> None:
    allowed = FeedServer(host="127.0.0.2").start()
    try:
        allowed.routes["/feed"] = Route(status=302, location=intranet.url("/feed"))
        settings = make_settings(db_url, tmp_path, fetch_allow=["127.0.0.2"])
        runtime = Runtime(settings, clock=clock)
        with netguard.watching():
            sources = sources_after_poll(runtime, [allowed.url("/feed")])
        runtime.close()
    finally:
        allowed.stop()
    assert allowed.count("/feed") == 1 and intranet.requests == []
    error = sources[allowed.url("/feed")].last_error or ""
    assert error.startswith("refused") and "127.0.0.1 is not a public address" in error


def test_a_listed_address_is_let_through(
    db_url: str, tmp_path: Path, clock: FixedClock, intranet: FeedServer
) -> None:
    runtime = Runtime(make_settings(db_url, tmp_path, fetch_allow=["127.0.0.1"]), clock=clock)
    try:
        sources = sources_after_poll(runtime, [intranet.url("/feed")])
    finally:
        runtime.close()
    assert sources[intranet.url("/feed")].last_status == "ok"
    assert intranet.count("/feed") == 1


def test_a_name_that_resolves_again_elsewhere_is_connected_where_checked() -> None:
    """DNS rebinding: the second answer (loopback) is never used."""
    inside = FeedServer().start()
    port = inside.server.port  # type: ignore[union-attr]
    outside = FeedServer(host="127.0.0.2", port=port).start()
    try:
        for server in (inside, outside):
            server.routes["/feed"] = Route(FEED)
        answers = iter([["127.0.0.2"], ["127.0.0.1"], ["127.0.0.1"]])
        policy = EgressPolicy.from_allow(["127.0.0.2"], resolver=lambda h, p: next(answers))
        with content_client(policy, timeout=5) as client:
            result = fetch(client, f"http://rebind.example:{port}/feed", 10_000)
    finally:
        inside.stop()
        outside.stop()
    assert result.status == 200
    assert outside.count("/feed") == 1 and inside.requests == []


def test_a_bad_allow_entry_is_named() -> None:
    with pytest.raises(ValidationError, match="fetch_allow"):
        Settings(_env_file=None, fetch_allow="10.0.0.0/33")
    assert Settings(_env_file=None, fetch_allow="cms.intranet.example, 10.20.0.0/16").fetch_allow
