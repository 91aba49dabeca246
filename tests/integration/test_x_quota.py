"""The newsroom's own limits on X: a daily cap and a monthly budget. Posts over a limit wait
with the reason shown and go out, in approval order, when the limit resets."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.x import quota
from bot.channels.x.publisher import XPublisher
from bot.clock import FixedClock
from bot.outbox.reconcile import reconcile_all
from bot.runtime import Runtime
from tests.fakes.fake_x import FakeX
from tests.fakes.fake_x_fixtures import (
    CONFIG,
    channel_state,
    get_post,
    make_posts,
    now_clock,
    outbox,
    publisher,
    usage_rows,
)


@pytest.fixture
def clock() -> FixedClock:
    return now_clock()


def test_a_cap_of_3_sends_3_and_the_rest_wait_then_go_in_approval_order(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    x = publisher(runtime, fake_x, db_url, tmp_path, clock, daily_cap=3)
    texts = [f"Story number {n} https://news.example.com/{n}" for n in range(5)]
    # editors approved them in this order: 4, 2, 0, 1, 3
    ids = make_posts(runtime.sessions, clock, texts, approve_order=[4, 2, 0, 1, 3])
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 3, "waiting": 1}
    assert [p.text for p in fake_x.posts()] == [texts[4], texts[2], texts[0]]
    waiting = [get_post(runtime.sessions, ids[n]) for n in (1, 3)]
    for post in waiting:
        assert (post.state, post.attempts) == ("approved", 0)
        assert post.waiting_reason == "daily cap reached: 3 of 3 X posts sent today (UTC)"
    state = channel_state(runtime.sessions)
    assert state is not None and state.paused_until == quota.next_day(clock.now())
    # the next round, the same day, sends nothing and asks X nothing
    asked = len(fake_x.requests())
    assert outbox(runtime.sessions, x, clock).drain() == {}
    assert len(fake_x.requests()) == asked
    # after midnight UTC the two go out, in the order they were approved
    clock.set(quota.next_day(clock.now()) + timedelta(seconds=1))
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 2}
    assert [p.text for p in fake_x.posts()][3:] == [texts[1], texts[3]]
    assert [row[1] for row in usage_rows(runtime.sessions)] == [3, 2]
    x.close()


def test_the_monthly_budget_holds_posts_until_next_month(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    x = publisher(
        runtime, fake_x, db_url, tmp_path, clock,
        monthly_budget=0.05, price_per_post=0.01, price_per_post_with_link=0.02,
    )  # fmt: skip
    texts = [f"Number {n} https://news.example.com/{n}" for n in range(3)] + ["Four, no link"]
    ids = make_posts(runtime.sessions, clock, texts)
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 2, "waiting": 1}
    third = get_post(runtime.sessions, ids[2])
    assert third.waiting_reason == (
        "monthly budget reached: 0.04 of 0.05 spent on X this month; the next post costs 0.02"
    )
    state = channel_state(runtime.sessions)
    assert state is not None and state.paused_until == quota.next_month(clock.now())
    assert len(fake_x.posts()) == 2
    x.close()


def test_a_post_whose_outcome_was_unknown_keeps_its_place_under_the_cap(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    x = publisher(runtime, fake_x, db_url, tmp_path, clock, daily_cap=1)
    [pid] = make_posts(runtime.sessions, clock, ["Lost in the wire"])
    fake_x.fail("drop_before_store")
    assert outbox(runtime.sessions, x, clock).drain() == {"unknown": 1}
    assert usage_rows(runtime.sessions)[0][1] == 1  # it may be out: it counts
    reconciled = reconcile_all(
        runtime.sessions, {"x": x}, clock, "w1", CONFIG.lease, CONFIG.backoff_base
    )
    assert reconciled == {"not_found": 1}
    # the resend uses the place it already holds, instead of hitting its own cap
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    assert get_post(runtime.sessions, pid).state == "published"
    assert usage_rows(runtime.sessions)[0][1] == 1
    x.close()


def test_two_workers_cannot_both_take_the_last_place(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    """The reservation locks the day's row: with a cap of 1, two publishers racing on two
    posts send exactly one."""
    x1 = publisher(runtime, fake_x, db_url, tmp_path, clock, daily_cap=1)
    x2 = publisher(runtime, fake_x, db_url, tmp_path, clock, daily_cap=1)
    make_posts(runtime.sessions, clock, ["Race one", "Race two"])
    results: list[dict[str, int]] = []
    barrier = threading.Barrier(2)

    def work(x: XPublisher, name: str) -> None:
        box = outbox(runtime.sessions, x, clock)
        box.worker = name
        barrier.wait()
        results.append(box.drain())

    threads = [threading.Thread(target=work, args=(x, f"w{n}")) for n, x in enumerate((x1, x2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(fake_x.posts()) == 1
    assert sum(r.get("published", 0) for r in results) == 1
    assert usage_rows(runtime.sessions)[0][1] == 1
    x1.close()
    x2.close()
