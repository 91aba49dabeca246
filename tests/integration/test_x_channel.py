"""The X channel against the fake X, through the real outbox: each answer X can give ends
in the post state a newsroom expects, and nothing goes out twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.base import OutgoingPost, Receipt
from bot.channels.x.publisher import XPublisher
from bot.clock import FixedClock
from bot.errors import ChannelPaused, PermanentError, TransientError, UnknownOutcome
from bot.outbox.reconcile import reconcile_all
from bot.runtime import Runtime
from tests.fakes.fake_x import FakeX
from tests.fakes.fake_x_fixtures import (
    CONFIG,
    channel_state,
    events,
    get_post,
    make_posts,
    now_clock,
    outbox,
    publisher,
    usage_rows,
)


@pytest.fixture
def clock() -> FixedClock:
    return now_clock()  # X's reset headers are real time; the conftest's clock is March 2026


@pytest.fixture
def x(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> Iterator[XPublisher]:
    channel = publisher(runtime, fake_x, db_url, tmp_path, clock)
    yield channel
    channel.close()


def reconcile(runtime: Runtime, x: XPublisher, clock: FixedClock) -> dict[str, int]:
    return reconcile_all(runtime.sessions, {"x": x}, clock, "w1", CONFIG.lease, CONFIG.backoff_base)


def test_a_post_goes_out_with_its_receipt_and_cost(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime.sessions, clock, ["Rates rise again https://news.example.com/0"])
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    [stored] = fake_x.posts()
    post = get_post(runtime.sessions, pid)
    assert (post.state, post.remote_id) == ("published", stored.id)
    assert post.remote_url == f"https://x.com/i/web/status/{stored.id}"
    assert stored.text == "Rates rise again https://news.example.com/0"
    published = dict(events(runtime.sessions, pid))["published"]
    assert published["response"]["x_user_limit_remaining"] == "99"
    assert usage_rows(runtime.sessions) == [(clock.now().strftime("%Y-%m-%d"), 1, 0.02)]
    assert fake_x.state.auth_failures == []  # signed for the host it went to


def test_a_429_waits_until_x_says_and_gives_the_place_back(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime.sessions, clock, ["Later, please"])
    fake_x.fail("429")
    assert outbox(runtime.sessions, x, clock).drain() == {"retry": 1}
    post = get_post(runtime.sessions, pid)
    assert (post.state, post.attempts) == ("approved", 1)
    assert post.next_attempt_at is not None
    assert post.next_attempt_at >= clock.now() + timedelta(seconds=110)  # the fake resets in 120 s
    assert "429" in (post.error or "")
    assert usage_rows(runtime.sessions)[0][1:] == (0, 0.0)
    clock.advance(timedelta(seconds=200))
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    assert len(fake_x.posts()) == 1


def test_the_24_hour_limit_pauses_the_channel_without_counting_an_attempt(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    ids = make_posts(runtime.sessions, clock, ["First of two", "Second of two"])
    fake_x.fail("429_daily")
    assert outbox(runtime.sessions, x, clock).drain() == {"waiting": 1}
    for pid in ids:
        post = get_post(runtime.sessions, pid)
        assert post.state == "approved"
        assert "24-hour post limit" in (post.waiting_reason or "")
    assert get_post(runtime.sessions, ids[0]).attempts == 0
    state = channel_state(runtime.sessions)
    assert state is not None and state.paused_until is not None
    assert state.paused_until >= clock.now() + timedelta(seconds=110)
    assert fake_x.posts() == []


def test_credits_depleted_pauses_and_drops_nothing(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime.sessions, clock, ["Paid for later"])
    fake_x.fail("402")
    assert outbox(runtime.sessions, x, clock).drain() == {"waiting": 1}
    post = get_post(runtime.sessions, pid)
    assert (post.state, post.attempts) == ("approved", 0)
    assert "credits depleted" in (post.waiting_reason or "").lower()
    clock.advance(timedelta(minutes=31))
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    assert [p.text for p in fake_x.posts()] == ["Paid for later"]


@pytest.mark.parametrize(("fault", "words"), [("500", "500"), ("503", "503")])
def test_server_errors_are_retried(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock, fault: str, words: str
) -> None:
    [pid] = make_posts(runtime.sessions, clock, ["Server trouble"])
    fake_x.fail(fault)
    assert outbox(runtime.sessions, x, clock).drain() == {"retry": 1}
    assert words in (get_post(runtime.sessions, pid).error or "")
    clock.advance(CONFIG.backoff_cap)
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    assert len(fake_x.posts()) == 1


def test_401_fails_the_post_and_marks_the_channel_unhealthy(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime.sessions, clock, ["Nobody knows us"])
    fake_x.fail("401")
    assert outbox(runtime.sessions, x, clock).drain() == {"failed": 1}
    post = get_post(runtime.sessions, pid)
    assert post.state == "failed"
    assert "NEWSBOT_X__API_KEY" in (post.error or "")
    state = channel_state(runtime.sessions)
    assert state is not None and state.healthy is False
    assert "401" in state.detail["error"]
    # the next good answer shows the credentials work again
    make_posts(runtime.sessions, clock, ["We are back"])
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    state = channel_state(runtime.sessions)
    assert state is not None and state.healthy is True and "error" not in state.detail


def test_wrong_credentials_get_xs_own_401(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    channel = publisher(
        runtime, fake_x, db_url, tmp_path, clock, access_token_secret="not-the-right-one"
    )
    [pid] = make_posts(runtime.sessions, clock, ["Signed wrong"])
    assert outbox(runtime.sessions, channel, clock).drain() == {"failed": 1}
    assert fake_x.state.auth_failures == ["POST /2/tweets"]
    assert "refused the credentials" in (get_post(runtime.sessions, pid).error or "")
    channel.close()


@pytest.mark.parametrize(
    ("fault", "words"),
    [("403_forbidden", "not permitted"), ("403_oauth1_permissions", "Read and Write")],
)
def test_other_403s_fail_and_mark_unhealthy(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock, fault: str, words: str
) -> None:
    [pid] = make_posts(runtime.sessions, clock, ["Forbidden words"])
    fake_x.fail(fault)
    assert outbox(runtime.sessions, x, clock).drain() == {"failed": 1}
    assert words in (get_post(runtime.sessions, pid).error or "")
    state = channel_state(runtime.sessions)
    assert state is not None and state.healthy is False


def test_a_duplicate_of_someone_elses_post_fails(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime.sessions, clock, ["Said before"])
    fake_x.fail("403_duplicate")
    assert outbox(runtime.sessions, x, clock).drain() == {"failed": 1}
    post = get_post(runtime.sessions, pid)
    assert "duplicate content" in (post.error or "")
    assert usage_rows(runtime.sessions)[0][1] == 0  # nothing sent, nothing counted
    state = channel_state(runtime.sessions)
    assert state is None or state.healthy  # a duplicate says nothing about the credentials


def test_a_duplicate_of_our_own_earlier_post_is_that_post(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    text = "Already out https://news.example.com/7"
    [pid] = make_posts(runtime.sessions, clock, [text])
    earlier = fake_x.state.store_post(text, [], clock.now().timestamp())  # an attempt that got out
    assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    post = get_post(runtime.sessions, pid)
    assert post.remote_id == earlier.id
    notes = dict(events(runtime.sessions, pid))["published"]["notes"]
    assert any("duplicate" in note for note in notes)
    assert len(fake_x.posts()) == 1


@pytest.mark.parametrize(
    ("fault", "stored", "outcome"),
    [
        ("drop_after_store", True, "found"),
        ("hang_after_store", True, "found"),
        ("hang", False, "not_found"),
        ("drop_before_store", False, "not_found"),
    ],
)
def test_a_lost_answer_is_reconciled_and_goes_out_exactly_once(
    runtime: Runtime,
    x: XPublisher,
    fake_x: FakeX,
    clock: FixedClock,
    fault: str,
    stored: bool,
    outcome: str,
) -> None:
    text = "Exactly once https://news.example.com/once & <more>"
    [pid] = make_posts(runtime.sessions, clock, [text])
    fake_x.fail(fault)
    assert outbox(runtime.sessions, x, clock).drain() == {"unknown": 1}
    assert get_post(runtime.sessions, pid).state == "unknown"
    assert len(fake_x.posts()) == (1 if stored else 0)
    assert reconcile(runtime, x, clock) == {outcome: 1}
    if not stored:
        assert outbox(runtime.sessions, x, clock).drain() == {"published": 1}
    [only] = fake_x.posts()
    post = get_post(runtime.sessions, pid)
    assert (post.state, post.remote_id) == ("published", only.id)
    assert usage_rows(runtime.sessions)[0][1] == 1  # one post, counted once


def test_connection_refused_is_transient(
    runtime: Runtime, fake_x: FakeX, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    with FakeX() as closed:
        base = closed.base_url
    channel = publisher(runtime, fake_x, db_url, tmp_path, clock, base_url=base)
    [pid] = make_posts(runtime.sessions, clock, ["Nobody listening"])
    assert outbox(runtime.sessions, channel, clock).drain() == {"retry": 1}
    assert "could not reach X" in (get_post(runtime.sessions, pid).error or "")
    channel.close()


def test_publish_raises_the_protocols_classes(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime.sessions, clock, ["Classes"])
    item = OutgoingPost(
        pid,
        1,
        "x",
        "Classes",
        "Story 0",
        "https://news.example.com/0",
        first_attempt_at=clock.now(),
    )
    for fault, kind in [
        ("429", TransientError), ("402", ChannelPaused), ("500", TransientError),
        ("401", PermanentError), ("403_forbidden", PermanentError),
        ("hang", UnknownOutcome), ("drop_before_store", UnknownOutcome),
    ]:  # fmt: skip
        fake_x.fail(fault)
        with pytest.raises(kind):
            x.publish(item)
    assert x.publish(item).remote_id == fake_x.posts()[0].id
    fake_x.fail("429_daily")
    with pytest.raises(ChannelPaused):
        x.publish(replace(item, text="After the limit"))
    # X's answer is remembered: until its reset, no request is even tried
    sent = len(fake_x.requests("POST", "/2/tweets"))
    with pytest.raises(ChannelPaused, match="24-hour"):
        x.publish(replace(item, text="Still after the limit"))
    assert len(fake_x.requests("POST", "/2/tweets")) == sent


def test_find_looks_only_inside_the_attempts_window(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    fake_x.state.store_post("Old news", [], clock.now().timestamp() - 3600)
    item = OutgoingPost(
        1, 1, "x", "Old news", "t", "https://news.example.com/0", first_attempt_at=clock.now()
    )
    assert x.find(item) is None
    earlier = OutgoingPost(
        1, 1, "x", "Old news", "t", "u", first_attempt_at=clock.now() - timedelta(hours=2)
    )
    found = x.find(earlier)
    assert found is not None and found.remote_id == fake_x.posts()[0].id


def test_withdraw_deletes_on_x_and_a_second_delete_is_harmless(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime.sessions, clock, ["To be corrected"])
    outbox(runtime.sessions, x, clock).drain()
    post = get_post(runtime.sessions, pid)
    receipt = Receipt("x", post.remote_id or "", post.remote_url)
    x.delete(receipt)
    assert fake_x.posts() == []
    assert fake_x.posts(include_deleted=True)[0].deleted
    x.delete(receipt)  # X answers 404: it is gone, which is what was wanted


@pytest.mark.slow
def test_random_faults_still_publish_every_post_exactly_once(
    runtime: Runtime, x: XPublisher, fake_x: FakeX, clock: FixedClock
) -> None:
    """30 % of creates fail at random (500, 429, hang, dropped after storing): every post
    still ends published once, with the id X gave it."""
    actions = ["500", "429", "hang", "drop_after_store"]
    fake_x.plan({"random": {"rate": 0.3, "actions": actions, "seed": 1}, "hang_seconds": 1.5})
    texts = [f"Chaos {n} https://news.example.com/chaos/{n}" for n in range(12)]
    ids = make_posts(runtime.sessions, clock, texts)
    box = outbox(runtime.sessions, x, clock)
    for _round in range(40):
        reconcile(runtime, x, clock)
        box.drain()
        if all(get_post(runtime.sessions, pid).state == "published" for pid in ids):
            break
        clock.advance(timedelta(minutes=10))
    stored = fake_x.posts()
    assert sorted(p.text for p in stored) == sorted(texts)
    by_text = {p.text: p.id for p in stored}
    for pid, text in zip(ids, texts, strict=True):
        post = get_post(runtime.sessions, pid)
        assert (post.state, post.remote_id) == ("published", by_text[text])
    faults = [r.get("action") for r in fake_x.requests("POST", "/2/tweets")]
    assert set(actions) <= set(faults)  # every kind of fault happened at least once
