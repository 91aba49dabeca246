"""An article's image URL (og:image, feed media) is content: the egress policy applies.

Before the fix the X channel downloaded it from any address and wrote the answer's HTTP
status to the audit ("fetching it answered 404"): a probe of the newsroom's network.
Now it is refused before connecting, and the audit says so without any status; the post
goes without its image. X itself (an endpoint the admin configured) is reached as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.runtime import Runtime
from tests.fakes.fake_x import FakeX
from tests.fakes.fake_x_fixtures import events, make_posts, now_clock, outbox, publisher
from tests.fakes.feed_server import FeedServer, Route
from tests.integration.test_x_images import png
from tests.security import netguard


@pytest.fixture
def clock() -> FixedClock:
    return now_clock()


@pytest.fixture
def images() -> Iterator[FeedServer]:
    server = FeedServer(
        routes={"/photo.png": Route(png(), content_type="image/png", conditional=False)}
    ).start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "where", ["loopback", "http://10.0.0.7/a.png", "http://169.254.169.254/a.png", "ipv6"]
)
def test_an_image_inside_the_network_is_refused_and_the_post_goes_without(
    runtime: Runtime,
    fake_x: FakeX,
    images: FeedServer,
    db_url: str,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    monkeypatch.delenv("NEWSBOT_FETCH_ALLOW")  # X's fake is loopback too: it needs no allow
    port = images.server.port  # type: ignore[union-attr]
    url = {"loopback": images.url("/photo.png"), "ipv6": f"http://[::1]:{port}/photo.png"}.get(
        where, where
    )
    x = publisher(runtime, fake_x, db_url, tmp_path, clock)
    try:
        [pid] = make_posts(runtime.sessions, clock, [f"Photo {where}"], image_url=url)
        with netguard.watching() as attempts:
            assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    finally:
        x.close()
    [stored] = fake_x.posts()
    assert stored.media_ids == []
    assert images.requests == []
    assert all(host == "127.0.0.1" for host in attempts)  # X's fake only
    [dropped] = [d for action, d in events(runtime.sessions, pid) if action == "image_dropped"]
    assert dropped["reason"].startswith(f"refused {url}")
    assert "not a public address" in dropped["reason"] and "answered" not in dropped["reason"]
