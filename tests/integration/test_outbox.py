"""The outbox on real databases: every approved post goes out once, or a person sees why."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import audit
from bot.clock import FixedClock
from bot.desk import changes
from bot.desk.commands import Edit
from bot.desk.errors import Refused
from bot.errors import ChannelPaused, PermanentError, TransientError, UnknownOutcome
from bot.outbox.engine import Outbox, OutboxConfig, outgoing
from bot.outbox.reconcile import reconcile_all
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import Attempt, Post
from tests.fakes.scripted_channel import ScriptedChannel
from tests.posts import make_posts

CONFIG = OutboxConfig(
    max_attempts=3,
    backoff_base=timedelta(seconds=10),
    backoff_cap=timedelta(minutes=5),
    lease=timedelta(seconds=60),
    stale_after=timedelta(hours=2),
    settle=timedelta(seconds=10),
)


@pytest.fixture
def channel() -> ScriptedChannel:
    return ScriptedChannel("x")


@pytest.fixture
def outbox(runtime: Runtime, channel: ScriptedChannel, clock: FixedClock) -> Outbox:
    return Outbox(runtime.sessions, {"x": channel}, clock, CONFIG, "w1", random.Random(3))


def post(runtime: Runtime, post_id: int) -> Post:
    with runtime.sessions() as session:
        return session.get_one(Post, post_id)


def actions_of(runtime: Runtime, post_id: int) -> list[str]:
    with runtime.sessions() as session:
        return [e.action for e in audit.query(session, post_id=post_id)]


def test_an_approved_post_goes_out_once(
    runtime: Runtime, outbox: Outbox, channel: ScriptedChannel, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime, clock, 1)
    assert outbox.drain() == {"published": 1}
    assert outbox.drain() == {}
    p = post(runtime, pid)
    assert (p.state, p.remote_id, p.attempts) == ("published", "x-1", 1)
    assert channel.sends_of(pid) == 1
    assert actions_of(runtime, pid) == ["approved", "claimed", "published"]


def test_transient_errors_back_off_then_fail_for_good_then_retry(
    runtime: Runtime, outbox: Outbox, channel: ScriptedChannel, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime, clock, 1)
    channel.script = [
        TransientError("HTTP 503", retry_after=30),
        TransientError("HTTP 503"),
        TransientError("HTTP 503"),
    ]
    assert outbox.drain() == {"retry": 1}
    p = post(runtime, pid)
    assert p.state == "approved" and p.next_attempt_at is not None
    assert p.next_attempt_at >= clock.now() + timedelta(seconds=30)  # Retry-After is a floor
    assert outbox.drain() == {}  # not due yet
    clock.set(p.next_attempt_at)
    assert outbox.drain() == {"retry": 1}
    clock.advance(timedelta(minutes=10))
    assert outbox.drain() == {"failed": 1}
    p = post(runtime, pid)
    assert p.state == "failed" and "gave up after 3 attempts" in (p.error or "")
    with transaction(runtime.sessions) as session:
        changes.retry(session, session.get_one(Post, pid), "ed", clock.now())
    assert outbox.drain() == {"published": 1}
    assert channel.sends_of(pid) == 1
    assert actions_of(runtime, pid)[-3:] == ["retried", "claimed", "published"]
    with runtime.sessions() as session:
        outcomes = [
            a.outcome
            for a in session.scalars(
                select(Attempt).where(Attempt.post_id == pid).order_by(Attempt.id)
            )
        ]
    assert outcomes == ["transient", "transient", "transient", "published"]


def test_a_permanent_error_fails_at_once(
    runtime: Runtime, outbox: Outbox, channel: ScriptedChannel, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime, clock, 1)
    channel.script = [PermanentError("HTTP 401: bad credentials")]
    assert outbox.drain() == {"failed": 1}
    p = post(runtime, pid)
    assert (p.state, p.error) == ("failed", "HTTP 401: bad credentials")


@pytest.mark.parametrize("stored", [True, False])
def test_an_unknown_outcome_is_reconciled_before_any_resend(
    runtime: Runtime, outbox: Outbox, channel: ScriptedChannel, clock: FixedClock, stored: bool
) -> None:
    [pid] = make_posts(runtime, clock, 1)
    channel.script = [UnknownOutcome("read timeout")]
    channel.store_then_raise = stored
    assert outbox.drain() == {"unknown": 1}
    assert outbox.drain() == {}  # never resent blindly
    channel.store_then_raise = False
    # a request the platform was still working on may land late: give it time first
    assert (
        reconcile_all(
            runtime.sessions, {"x": channel}, clock, "w1", CONFIG.lease, CONFIG.backoff_base
        )
        == {}
    )
    assert channel.find_calls == 0
    clock.advance(CONFIG.settle)
    counts = reconcile_all(
        runtime.sessions, {"x": channel}, clock, "w1", CONFIG.lease, CONFIG.backoff_base
    )
    assert counts == ({"found": 1} if stored else {"not_found": 1})
    outbox.drain()
    assert post(runtime, pid).state == "published"
    assert channel.sends_of(pid) == 1
    assert "reconciled" in actions_of(runtime, pid)


def test_a_worker_that_died_mid_send_is_reconciled(
    runtime: Runtime, outbox: Outbox, channel: ScriptedChannel, clock: FixedClock
) -> None:
    [pid] = make_posts(runtime, clock, 1)
    claimed = outbox.claim()  # the worker claims, sends, and dies before recording
    assert claimed is not None
    channel.publish(outgoing(claimed[0]))
    assert outbox.drain() == {}  # still leased
    clock.advance(CONFIG.lease + timedelta(seconds=1))
    assert reconcile_all(
        runtime.sessions, {"x": channel}, clock, "w2", CONFIG.lease, CONFIG.backoff_base
    ) == {"found": 1}
    assert post(runtime, pid).state == "published"
    assert channel.sends_of(pid) == 1
    assert actions_of(runtime, pid)[-2:] == ["unknown", "reconciled"]


def test_a_paused_channel_holds_posts_in_approval_order(
    runtime: Runtime, outbox: Outbox, channel: ScriptedChannel, clock: FixedClock
) -> None:
    ids = make_posts(runtime, clock, 3)
    channel.script = [
        ChannelPaused("daily cap of 0 reached", until=clock.now() + timedelta(hours=1))
    ]
    assert outbox.drain() == {"waiting": 1}
    for pid in ids:
        p = post(runtime, pid)
        assert p.state == "approved" and p.attempts == 0
        assert p.waiting_reason == "daily cap of 0 reached"
    clock.advance(timedelta(minutes=59))
    assert outbox.drain() == {}
    clock.advance(timedelta(minutes=2))
    assert outbox.drain() == {"published": 3}
    assert [p.post_id for p in channel.sent.values()] == ids


def test_a_scheduled_post_waits_then_goes_or_is_held_when_stale(
    runtime: Runtime, outbox: Outbox, clock: FixedClock
) -> None:
    a, b = make_posts(runtime, clock, 2, approve=False)
    with transaction(runtime.sessions) as session:
        changes.approve(
            session,
            session.get_one(Post, a),
            "ed",
            clock.now(),
            at=clock.now() + timedelta(hours=1),
        )
        changes.approve(
            session,
            session.get_one(Post, b),
            "ed",
            clock.now(),
            at=clock.now() + timedelta(hours=2),
        )
    assert post(runtime, a).state == "scheduled"
    assert outbox.drain() == {}
    clock.advance(timedelta(hours=1))
    assert outbox.drain() == {"published": 1}
    # the worker is down all night; b's time passes by more than stale_after
    clock.advance(timedelta(hours=6))
    assert outbox.drain() == {}
    assert runtime.maintenance_round()["held"] == 1
    assert post(runtime, b).state == "pending_review"
    assert actions_of(runtime, b)[-1] == "held"


def test_drafts_expire_after_their_ttl(runtime: Runtime, clock: FixedClock) -> None:
    [pid] = make_posts(runtime, clock, 1, approve=False)
    with transaction(runtime.sessions) as session:
        session.get_one(Post, pid).expires_at = clock.now() + timedelta(hours=24)
    assert runtime.maintenance_round()["expired"] == 0
    clock.advance(timedelta(hours=24, seconds=1))
    assert runtime.maintenance_round()["expired"] == 1
    assert post(runtime, pid).state == "expired"


def test_illegal_review_actions_are_refused(
    runtime: Runtime, clock: FixedClock, outbox: Outbox, tmp_path: Path
) -> None:
    a, b = make_posts(runtime, clock, 2, approve=False)
    with transaction(runtime.sessions) as session:
        changes.reject(session, session.get_one(Post, a), "ed", clock.now(), note="off-topic")
    with (
        pytest.raises(Refused, match="is rejected; it cannot be approved"),
        transaction(runtime.sessions) as session,
    ):
        changes.approve(session, session.get_one(Post, a), "ed", clock.now())
    with transaction(runtime.sessions) as session:
        changes.approve(session, session.get_one(Post, b), "ed", clock.now())
    outbox.drain()
    published = post(runtime, b).text
    with (
        pytest.raises(Refused, match="is published; it cannot be edited"),
        transaction(runtime.sessions) as session,
    ):
        changes.edit(
            session, session.get_one(Post, b), "ed", clock.now(), Edit(b, text="new words")
        )
    assert post(runtime, b).text == published != "new words"


def test_two_person_rule(runtime: Runtime, clock: FixedClock) -> None:
    [pid] = make_posts(runtime, clock, 1, approve=False)
    with transaction(runtime.sessions) as session:
        changes.edit(
            session,
            session.get_one(Post, pid),
            "alice",
            clock.now(),
            Edit(pid, text="Better words https://n.example/0"),
        )
    with (
        pytest.raises(Refused, match="another editor must approve"),
        transaction(runtime.sessions) as session,
    ):
        changes.approve(session, session.get_one(Post, pid), "alice", clock.now(), two_person=True)
    with transaction(runtime.sessions) as session:
        changes.approve(session, session.get_one(Post, pid), "bob", clock.now(), two_person=True)
    assert post(runtime, pid).state == "approved"


def test_an_over_long_post_cannot_be_approved(runtime: Runtime, clock: FixedClock) -> None:
    [pid] = make_posts(runtime, clock, 1, approve=False)
    with transaction(runtime.sessions) as session:
        changes.edit(
            session, session.get_one(Post, pid), "ed", clock.now(), Edit(pid, text="word " * 80)
        )
    with (
        pytest.raises(Refused, match="399/280 on x; shorten it"),
        transaction(runtime.sessions) as session,
    ):
        changes.approve(session, session.get_one(Post, pid), "ed", clock.now())


def failed_count(channel: str) -> float:
    from prometheus_client import REGISTRY

    value = REGISTRY.get_sample_value("newsbot_posts_failed_total", {"channel": channel})
    return value or 0.0


def test_a_dead_letter_is_counted_listed_and_retried_from_the_cli(
    runtime: Runtime, outbox: Outbox, channel: ScriptedChannel, clock: FixedClock, cli: Any
) -> None:
    """After NEWSBOT_MAX_ATTEMPTS the post is failed with its last error; the metric counts
    it; `drafts list --state failed` shows it; `drafts retry` sends it again."""
    [pid] = make_posts(runtime, clock, 1)
    before = failed_count("x")
    channel.script = [TransientError(f"HTTP 503 (try {n})") for n in (1, 2, 3)]
    for _ in range(3):
        outbox.drain()
        clock.advance(CONFIG.backoff_cap)
    assert post(runtime, pid).state == "failed"
    assert failed_count("x") == before + 1

    listed = [
        json.loads(line)
        for line in cli.ok("drafts", "list", "--state", "failed", "--json").stdout.splitlines()
    ]
    assert [(d["id"], d["state"], d["attempts"]) for d in listed] == [(pid, "failed", 3)]
    assert listed[0]["error"] == "gave up after 3 attempts: HTTP 503 (try 3)"
    assert f"post {pid}: approved" in cli.ok("drafts", "retry", str(pid)).stdout
    assert post(runtime, pid).state == "approved"
    assert outbox.drain() == {"published": 1}
    assert actions_of(runtime, pid)[-4:] == ["failed", "retried", "claimed", "published"]
    with runtime.sessions() as session:
        [retried] = audit.query(session, post_id=pid, actions=["retried"])
    assert (retried.actor, retried.detail["previous_error"]) == ("cli", listed[0]["error"])


def test_only_a_failed_post_can_be_retried(runtime: Runtime, clock: FixedClock, cli: Any) -> None:
    [pid] = make_posts(runtime, clock, 1)
    result = cli("drafts", "retry", str(pid))
    assert result.returncode == 2
    assert "is approved; only failed posts can be retried" in result.stderr
