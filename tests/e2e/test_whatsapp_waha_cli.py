"""WhatsApp Channel posts through the real `newsbot` command and a fake WAHA in its own process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Cli
from tests.e2e.whatsapp_e2e_support import (
    CHAT,
    KEY,
    Item,
    actions,
    database_dump,
    drafts,
    feed,
    marker_spans,
    post_log,
    posts,
    visible,
    waha_env,
    with_env,
)
from tests.fakes.fake_waha import channel
from tests.fakes.fake_waha_process import WahaProcess
from tests.fakes.feed_server import FeedServer, Route

pytestmark = pytest.mark.e2e


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def waha() -> Iterator[WahaProcess]:
    process = WahaProcess.start(api_key=KEY, channels=[f"{CHAT}:Daily Desk:OWNER"])
    yield process
    violations = process.violations()
    errors = process.stop()
    assert violations == [], violations  # every request the bot made, WAHA would accept
    assert "Traceback" not in errors, errors


@pytest.fixture
def wa(sqlite_cli: Cli, waha: WahaProcess) -> Cli:
    return with_env(sqlite_cli, waha_env(waha.url))


def serve_feed(feeds: FeedServer, *items: Item) -> str:
    feeds.routes["/feed.rss"] = Route(feed(feeds.url("").rstrip("/"), list(items)))
    return feeds.url("/feed.rss")


def approved(cli: Cli, feeds: FeedServer, *items: Item) -> list[dict[str, Any]]:
    """Posts approved and due: the feed polled once with auto-approval (one process)."""
    url = serve_feed(feeds, *items)
    cli.ok("poll", "--once", env={"NEWSBOT_FEEDS": url, "NEWSBOT_APPROVAL": "auto"})
    found = list(posts(cli).values())
    assert [p["state"] for p in found] == ["approved"] * len(items), found
    return found


def test_text_and_image_posts_go_to_the_channel(
    wa: Cli, feeds: FeedServer, waha: WahaProcess
) -> None:
    url = serve_feed(
        feeds, Item("budget", "Council approves budget"),
        Item("harbour", "Harbour reopens after storm", image=True),
    )  # fmt: skip
    wa.ok("sources", "add", url)
    wa.ok("poll", "--once")
    text_post, image_post = drafts(wa)
    for draft in (text_post, image_post):
        wa.ok("drafts", "approve", str(draft["id"]))
    assert "published 2" in wa.ok("publish", "--once").stdout
    by_type = {m["type"]: m for m in waha.messages()}
    assert len(waha.messages()) == 2
    assert by_type["text"]["body"] == text_post["text"]
    assert by_type["text"]["linkPreview"] is True
    assert by_type["image"]["body"] == image_post["text"]
    assert by_type["image"]["file"]["url"].endswith("/img/harbour.jpg")
    assert all(m["chatId"] == CHAT and m["reserved"] for m in waha.messages())
    published = {d["id"]: d for d in drafts(wa, "published")}
    assert published[text_post["id"]]["remote_id"] == by_type["text"]["id"]
    assert published[image_post["id"]]["remote_id"] == by_type["image"]["id"]
    assert published[text_post["id"]]["error"] is None
    # the post text ends with the link, so WhatsApp shows the preview card
    assert text_post["text"].rstrip().endswith("/news/budget")
    events = post_log(wa, text_post["id"])
    assert [e["action"] for e in events] == ["drafted", "approved", "claimed", "published"]
    assert events[-1]["detail"]["response"]["chatId"] == CHAT


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "fault", "state", "said"),
    [
        ({"NEWSBOT_WHATSAPP__WAHA_API_KEY": "wrong-key-e2e-0001"}, None, "failed", "401"),
        ({}, {"kind": "status", "status": 400}, "failed", "(400)"),
        ({"NEWSBOT_WHATSAPP__WAHA_SESSION": "elsewhere"}, None, "failed", "didn't find a session"),
        ({}, {"kind": "status", "status": 429, "retry_after": 1}, "approved", "429"),
        ({}, {"kind": "status", "status": 500}, "unknown", "500"),
        ({}, {"kind": "hang", "seconds": 3}, "unknown", "did not answer"),
    ],
    ids=["401", "400", "404", "429", "500", "timeout"],
)
def test_each_error_class_ends_in_its_state(
    wa: Cli, feeds: FeedServer, waha: WahaProcess,
    env: dict[str, str], fault: dict[str, Any] | None, state: str, said: str,
) -> None:  # fmt: skip
    [post] = approved(wa, feeds, Item("budget", "Council approves budget"))
    if fault:
        waha.set_faults({"plan": [fault]})
    result = with_env(wa, env)("publish", "--once")
    assert result.returncode == (1 if state == "failed" else 0), result.stderr
    after = posts(wa)[post["id"]]
    assert after["state"] == state
    assert said in (after["error"] or "")
    assert waha.messages() == []
    if state == "failed":
        return
    # retried (after the server's delay) or reconciled, then sent: exactly one message
    time.sleep(1.5)
    wa.ok("publish", "--once")
    assert posts(wa)[post["id"]]["state"] == "published"
    assert len(waha.messages()) == 1


@pytest.mark.parametrize("fault", ["drop_after_store", "hang_after_store"])
def test_stored_then_dropped_ends_with_exactly_one_message(
    cli: Cli, feeds: FeedServer, waha: WahaProcess, fault: str
) -> None:
    wa = with_env(cli, waha_env(waha.url))
    [post] = approved(wa, feeds, Item("budget", "Council approves budget"))
    waha.set_faults({"plan": [{"kind": fault, "seconds": 3}]})
    wa.ok("publish", "--once")
    assert posts(wa)[post["id"]]["state"] == "unknown"
    assert len(waha.messages()) == 1
    wa.ok("publish", "--once")
    [message] = waha.messages()
    after = posts(wa)[post["id"]]
    assert after["state"] == "published"
    assert after["remote_id"] == message["id"]
    assert [a for a, _ in actions(wa, post["id"])][-3:] == ["claimed", "unknown", "reconciled"]
    # looked, never resent (the fake logs a request when it arrives, even one still hanging)
    sends = [r for r in waha.requests() if r.get("op") == "send"]
    assert [s.get("fault") for s in sends] == [fault], sends


def test_session_waiting_for_qr_code_holds_posts_until_working(
    wa: Cli, feeds: FeedServer, waha: WahaProcess
) -> None:
    waha.set_session_status("SCAN_QR_CODE")
    [post] = approved(wa, feeds, Item("budget", "Council approves budget"))
    assert "waiting 1" in wa.ok("publish", "--once").stdout
    held = posts(wa)[post["id"]]
    assert held["state"] == "approved"
    assert held["attempts"] == 0  # waiting on the channel is not a failed attempt
    action, detail = actions(wa, post["id"])[-1]
    assert action == "waiting"
    assert "SCAN_QR_CODE" in detail["reason"]
    assert "SCAN_QR_CODE" in held["waiting_reason"]
    check = wa("check")
    assert check.returncode == 1
    assert "SCAN_QR_CODE, not WORKING" in check.stdout
    assert waha.messages() == []
    waha.set_session_status("WORKING")
    assert wa("check").returncode == 0
    time.sleep(1.2)  # NEWSBOT_WHATSAPP__SESSION_RECHECK=1s
    assert "published 1" in wa.ok("publish", "--once").stdout
    assert len(waha.messages()) == 1


def test_withdraw_deletes_the_message(wa: Cli, feeds: FeedServer, waha: WahaProcess) -> None:
    [post] = approved(wa, feeds, Item("budget", "Council approves budget"))
    wa.ok("publish", "--once")
    wa.ok("drafts", "withdraw", str(post["id"]), "--reason", "wrong figures")
    [message] = waha.messages()
    assert message["deleted"] is True
    assert posts(wa)[post["id"]]["state"] == "withdrawn"
    withdrawn = post_log(wa, post["id"])[-1]  # the audit as `newsbot log` shows it
    assert withdrawn["action"] == "withdrawn"
    assert withdrawn["actor"] == "cli"
    assert withdrawn["detail"]["remote_id"] == message["id"]


def test_withdraw_while_the_session_is_down_keeps_the_post_published(
    wa: Cli, feeds: FeedServer, waha: WahaProcess
) -> None:
    [post] = approved(wa, feeds, Item("budget", "Council approves budget"))
    wa.ok("publish", "--once")
    waha.set_session_status("STOPPED")
    result = wa("drafts", "withdraw", str(post["id"]))
    assert result.returncode == 1
    assert "STOPPED" in result.stdout + result.stderr
    assert posts(wa)[post["id"]]["state"] == "published"
    assert waha.messages()[0]["deleted"] is False


def test_markup_characters_in_a_headline_do_not_break_the_bold(
    wa: Cli, feeds: FeedServer, waha: WahaProcess
) -> None:
    title = "Budget_v2 *leaked*: 5 * 3 = _fifteen_ say officials"
    approved(wa, feeds, Item("leak", title))
    wa.ok("publish", "--once")
    [message] = waha.messages()
    first = message["body"].splitlines()[0]
    assert visible(first) == f"*{title}*"  # every character of the headline is there
    assert marker_spans(first, "*") == [(0, len(first) - 1)]  # one bold span: the headline
    assert marker_spans(first, "_") == []  # and no italics inside it
    # the same line unprotected would break: the check above has teeth
    assert marker_spans(visible(first), "*") != [(0, len(visible(first)) - 1)]


def test_check_finds_the_channel_and_says_what_to_fix(sqlite_cli: Cli, waha: WahaProcess) -> None:
    sport = "120363400000000777@newsletter"
    waha.set_channels(
        [channel(CHAT, "Daily Desk", subscribers=1200), channel(sport, "Sport", role="ADMIN")]
    )
    unset = with_env(sqlite_cli, {**waha_env(waha.url), "NEWSBOT_WHATSAPP__CHANNEL_ID": ""})
    result = unset("check")
    assert result.returncode == 1
    assert "NEWSBOT_WHATSAPP__CHANNEL_ID is not set" in result.stdout
    assert CHAT in result.stdout
    assert sport in result.stdout
    wrong = with_env(unset, {"NEWSBOT_WHATSAPP__CHANNEL_ID": "1@newsletter"})
    result = wrong("check")
    assert result.returncode == 1
    assert "1@newsletter is not known" in result.stdout
    right = with_env(sqlite_cli, waha_env(waha.url))("check")
    assert right.returncode == 0, right.stdout
    assert f'posting to {CHAT} "Daily Desk" (OWNER), 1200 followers' in right.stdout


@pytest.mark.slow
def test_no_secret_in_output_logs_or_store(
    sqlite_cli: Cli, feeds: FeedServer, waha: WahaProcess
) -> None:
    wrong_key = "wrong-secret-key-e2e-77aa"
    wa = with_env(sqlite_cli, {**waha_env(waha.url), "NEWSBOT_LOG_LEVEL": "debug"})
    first, _ = approved(wa, feeds, Item("one", "First story"), Item("two", "Second story"))
    waha.set_faults({"plan": [{"kind": "status", "status": 500}]})
    outputs = [wa("publish", "--once")]  # one unknown, one published
    bad = with_env(wa, {"NEWSBOT_WHATSAPP__WAHA_API_KEY": wrong_key})
    outputs += [bad("publish", "--once"), bad("check"), wa("log", "--json")]
    assert "reconciliation failed" in (posts(wa)[first["id"]]["error"] or "")
    everything = "\n".join(r.stdout + r.stderr for r in outputs)
    everything += database_dump(wa.env["NEWSBOT_DATABASE_URL"])
    assert "published" in everything  # the run did something worth logging
    assert "401" in everything  # and met the wrong key
    for secret in (KEY, wrong_key):
        assert secret not in everything
