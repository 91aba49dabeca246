"""An article's image goes with its X post when it can; when it cannot, the post goes
without it and the audit says why."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.x.publisher import XPublisher
from bot.clock import FixedClock
from bot.runtime import Runtime
from tests.fakes.fake_x import FakeX
from tests.fakes.fake_x_fixtures import (
    events,
    get_post,
    make_posts,
    now_clock,
    outbox,
    publisher,
)
from tests.fakes.feed_server import FeedServer, Route


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def clock() -> FixedClock:
    return now_clock()


@pytest.fixture
def images() -> Iterator[FeedServer]:
    server = FeedServer(
        routes={
            "/photo.png": Route(png(), content_type="image/png", conditional=False),
            "/page.jpg": Route(
                b"<html>not a photo</html>", content_type="image/jpeg", conditional=False
            ),
            "/huge.jpg": Route(
                b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 1),
                content_type="image/jpeg",
                conditional=False,
            ),
        }
    ).start()
    yield server
    server.stop()


@pytest.fixture
def x(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> Iterator[XPublisher]:
    channel = publisher(runtime, fake_x, db_url, tmp_path, clock)
    yield channel
    channel.close()


def test_the_image_is_uploaded_and_attached(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, images: FeedServer, clock: FixedClock
) -> None:
    [pid] = make_posts(
        runtime.sessions, clock, ["With a photo"], image_url=images.url("/photo.png")
    )
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    [stored] = fake_x.posts()
    assert len(stored.media_ids) == 1
    assert fake_x.state.media[stored.media_ids[0]]["type"] == "image/png"
    [upload] = fake_x.requests("POST", "/2/media/upload")
    assert upload["status"] == 200
    published = dict(events(runtime.sessions, pid))["published"]
    assert published["response"]["media_ids"] == stored.media_ids
    assert "notes" not in published


@pytest.mark.parametrize(
    ("path", "fault", "why"),
    [
        ("/missing.png", None, "answered 404"),
        ("/page.jpg", None, "not a JPEG, PNG, GIF or WEBP image"),
        ("/huge.jpg", None, "too large"),
        ("/photo.png", "500", "upload refused: X answered 500"),
    ],
)
def test_without_its_image_a_post_still_goes_and_the_audit_says_why(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, images: FeedServer, clock: FixedClock,
    path: str, fault: str | None, why: str,
) -> None:  # fmt: skip
    if fault:
        fake_x.fail(fault, path="/2/media/upload")
    [pid] = make_posts(
        runtime.sessions, clock, [f"Photo trouble {path}"], image_url=images.url(path)
    )
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    [stored] = fake_x.posts()
    assert stored.media_ids == []
    assert get_post(runtime.sessions, pid).state == "published"
    log = events(runtime.sessions, pid)
    dropped = [detail for action, detail in log if action == "image_dropped"]
    assert len(dropped) == 1 and why in dropped[0]["reason"]
    assert dropped[0]["image_url"] == images.url(path)
    notes = dict(log)["published"]["notes"]
    assert notes == [f"image left out: {dropped[0]['reason']}"]
