"""Withdrawing a published post calls the platform with no transaction open: other writers
go on meanwhile (on SQLite one open write transaction holds them all), two withdrawals
never both delete, and a delete that fails leaves the post published with the error."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.base import Health, OutgoingPost, Publisher, Receipt
from bot.desk import changes
from bot.desk.commands import Withdraw
from bot.desk.errors import PlatformRefused, Refused
from bot.desk.service import Desk
from bot.errors import PermanentError
from bot.outbox.states import State
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import AuditEvent, Source
from tests.browser.webapp import post_state, seed_drafts

SLOW = 2.0


class SlowChannel:
    """A platform that takes ``SLOW`` seconds to delete, then deletes (or refuses)."""

    name = "x"

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.deletes: list[Receipt] = []
        self.started = threading.Event()

    def publish(self, post: OutgoingPost) -> Receipt:  # pragma: no cover - not used here
        raise AssertionError("withdraw never publishes")

    def find(self, post: OutgoingPost) -> Receipt | None:  # pragma: no cover
        return None

    def delete(self, receipt: Receipt) -> None:
        self.deletes.append(receipt)
        self.started.set()
        time.sleep(SLOW)
        if self.refuse:
            raise PermanentError("403 You are not allowed to delete this post")

    def check(self) -> Health:  # pragma: no cover
        return Health(True, "ok")

    def watch(self) -> Health | None:  # pragma: no cover
        return None

    def close(self) -> None:
        pass


def _published(runtime: Runtime) -> int:
    [post_id] = seed_drafts(runtime, 1, channels=("x",), state=State.PUBLISHED)
    with transaction(runtime.sessions) as session:
        changes.get_post(session, post_id).remote_id = "1234"
    return post_id


def _desk(runtime: Runtime, channel: SlowChannel) -> Desk:
    channels: dict[str, Publisher] = {"x": channel}
    return dataclasses.replace(runtime.desk(), channels=lambda: channels)


def _in_thread(fn: Any) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # handed to the test
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_other_writers_commit_while_the_platform_deletes(runtime: Runtime) -> None:
    post_id = _published(runtime)
    channel = SlowChannel()
    desk = _desk(runtime, channel)
    thread, errors = _in_thread(lambda: desk.withdraw(Withdraw(post_id, "correction"), "ed"))
    assert channel.started.wait(10)
    started = time.monotonic()
    with transaction(runtime.sessions) as session:  # the worker, the dashboard: any writer
        session.add(Source(url="https://n.example/feed", created_at=runtime.clock.now()))
    took = time.monotonic() - started
    # a second withdrawal meanwhile does not delete again
    with pytest.raises(Refused, match="is being withdrawn already"):
        desk.withdraw(Withdraw(post_id, "again"), "bob")
    thread.join(10)
    assert not errors
    assert took < SLOW / 2, f"a writer waited {took:.2f}s for the platform"
    assert len(channel.deletes) == 1 and channel.deletes[0].remote_id == "1234"
    assert post_state(runtime, post_id) == State.WITHDRAWN
    with runtime.sessions() as session:
        post = changes.get_post(session, post_id)
        assert post.claimed_by is None and post.lease_until is None
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "withdrawn"))
    assert event.actor == "ed" and event.detail["reason"] == "correction"


def test_a_refused_delete_leaves_the_post_published_with_the_error(runtime: Runtime) -> None:
    post_id = _published(runtime)
    channel = SlowChannel(refuse=True)
    with pytest.raises(PlatformRefused, match="could not be taken down: 403 You are not"):
        _desk(runtime, channel).withdraw(Withdraw(post_id, "correction"), "ed")
    with runtime.sessions() as session:
        post = changes.get_post(session, post_id)
        assert post.state == State.PUBLISHED and post.claimed_by is None
        assert post.error == "withdraw failed: 403 You are not allowed to delete this post"
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "withdraw_failed" in actions and "withdrawn" not in actions
    # the claim is released: the next try reaches the platform again
    channel.refuse = False
    _desk(runtime, channel).withdraw(Withdraw(post_id, "correction"), "ed")
    assert post_state(runtime, post_id) == State.WITHDRAWN and len(channel.deletes) == 2


def test_an_approved_post_is_cancelled_without_the_platform(runtime: Runtime) -> None:
    [post_id] = seed_drafts(runtime, 1, channels=("x",), state=State.APPROVED)
    channel = SlowChannel()
    _desk(runtime, channel).withdraw(Withdraw(post_id, "not now"), "ed")
    assert post_state(runtime, post_id) == State.WITHDRAWN and channel.deletes == []
