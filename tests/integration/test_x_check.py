"""``check``: which account the bot posts as, what is wrong with the credentials, today's
count, the cap left and the month's spend; and secrets never leak anywhere."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.outbox.reconcile import reconcile_all
from bot.runtime import Runtime
from bot.store.models import AuditEvent, ChannelState, Post
from tests.fakes.fake_x import FakeX
from tests.fakes.fake_x_fixtures import (
    CONFIG,
    SECRETS,
    channel_state,
    make_posts,
    now_clock,
    outbox,
    publisher,
)


@pytest.fixture
def clock() -> FixedClock:
    return now_clock()


def test_check_names_the_account_and_the_usage(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    x = publisher(runtime, fake_x, db_url, tmp_path, clock, daily_cap=3, monthly_budget=10)
    make_posts(runtime.sessions, clock, ["Counted https://news.example.com/1"])
    outbox(runtime.sessions, x, clock).drain()
    health = x.check()
    assert health.ok
    assert health.detail == (
        "posting as @newsroom_desk (Newsroom Desk, id 1600000000000000001); "
        "today 1 posts of a cap of 3 (2 left); month to date 0.02 of a 10.00 budget; "
        "X's 24-hour post limit: 99 left"
    )
    assert (health.data["today_posts"], health.data["cap_left"], health.data["month_cost"]) == (
        1,
        2,
        0.02,
    )
    x.close()


def test_check_shows_a_pause_and_its_reason(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    x = publisher(runtime, fake_x, db_url, tmp_path, clock)
    make_posts(runtime.sessions, clock, ["Out of credits"])
    fake_x.fail("402")
    outbox(runtime.sessions, x, clock).drain()
    health = x.check()
    assert health.ok  # the credentials are fine; the posts wait
    assert "paused until" in health.detail and "credits depleted" in health.detail
    x.close()


def test_check_says_what_is_wrong_with_the_credentials(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    x = publisher(runtime, fake_x, db_url, tmp_path, clock, api_secret="revoked-secret")
    health = x.check()
    assert not health.ok
    assert health.detail.startswith("X refused the credentials (401: Unauthorized)")
    assert "NEWSBOT_X__API_SECRET" in health.detail
    state = channel_state(runtime.sessions)
    assert state is not None and state.healthy is False
    x.close()
    # fixed credentials: check says so and the channel is healthy again
    good = publisher(runtime, fake_x, db_url, tmp_path, clock)
    assert good.check().ok
    state = channel_state(runtime.sessions)
    assert state is not None and state.healthy is True
    good.close()


def test_check_refuses_a_read_only_token(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    fake_x.plan({"access_level": "read"})
    x = publisher(runtime, fake_x, db_url, tmp_path, clock)
    health = x.check()
    assert not health.ok
    assert "can only read" in health.detail and "Read and Write" in health.detail
    assert "posting as @newsroom_desk" in health.detail
    x.close()


def test_a_refused_post_stays_visible_until_a_post_goes_out(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    x = publisher(runtime, fake_x, db_url, tmp_path, clock)
    make_posts(runtime.sessions, clock, ["Refused once", "Accepted later"])
    fake_x.fail("403_oauth1_permissions")
    fake_x.plan({"access_level": ""})  # X does not always say what the token may do
    assert outbox(runtime.sessions, x, clock).drain() == {"failed": 1, "published": 1}
    # the second post went out: the channel is healthy again, and check says so
    assert x.check().ok
    fake_x.fail("403_forbidden")
    make_posts(runtime.sessions, clock, ["Refused again"])
    outbox(runtime.sessions, x, clock).drain()
    health = x.check()
    assert not health.ok
    assert health.detail.startswith("the last post was refused: X refused the request (403")
    state = channel_state(runtime.sessions)
    assert state is not None and state.healthy is False
    x.close()


def test_check_says_when_x_cannot_be_reached(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    with FakeX() as gone:
        base = gone.base_url
    x = publisher(runtime, fake_x, db_url, tmp_path, clock, base_url=base)
    health = x.check()
    assert not health.ok
    assert health.detail.startswith(f"cannot reach X at {base}")
    x.close()


def test_no_secret_in_logs_errors_audit_or_state(
    runtime: Runtime,
    fake_x: FakeX,
    db_url: str,
    tmp_path: Path,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, tweepy's and requests-oauthlib's too
    caplog.set_level(logging.DEBUG, logger="urllib3")
    for name in ("tweepy", "requests_oauthlib", "oauthlib"):
        # as if nothing had configured them: only the channel's own quieting may hold them
        caplog.set_level(logging.NOTSET, logger=name)
    x = publisher(runtime, fake_x, db_url, tmp_path, clock)
    texts = [f"Secretive {n} https://news.example.com/{n}" for n in range(9)]
    make_posts(runtime.sessions, clock, texts)
    for fault in (
        "429",
        "500",
        "401",
        "403_forbidden",
        "403_duplicate",
        "hang",
        "drop_after_store",
        "402",
    ):
        fake_x.fail(fault)
        outbox(runtime.sessions, x, clock).drain(limit=1)
    reconcile_all(runtime.sessions, {"x": x}, clock, "w1", CONFIG.lease, CONFIG.backoff_base)
    health = x.check()
    wrong = publisher(runtime, fake_x, db_url, tmp_path, clock, access_token_secret="x" * 20)
    bad_health = wrong.check()
    with runtime.sessions() as session:
        stored = json.dumps(
            [e.detail for e in session.query(AuditEvent)]
            + [[p.error, p.channel_data] for p in session.query(Post)]
            + [s.detail for s in session.query(ChannelState)],
            default=str,
        )
    seen = "\n".join(
        [caplog.text, stored, health.detail, bad_health.detail, json.dumps(health.data)]
    )
    assert (
        "POST /2/tweets" in caplog.text or "/2/tweets" in caplog.text
    )  # the log did see the calls
    for secret in SECRETS:
        assert secret not in seen
    x.close()
    wrong.close()
