"""Sign-in throttling by (account, address): wrong passwords from one address never lock
the owner out from another; X-Forwarded-For only from a trusted proxy; the check and the
record are atomic on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.web import auth
from bot.web.app import create_app
from bot.web.clientaddr import client_address
from tests.browser.webapp import PASSWORD, csrf_of, make_user
from tests.conftest import make_settings
from tests.ops import serving

WRONG = "not the password"


@contextmanager
def desk(db_url: str, tmp_path: Path, clock: FixedClock, **web: Any) -> Iterator[str]:
    """The app behind a real server on 127.0.0.1; yields its base URL."""
    rt = Runtime(make_settings(db_url, tmp_path, web=web), clock=clock)
    make_user(rt, "admin", "admin")
    try:
        with serving(create_app(rt)) as client:
            yield str(client.base_url)
    finally:
        rt.close()


@contextmanager
def browser(base: str, address: str) -> Iterator[httpx.Client]:
    """A client whose connections come from ``address`` (any 127.x address is loopback)."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=base, transport=transport, follow_redirects=False) as client:
        yield client


def attempt(client: httpx.Client, password: str, forwarded: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = client.get("/signin", headers=headers)
    return client.post(
        "/signin",
        data={"name": "admin", "password": password, "csrf": csrf_of(page.text)},
        headers=headers,
    )


def test_wrong_passwords_from_one_address_never_lock_the_owner_out_from_another(
    db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    with desk(db_url, tmp_path, clock) as base:
        with browser(base, "127.0.0.2") as attacker:
            answers = [attempt(attacker, WRONG).status_code for _ in range(12)]
            assert answers[:5] == [401] * 5
            assert set(answers[5:]) == {429}
            refused = attempt(attacker, PASSWORD)  # even the right password, from there
            assert refused.status_code == 429
            assert "try again in 1 s" in refused.text
            assert refused.headers["retry-after"] == "1"
        with browser(base, "127.0.0.3") as owner:
            answer = attempt(owner, PASSWORD)
            assert answer.status_code == 303, answer.text
            assert "newsbot_session" in owner.cookies


def test_x_forwarded_for_is_ignored_from_an_untrusted_peer_and_used_from_a_trusted_one(
    db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    with desk(db_url, tmp_path, clock, trusted_proxies="127.0.0.3") as base:
        # an untrusted peer cannot pick a fresh address for every try
        with browser(base, "127.0.0.2") as direct:
            for i in range(5):
                assert attempt(direct, WRONG, f"198.51.100.{i}").status_code == 401
            assert attempt(direct, WRONG, "198.51.100.99").status_code == 429
        # the proxy's clients are told apart by the address it appends (the right-most)
        with browser(base, "127.0.0.3") as proxy:
            for _ in range(5):
                assert attempt(proxy, WRONG, "203.0.113.5").status_code == 401
            assert attempt(proxy, WRONG, "203.0.113.5").status_code == 429
            # what the client wrote itself (left of the proxy's entry) changes nothing
            assert attempt(proxy, PASSWORD, "203.0.113.77, 203.0.113.5").status_code == 429
            assert attempt(proxy, PASSWORD, "203.0.113.6").status_code == 303


def test_delays_grow_and_a_good_sign_in_starts_over(runtime: Runtime, clock: FixedClock) -> None:
    make_user(runtime, "ana", "editor")

    def try_(password: str) -> auth.SignIn:
        with transaction(runtime.sessions) as session:
            return auth.sign_in(session, "ana", password, "192.0.2.1", clock.now())

    for _ in range(5):
        assert try_(WRONG).retry_after is None
    waits = []
    for _ in range(4):
        waits.append(try_(WRONG).retry_after)  # refused: not even checked
        clock.advance(timedelta(seconds=waits[-1] or 0))
        assert try_(WRONG).retry_after is None  # one more try once the wait is over
    assert waits == [1, 2, 4, 8]
    clock.advance(timedelta(seconds=16))
    assert try_(PASSWORD).actor is not None
    for _ in range(5):  # counting starts again after a good sign-in
        assert try_(WRONG).retry_after is None


def test_one_address_guessing_many_accounts_waits_for_all_but_others_do_not(
    runtime: Runtime, clock: FixedClock
) -> None:
    make_user(runtime, "ana", "editor")

    def try_(name: str, password: str, address: str) -> auth.SignIn:
        with transaction(runtime.sessions) as session:
            return auth.sign_in(session, name, password, address, clock.now())

    for i in range(20):
        assert try_(f"nobody{i}", WRONG, "192.0.2.1").retry_after is None
    assert try_("someone-new", WRONG, "192.0.2.1").retry_after == 1
    assert try_("ana", PASSWORD, "192.0.2.1").retry_after == 1
    assert try_("ana", PASSWORD, "192.0.2.2").actor is not None


@pytest.mark.pg
def test_concurrent_wrong_passwords_do_not_exceed_the_limit_on_postgresql(
    pg_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    rt = Runtime(make_settings(pg_url, tmp_path), clock=clock)
    make_user(rt, "admin", "admin")
    tries = 16
    barrier = threading.Barrier(tries)
    results: list[auth.SignIn] = []
    lock = threading.Lock()

    def guess() -> None:
        barrier.wait()
        with transaction(rt.sessions) as session:
            result = auth.sign_in(session, "admin", WRONG, "198.51.100.7", clock.now())
        with lock:
            results.append(result)

    try:
        threads = [threading.Thread(target=guess) for _ in range(tries)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        rt.close()
    checked = [r for r in results if r.retry_after is None]
    print(
        f"\n{tries} concurrent wrong passwords: {len(checked)} checked, "
        f"{tries - len(checked)} refused"
    )
    assert len(results) == tries
    assert len(checked) == 5  # the free tries, not one more


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("192.0.2.9", ["203.0.113.1"], "192.0.2.9"),  # not a proxy: its header is ignored
        ("10.0.0.2", ["203.0.113.1"], "203.0.113.1"),
        ("10.0.0.2", ["6.6.6.6, 203.0.113.1"], "203.0.113.1"),  # right-most untrusted
        ("10.0.0.2", ["203.0.113.1, 10.0.0.7"], "203.0.113.1"),  # two proxies in a row
        ("10.0.0.2", ["203.0.113.1", "10.0.0.7"], "203.0.113.1"),  # two headers
        ("10.0.0.2", [], "10.0.0.2"),
        ("10.0.0.2", ["not-an-address"], "10.0.0.2"),
        ("10.0.0.2", ["2001:db8::1"], "2001:db8::1"),
    ],
)
def test_client_address(peer: str, forwarded: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, ["10.0.0.0/8"]) == expected
