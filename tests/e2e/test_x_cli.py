"""The X channel through the real `newsbot` command, against the fake X on loopback: feed →
drafts → approve → publish → check → withdraw, and each way X can answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Cli, jsonl
from tests.fakes.fake_x import FakeX
from tests.fakes.fake_x_fixtures import SECRETS, X_ENV
from tests.fakes.feed_server import FeedServer
from tests.feeds import guardian_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with guardian_server(fresh=6) as server:
        yield server


def with_x(cli: Cli, fake_x: FakeX, feeds: FeedServer) -> Cli:
    """The CLI with X configured to the fake and six fresh X drafts waiting."""
    env = {
        **cli.env,
        **X_ENV,
        "NEWSBOT_X__BASE_URL": fake_x.base_url,
        "NEWSBOT_X__TIMEOUT": "1",
        "NEWSBOT_CHANNELS": "x",
        "NEWSBOT_FETCH_PAGES": "never",
    }
    x = Cli(cli.cwd, env)
    x.ok("sources", "add", feeds.url("/feed.rss"))
    x.ok("poll", "--once")
    return x


@pytest.fixture
def x_cli(cli: Cli, fake_x: FakeX, feeds: FeedServer) -> Cli:
    """On SQLite and on PostgreSQL."""
    return with_x(cli, fake_x, feeds)


@pytest.fixture
def x_sqlite_cli(sqlite_cli: Cli, fake_x: FakeX, feeds: FeedServer) -> Cli:
    """On SQLite only: the database's part is covered on both by the integration tests, and
    each command here costs a process start."""
    return with_x(sqlite_cli, fake_x, feeds)


def drafts(cli: Cli, *args: str) -> list[dict[str, Any]]:
    return jsonl(cli.ok("drafts", "list", "--json", *args).stdout)


def draft(cli: Cli, post_id: int) -> dict[str, Any]:
    return next(d for d in drafts(cli) if d["id"] == post_id)


def approve_first(cli: Cli) -> dict[str, Any]:
    first = drafts(cli)[0]
    cli.ok("drafts", "approve", str(first["id"]))
    return first


def test_publish_check_and_withdraw(x_cli: Cli, fake_x: FakeX) -> None:
    checked = x_cli.ok("check").stdout
    assert "posting as @newsroom_desk (Newsroom Desk, id 1600000000000000001)" in checked
    assert "today 0 posts" in checked
    target = approve_first(x_cli)
    assert x_cli.ok("publish", "--once").stdout.strip() == "publish: published 1"
    [stored] = fake_x.posts()
    assert stored.text == target["text"]
    shown = draft(x_cli, target["id"])
    assert (shown["state"], shown["remote_id"]) == ("published", stored.id)
    assert shown["remote_url"].endswith(f"/status/{stored.id}")
    assert "today 1 posts; month to date 0.02" in x_cli.ok("check").stdout

    x_cli.ok("drafts", "withdraw", str(target["id"]), "--reason", "correction")
    assert fake_x.posts() == []
    assert fake_x.posts(include_deleted=True)[0].deleted
    assert draft(x_cli, target["id"])["state"] == "withdrawn"
    log = jsonl(x_cli.ok("log", "--post", str(target["id"]), "--json").stdout)
    assert [e["action"] for e in log][-1] == "withdrawn"
    assert log[-1]["detail"]["remote_id"] == stored.id


def test_each_answer_ends_in_its_state(x_sqlite_cli: Cli, fake_x: FakeX) -> None:
    cli = x_sqlite_cli
    ids = [d["id"] for d in drafts(cli)]
    expected = {
        "401": (
            "failed",
            "X refused the credentials (401: Unauthorized): one of NEWSBOT_X__API_KEY",
        ),
        "403_duplicate": ("failed", "X refused the text as duplicate content"),
        "403_forbidden": ("failed", "X refused the request (403: You are not permitted"),
        "500": ("approved", "X answered 500: Internal Server Error"),
        "429": ("approved", "X rate limit reached (429); X says try again after"),
    }
    for post_id, fault in zip(ids, expected, strict=False):
        cli.ok("drafts", "approve", str(post_id))
        fake_x.fail(fault)  # the faults answer the posts in approval order
    result = cli("publish", "--once")
    assert result.returncode == 1  # some posts failed for good
    assert result.stdout.strip() == "publish: failed 3, retry 2"
    listed = {d["id"]: d for d in drafts(cli)}
    for post_id, (state, error) in zip(ids, expected.values(), strict=False):
        assert listed[post_id]["state"] == state
        assert listed[post_id]["error"].startswith(error), listed[post_id]["error"]
    assert listed[ids[3]]["attempts"] == listed[ids[4]]["attempts"] == 1
    # credits depleted: the post waits, with the reason shown, and nothing is dropped
    cli.ok("drafts", "approve", str(ids[5]))
    fake_x.fail("402")
    assert cli.ok("publish", "--once").stdout.strip() == "publish: waiting 1"
    shown = cli.ok("drafts", "show", str(ids[5])).stdout
    assert "· approved ·" in shown
    assert "waiting: X credits depleted (402 CreditsDepleted: Your enrolled account" in shown
    assert fake_x.posts() == []
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr + shown


@pytest.mark.parametrize(("fault", "stored"), [("drop_after_store", True), ("hang", False)])
def test_a_lost_answer_is_reconciled_then_exactly_one_post(
    x_sqlite_cli: Cli, fake_x: FakeX, fault: str, stored: bool
) -> None:
    x_cli = x_sqlite_cli
    target = approve_first(x_cli)
    fake_x.fail(fault)
    assert x_cli.ok("publish", "--once").stdout.strip() == "publish: unknown 1"
    assert draft(x_cli, target["id"])["state"] == "unknown"
    assert len(fake_x.posts()) == (1 if stored else 0)
    out = x_cli.ok("publish", "--once").stdout.strip()
    assert out == ("publish: found 1" if stored else "publish: not_found 1, published 1")
    [only] = fake_x.posts()
    assert only.text == target["text"]
    shown = draft(x_cli, target["id"])
    assert (shown["state"], shown["remote_id"]) == ("published", only.id)
    actions = [
        e["action"] for e in jsonl(x_cli.ok("log", "--post", str(target["id"]), "--json").stdout)
    ]
    assert "unknown" in actions and "reconciled" in actions
    assert x_cli.ok("publish", "--once").stdout.strip() == "publish: nothing due"
    assert len(fake_x.posts()) == 1


def test_a_cap_of_3_sends_3_and_leaves_2_waiting_with_the_reason(x_cli: Cli, fake_x: FakeX) -> None:
    capped = Cli(x_cli.cwd, {**x_cli.env, "NEWSBOT_X__DAILY_CAP": "3"})
    ids = [d["id"] for d in drafts(capped)][:5]
    for post_id in ids:
        capped.ok("drafts", "approve", str(post_id))
    assert capped.ok("publish", "--once").stdout.strip() == "publish: published 3, waiting 1"
    assert len(fake_x.posts()) == 3
    states = {d["id"]: d["state"] for d in drafts(capped)}
    assert [states[i] for i in ids] == ["published"] * 3 + ["approved"] * 2
    for post_id in ids[3:]:
        shown = capped.ok("drafts", "show", str(post_id)).stdout
        assert "waiting: daily cap reached: 3 of 3 X posts sent today (UTC)" in shown
    assert capped.ok("publish", "--once").stdout.strip() == "publish: nothing due"
    assert "today 3 posts of a cap of 3 (0 left)" in capped.ok("check").stdout
    assert len(fake_x.posts()) == 3


def test_check_says_what_is_wrong_with_the_credentials(x_sqlite_cli: Cli, fake_x: FakeX) -> None:
    wrong = Cli(
        x_sqlite_cli.cwd, {**x_sqlite_cli.env, "NEWSBOT_X__ACCESS_TOKEN_SECRET": "an-old-secret"}
    )
    result = wrong("check")
    assert result.returncode == 1
    assert "unhealthy" in result.stdout
    assert "X refused the credentials (401: Unauthorized)" in result.stdout
    assert "an-old-secret" not in result.stdout + result.stderr
    target = approve_first(wrong)
    assert wrong("publish", "--once").returncode == 1
    assert draft(wrong, target["id"])["state"] == "failed"
    assert fake_x.posts() == []
