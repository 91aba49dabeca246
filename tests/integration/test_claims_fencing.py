"""A claim is held while its worker lives and lost when it freezes: what each side may do.

- a live worker whose send outlasts the lease keeps the post (the heartbeat), so nobody
  reconciles or resends it meanwhile;
- a worker that froze past its lease changes nothing it no longer holds; a copy it got
  out anyway is recorded if the post has none, or reported as ``duplicate``;
- a channel that saves its state before sending (reserved ids, quota) is stopped there.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import audit
from bot.channels.base import OutgoingPost, Receipt
from bot.clock import Clock, FixedClock, SystemClock
from bot.outbox.engine import Outbox, OutboxConfig
from bot.outbox.reconcile import reconcile_all
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import Post
from tests.conftest import make_settings, migrated
from tests.fakes.scripted_channel import ScriptedChannel
from tests.posts import add_article, add_post


def config(lease: float) -> OutboxConfig:
    return OutboxConfig(
        max_attempts=5,
        backoff_base=timedelta(seconds=0.1),
        backoff_cap=timedelta(seconds=1),
        lease=timedelta(seconds=lease),
        stale_after=timedelta(hours=2),
    )


def approved_post(runtime: Runtime, clock: Clock) -> int:
    with transaction(runtime.sessions) as session:
        article = add_article(session, clock.now(), "https://n.example/1", guid="g1")
        text = "Story https://n.example/1"
        return add_post(session, article, text, clock.now(), approved_by="ed").id


def actions_of(runtime: Runtime, post_id: int) -> list[str]:
    with runtime.sessions() as session:
        return [e.action for e in audit.query(session, post_id=post_id)]


def get(runtime: Runtime, post_id: int) -> Post:
    with runtime.sessions() as session:
        return session.get_one(Post, post_id)


class Gate(ScriptedChannel):
    """The first send waits at ``hold`` (before reaching the platform) until released."""

    def __init__(self, before_send: Any = None) -> None:
        super().__init__("x")
        self.waiting = threading.Event()
        self.release = threading.Event()
        self.before_send = before_send
        self._first = True

    def publish(self, post: OutgoingPost) -> Receipt:
        if self._first:
            self._first = False
            self.waiting.set()
            assert self.release.wait(30)
            if self.before_send is not None:
                self.before_send(post)
        return super().publish(post)


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Any:
    rt = Runtime(make_settings(db_url, tmp_path), clock=SystemClock())
    yield rt
    rt.close()


def test_a_send_slower_than_the_lease_keeps_its_claim(live: Runtime) -> None:
    """Another replica reconciling and publishing all along never touches the post."""
    clock = SystemClock()
    pid = approved_post(live, clock)
    platform = ScriptedChannel("x")
    lease = 0.6
    sending = threading.Event()

    class Slow:
        name = "x"

        def publish(self, post: OutgoingPost) -> Receipt:
            sending.set()
            time.sleep(lease * 4)
            return platform.publish(post)

        def find(self, post: OutgoingPost) -> Receipt | None:
            return platform.find(post)

    slow = Outbox(live.sessions, {"x": Slow()}, clock, config(lease), "slow")  # type: ignore[dict-item]
    other = Outbox(live.sessions, {"x": platform}, clock, config(lease), "other")
    done = threading.Event()

    def other_replica() -> None:
        while not done.is_set():
            reconcile_all(
                live.sessions,
                {"x": platform},
                clock,
                "other",
                timedelta(seconds=lease),
                timedelta(seconds=0.1),
            )
            other.drain()
            time.sleep(0.05)

    outcome: list[str | None] = []
    sender = threading.Thread(target=lambda: outcome.append(slow.publish_one()))
    sender.start()
    assert sending.wait(10)  # the slow worker holds the post; now the other one works
    thread = threading.Thread(target=other_replica)
    thread.start()
    sender.join(30)
    done.set()
    thread.join(10)
    assert outcome == ["published"]
    assert get(live, pid).state == "published"
    assert platform.sends_of(pid) == 1
    assert platform.find_calls == 0
    assert actions_of(live, pid) == ["approved", "claimed", "published"]


def frozen_worker(
    runtime: Runtime, clock: FixedClock, channel: Gate
) -> tuple[threading.Thread, list[str | None]]:
    """Worker A claims and then freezes inside its send (no heartbeat fires: the lease is
    a minute of wall time, the test takes a second)."""
    outcome: list[str | None] = []
    outbox = Outbox(runtime.sessions, {"x": channel}, clock, config(60), "A", random.Random(1))
    thread = threading.Thread(target=lambda: outcome.append(outbox.publish_one()))
    thread.start()
    assert channel.waiting.wait(10)
    return thread, outcome


def take_over(runtime: Runtime, clock: FixedClock, channel: ScriptedChannel) -> None:
    """A's lease runs out; B looks the post up, finds nothing, and sends it."""
    clock.advance(timedelta(seconds=61))
    counts = reconcile_all(
        runtime.sessions, {"x": channel}, clock, "B", timedelta(seconds=60), timedelta(0)
    )
    assert counts == {"not_found": 1}
    b = Outbox(runtime.sessions, {"x": channel}, clock, config(60), "B", random.Random(2))
    assert b.drain() == {"published": 1}


