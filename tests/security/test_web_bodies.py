"""Request bodies are refused over NEWSBOT_WEB__MAX_BODY before they are read, on every
route: declared too long (at once), chunked (counted as it streams), the Cloud webhook."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.web.app import create_app
from tests.conftest import make_settings, migrated
from tests.ops import serving
from tests.security import raw_http

MiB = 1024 * 1024
CHUNK = b"x" * 65536


def _runtime(tmp_path: Path, clock: FixedClock, **overrides: Any) -> Runtime:
    url = migrated(f"sqlite:///{tmp_path / 'newsbot.db'}")
    return Runtime(make_settings(url, tmp_path, **overrides), clock=clock)


@pytest.fixture
def port(tmp_path: Path, clock: FixedClock) -> Iterator[int]:
    rt = _runtime(
        tmp_path,
        clock,
        whatsapp={"backend": "cloud", "cloud_app_secret": "app-secret-123"},
    )
    try:
        with serving(create_app(rt)) as client:
            yield int(str(client.base_url).rsplit(":", 1)[1].strip("/"))
    finally:
        rt.close()


class PeakRss:
    """The resident memory of this process (where the server runs), sampled every ms."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.baseline = self.peak = self.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def now(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self.page

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            time.sleep(0.001)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        time.sleep(0.2)  # let the server finish with whatever it had read
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


def _fifty_megabytes() -> Iterator[bytes]:
    yield b'{"url": "https://news.example/big", "title": "'
    for _ in range(50 * MiB // len(CHUNK)):
        yield CHUNK
    yield b'"}'


def test_an_anonymous_50_mb_post_is_refused_before_it_is_read(port: int) -> None:
    size = sum(len(c) for c in _fifty_megabytes())
    with PeakRss() as rss:
        answer = raw_http.post(
            port,
            "/api/v1/articles",
            _fifty_megabytes(),
            headers={"Content-Type": "application/json", "Content-Length": str(size)},
        )
    print(
        f"\n50 MB POST: status {answer.status}, body bytes sent {answer.sent}, "
        f"server RSS {rss.baseline / MiB:.1f} MiB -> peak {rss.peak / MiB:.1f} MiB "
        f"(+{rss.growth / MiB:.1f} MiB)"
    )
    assert answer.status == 413
    assert answer.sent < size  # answered before the body was through
    assert rss.growth < 10 * MiB  # far below the body's 50 MB


def test_a_declared_length_over_the_limit_is_answered_without_the_body(port: int) -> None:
    status = raw_http.answer_without_body(
        port,
        "/api/v1/articles",
        {"Content-Type": "application/json", "Content-Length": str(2 * MiB)},
    )
    assert status == 413


def test_a_chunked_body_over_the_limit_is_cut_off_while_streaming(port: int) -> None:
    def eight_megabytes() -> Iterator[bytes]:
        yield b'{"url": "https://news.example/big", "title": "'
        for _ in range(8 * MiB // len(CHUNK)):
            yield CHUNK
        yield b'"}'

    answer = raw_http.post(
        port,
        "/api/v1/articles",
        eight_megabytes(),
        headers={"Content-Type": "application/json"},
        chunked=True,
    )
    assert answer.status == 413
    assert json.loads(answer.body)["detail"].startswith("request body too large")
    assert answer.sent < 8 * MiB


def test_the_cloud_webhook_refuses_a_large_update_before_reading_it(port: int) -> None:
    status = raw_http.answer_without_body(
        port, "/webhooks/whatsapp", {"Content-Length": str(2 * MiB)}
    )
    assert status == 413
    chunked = raw_http.post(
        port,
        "/webhooks/whatsapp",
        (CHUNK for _ in range(64)),  # 4 MiB
        chunked=True,
    )
    assert chunked.status == 413


def test_a_body_under_the_limit_still_reaches_the_route(port: int) -> None:
    body = json.dumps({"title": "x" * 500_000}).encode()
    answer = raw_http.post(
        port,
        "/api/v1/articles",
        [body],
        headers={"Content-Type": "application/json", "Content-Length": str(len(body))},
    )
    assert answer.status == 401  # read, and then the missing token is what counts


def test_the_limit_is_a_setting_and_holds_on_dashboard_forms(
    tmp_path: Path, clock: FixedClock
) -> None:
    rt = _runtime(tmp_path, clock, web={"max_body": "64KiB"})
    try:
        assert rt.settings.web.max_body == 64 * 1024
        with serving(create_app(rt)) as client:
            form = "name=ana&password=" + "p" * 100_000
            big = client.post(
                "/signin",
                content=form,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert big.status_code == 413
            small = client.post(
                "/signin",
                content="name=ana&password=p",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert small.status_code == 403  # read: the form's CSRF token is missing
    finally:
        rt.close()
