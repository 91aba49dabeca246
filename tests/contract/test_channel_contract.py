"""The channel contract: what every channel promises the desk, run against each backend's
own fake through the real publisher (built by the registry) and the real outbox engine.

Each backend's adapter (``*_adapter.py``) says how to make its fake misbehave and what its
platform promises; the cases below are the same for all.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import audit
from bot.channels.registry import LIMITS, measure
from bot.clock import FixedClock
from bot.desk.commands import Approve, Withdraw
from bot.desk.errors import Refused
from bot.errors import BotError
from bot.outbox.engine import Outbox
from bot.outbox.reconcile import reconcile_all
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import Post
from tests.conftest import Cli, cli_env
from tests.contract.adapter import Backend
from tests.contract.conftest import CONFIG, contract_runtime
from tests.posts import add_article, add_post


def draft(runtime: Runtime, backend: Backend, clock: FixedClock, text: str | None = None) -> int:
    """A post of a new article on the backend's channel, waiting for review."""
    url = f"https://news.example.com/{uuid.uuid4().hex[:10]}"
    with transaction(runtime.sessions) as session:
        article = add_article(session, clock.now(), url, title="Council approves budget")
        body = text if text is not None else f"Council approves budget {url}"
        return add_post(session, article, body, clock.now(), channel=backend.channel).id


def approve(runtime: Runtime, post_id: int, clock: FixedClock) -> None:
    runtime.desk().approve(Approve(post_id), "ed")


def approved(runtime: Runtime, backend: Backend, clock: FixedClock, text: str | None = None) -> int:
    post_id = draft(runtime, backend, clock, text)
    approve(runtime, post_id, clock)
    return post_id


def get(runtime: Runtime, post_id: int) -> Post:
    with runtime.sessions() as session:
        return session.get_one(Post, post_id)


def logged(runtime: Runtime, post_id: int) -> list[tuple[str, dict[str, Any]]]:
    with runtime.sessions() as session:
        return [(e.action, e.detail) for e in audit.query(session, post_id=post_id)]


def settle(runtime: Runtime, outbox: Outbox, clock: FixedClock, post_id: int) -> Post:
    """Rounds of reconciling and sending, as the worker runs them, until the post is out."""
    for _round in range(4):
        reconcile_all(
            runtime.sessions, runtime.channels, clock, "w1", CONFIG.lease, CONFIG.backoff_base
        )
        outbox.drain()
        post = get(runtime, post_id)
        if post.state == "published":
            return post
        clock.advance(CONFIG.backoff_cap + timedelta(minutes=2))
    return get(runtime, post_id)


def test_a_post_is_published_with_the_platforms_id(
    runtime: Runtime, backend: Backend, outbox: Outbox, clock: FixedClock
) -> None:
    post_id = approved(runtime, backend, clock)
    assert outbox.drain() == {"published": 1}
    post = get(runtime, post_id)
    assert post.state == "published" and post.remote_id
    assert backend.stored() == 1
    assert [a for a, _ in logged(runtime, post_id)][-1] == "published"


def test_a_transient_error_is_retried_after_the_platforms_wait(
    runtime: Runtime, backend: Backend, outbox: Outbox, clock: FixedClock
) -> None:
    post_id = approved(runtime, backend, clock)
    wait = backend.transient()
    assert outbox.drain() == {"retry": 1}
    post = get(runtime, post_id)
    assert (post.state, post.attempts) == ("approved", 1)
    assert post.next_attempt_at is not None
    # never sooner than the platform asked (a second of slack for its clock and ours)
    assert post.next_attempt_at >= clock.now() + timedelta(seconds=wait - 1)
    assert backend.stored() == 0
    clock.advance(timedelta(seconds=wait) + CONFIG.backoff_cap)
    assert outbox.drain() == {"published": 1}
    assert backend.stored() == 1