def test_a_frozen_worker_that_wakes_reports_its_second_copy(
    runtime: Runtime, clock: FixedClock
) -> None:
    pid = approved_post(runtime, clock)
    channel = Gate()
    thread, outcome = frozen_worker(runtime, clock, channel)
    take_over(runtime, clock, channel)
    channel.release.set()  # A wakes and its request goes out after all
    thread.join(10)
    assert outcome == ["duplicate"]
    post = get(runtime, pid)
    assert (post.state, post.remote_id) == ("published", "x-1")  # B's copy is the record
    assert channel.sends_of(pid) == 2
    with runtime.sessions() as session:
        [event] = audit.query(session, post_id=pid, actions=["duplicate"])
    assert (event.detail["remote_id"], event.detail["kept"]) == ("x-2", "x-1")


def test_a_channel_that_saves_before_sending_stops_a_frozen_worker(
    runtime: Runtime, clock: FixedClock
) -> None:
    pid = approved_post(runtime, clock)
    channel = Gate(before_send=lambda post: post.persist({"reserved": "abc"}))
    thread, outcome = frozen_worker(runtime, clock, channel)
    take_over(runtime, clock, channel)
    channel.release.set()
    thread.join(10)
    assert outcome == ["lost"]  # A's persist found the post no longer A's: nothing sent
    assert channel.sends_of(pid) == 1
    post = get(runtime, pid)
    assert (post.state, post.remote_id, post.channel_data) == ("published", "x-1", {})
    assert "duplicate" not in actions_of(runtime, pid)


def test_a_frozen_worker_whose_copy_was_found_records_nothing_twice(
    runtime: Runtime, clock: FixedClock
) -> None:
    """A's send did reach the platform before it froze; B's lookup finds it; A's late
    answer then agrees with the record."""
    pid = approved_post(runtime, clock)

    class SentThenFrozen(Gate):
        def publish(self, post: OutgoingPost) -> Receipt:
            receipt = ScriptedChannel.publish(self, post)
            self.waiting.set()
            assert self.release.wait(30)
            return receipt

    channel = SentThenFrozen()
    thread, outcome = frozen_worker(runtime, clock, channel)
    clock.advance(timedelta(seconds=61))
    counts = reconcile_all(
        runtime.sessions, {"x": channel}, clock, "B", timedelta(seconds=60), timedelta(0)
    )
    assert counts == {"found": 1}
    channel.release.set()
    thread.join(10)
    assert outcome == ["published"]
    assert channel.sends_of(pid) == 1
    assert actions_of(runtime, pid) == ["approved", "claimed", "unknown", "reconciled"]


def test_an_outcome_waits_out_a_locked_sqlite_database(tmp_path: Path) -> None:
    """Another process holds SQLite's write lock for a while: the outcome is written once
    the lock is free; nothing fails."""
    url = migrated(f"sqlite:///{tmp_path / 'locked.db'}")
    clock = FixedClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    rt = Runtime(make_settings(url, tmp_path), clock=clock)
    pid = approved_post(rt, clock)
    locked = threading.Event()

    class LockDuringSend(ScriptedChannel):
        def publish(self, post: OutgoingPost) -> Receipt:
            receipt = super().publish(post)

            def hold() -> None:
                other = sqlite3.connect(tmp_path / "locked.db", timeout=30)
                other.execute("BEGIN IMMEDIATE")
                locked.set()
                time.sleep(2.0)
                other.rollback()
                other.close()

            threading.Thread(target=hold).start()
            assert locked.wait(5)
            return receipt

    outbox = Outbox(rt.sessions, {"x": LockDuringSend("x")}, clock, config(60), "w")
    started = time.monotonic()
    assert outbox.publish_one() == "published"
    assert time.monotonic() - started >= 1.5  # it did wait for the lock
    assert get(rt, pid).state == "published"
    rt.close()