def test_a_permanent_error_fails_the_post_with_the_platforms_message(
    runtime: Runtime, backend: Backend, outbox: Outbox, clock: FixedClock
) -> None:
    post_id = approved(runtime, backend, clock)
    message = backend.permanent()
    assert outbox.drain() == {"failed": 1}
    post = get(runtime, post_id)
    assert post.state == "failed"
    assert message in (post.error or "")
    failed = [detail for action, detail in logged(runtime, post_id) if action == "failed"]
    assert failed and message in str(failed[-1])
    assert backend.stored() == 0


@pytest.mark.parametrize("stored", [False, True], ids=["before-store", "after-store"])
def test_a_lost_answer_is_reconciled_and_goes_out_once(
    runtime: Runtime, backend: Backend, outbox: Outbox, clock: FixedClock, stored: bool
) -> None:
    post_id = approved(
        runtime, backend, clock, "Exactly once https://news.example.com/once & <more>"
    )
    lost = backend.lose_answer(stored)
    outbox.drain()
    assert get(runtime, post_id).state == lost.state
    assert backend.stored() == (1 if stored else 0)
    post = settle(runtime, outbox, clock, post_id)
    assert post.state == "published"
    assert backend.stored() == lost.final_stored
    actions_seen = [a for a, _ in logged(runtime, post_id)]
    if lost.state == "unknown":
        assert "unknown" in actions_seen and "reconciled" in actions_seen


def test_withdraw_takes_the_post_down_or_says_why_not(
    runtime: Runtime, backend: Backend, outbox: Outbox, clock: FixedClock
) -> None:
    post_id = approved(runtime, backend, clock)
    outbox.drain()
    refused = backend.withdraw_refused()
    desk = runtime.desk()
    if refused is None:
        desk.withdraw(Withdraw(post_id, "correction"), "ed")
    else:
        with pytest.raises(BotError, match=refused):
            desk.withdraw(Withdraw(post_id, "correction"), "ed")
    if refused is None:
        assert get(runtime, post_id).state == "withdrawn"
        assert (backend.stored(), backend.deleted()) == (0, 1)
    else:
        assert get(runtime, post_id).state == "published"
        assert backend.stored() == 1


def test_a_text_at_the_limit_goes_out(
    runtime: Runtime, backend: Backend, outbox: Outbox, clock: FixedClock
) -> None:
    text = backend.at_limit()
    assert measure(backend.channel, text) == LIMITS[backend.channel]
    post_id = approved(runtime, backend, clock, text)
    assert outbox.drain() == {"published": 1}
    assert get(runtime, post_id).state == "published"
    assert backend.stored() == 1


def test_a_text_over_the_limit_is_refused_before_sending(
    runtime: Runtime, backend: Backend, outbox: Outbox, clock: FixedClock
) -> None:
    text = backend.at_limit() + "."
    limit = LIMITS[backend.channel]
    assert measure(backend.channel, text) == limit + 1
    post_id = draft(runtime, backend, clock, text)
    with pytest.raises(Refused, match=f"{limit + 1}/{limit}"):
        approve(runtime, post_id, clock)
    assert get(runtime, post_id).state == "pending_review"
    assert outbox.drain() == {}
    assert backend.stored() == 0


def test_bad_credentials_are_unhealthy_and_check_exits_1(
    backend: Backend, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    bad = contract_runtime(backend, db_url, tmp_path, clock, **backend.bad_credentials())
    try:
        health = bad.channels[backend.channel].check()
    finally:
        bad.close()
    assert health.ok is False
    work = tmp_path / "cwd"
    work.mkdir()
    env = cli_env(db_url, tmp_path / "data", NEWSBOT_CHANNELS=backend.channel, **backend.env())
    cli = Cli(work, env)
    good = cli("check")
    assert good.returncode == 0, good.stdout + good.stderr
    refused = cli("check", env=backend.bad_env())
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "unhealthy" in refused.stdout
