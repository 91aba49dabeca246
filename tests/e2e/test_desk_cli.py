"""The whole desk through the real `newsbot` command: feed → drafts → approve → publish → log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli, jsonl
from tests.fakes.feed_server import FeedServer
from tests.feeds import guardian_server
from tests.procs import LogWatcher

pytestmark = pytest.mark.e2e


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with guardian_server(fresh=3) as server:
        yield server


def test_feed_to_published_post_and_audit(cli: Cli, feeds: FeedServer, tmp_path: Path) -> None:
    cli.env["NEWSBOT_POLL_INTERVAL"] = "1s"  # so the restarted worker below polls at once
    cli.ok("sources", "add", feeds.url("/feed.rss"))
    cli.ok("poll", "--once")
    drafts = jsonl(cli.ok("drafts", "list", "--json").stdout)
    assert len(drafts) == 6  # 3 fresh items × 2 channels; 52 old items stored, not drafted
    assert {d["channel"] for d in drafts} == {"x", "whatsapp"}
    assert all(d["state"] == "pending_review" for d in drafts)
    sources = jsonl(cli.ok("sources", "list", "--json").stdout)
    assert sources[0]["items"] == 55 and sources[0]["last_status"] == "ok"

    target = next(d for d in drafts if d["channel"] == "x")
    cli.ok("drafts", "approve", str(target["id"]))
    assert "published 1" in cli.ok("publish", "--once").stdout
    sent = jsonl((tmp_path / "data" / "dryrun.jsonl").read_text())
    assert [s["post_id"] for s in sent] == [target["id"]]
    assert sent[0]["text"] == target["text"]
    shown = jsonl(cli.ok("drafts", "list", "--state", "published", "--json").stdout)
    assert [d["id"] for d in shown] == [target["id"]] and shown[0]["remote_id"]

    events = jsonl(cli.ok("log", "--post", str(target["id"]), "--json").stdout)
    assert [e["action"] for e in events] == ["drafted", "approved", "claimed", "published"]
    assert events[1]["actor"] == "cli" and events[0]["actor"] == "system"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)

    # polling again: the server answers 304, then 200 with the same items; nothing new
    before = len(feeds.requests)
    cli.ok("poll", "--once")
    assert feeds.requests[before][1].get("If-None-Match")
    feeds.routes["/feed.rss"].conditional = False
    cli.ok("poll", "--once")
    assert len(jsonl(cli.ok("drafts", "list", "--json").stdout)) == 6
    # a restart of the worker creates nothing new and sends nothing again
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"],
        cwd=cli.cwd,
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = LogWatcher(worker)
    log.wait_for('"worker.started"')
    log.wait_for('"poll.done"')  # a whole round ran on the restarted worker
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        raise AssertionError("worker did not stop on SIGTERM:\n" + log.text()) from None
    assert worker.returncode == 0, log.text()
    assert len(jsonl(cli.ok("drafts", "list", "--json").stdout)) == 6
    assert len(jsonl((tmp_path / "data" / "dryrun.jsonl").read_text())) == 1


def test_review_commands_refuse_illegal_transitions(cli: Cli, feeds: FeedServer) -> None:
    cli.ok("sources", "add", feeds.url("/feed.rss"))
    cli.ok("poll", "--once")
    first, second = jsonl(cli.ok("drafts", "list", "--json").stdout)[:2]
    cli.ok("drafts", "reject", str(first["id"]), "--note", "not for social")
    refused = cli("drafts", "approve", str(first["id"]))
    assert refused.returncode == 2
    assert (
        refused.stderr.strip() == f"newsbot: post {first['id']} is rejected; it cannot be approved"
    )
    cli.ok("drafts", "edit", str(second["id"]), "--text", "A shorter post https://example.com/a")
    cli.ok("drafts", "approve", str(second["id"]))
    cli.ok("publish", "--once")
    refused = cli("drafts", "edit", str(second["id"]), "--text", "too late")
    assert refused.returncode == 2 and "is published; it cannot be edited" in refused.stderr
    log = jsonl(cli.ok("log", "--post", str(second["id"]), "--json").stdout)
    edited = next(e for e in log if e["action"] == "edited")
    assert edited["detail"]["before"] == second["text"]
    assert edited["detail"]["after"] == "A shorter post https://example.com/a"
    cli.ok("drafts", "withdraw", str(second["id"]), "--reason", "correction")
    assert (
        jsonl(cli.ok("log", "--post", str(second["id"]), "--json").stdout)[-1]["action"]
        == "withdrawn"
    )
    assert cli("drafts", "show", "9999").returncode == 2


def test_schedule_in_the_newsroom_time_zone(cli: Cli, feeds: FeedServer) -> None:
    cli.ok("sources", "add", feeds.url("/feed.rss"))
    cli.ok("poll", "--once")
    first = jsonl(cli.ok("drafts", "list", "--json").stdout)[0]
    out = cli.ok(
        "drafts",
        "approve",
        str(first["id"]),
        "--at",
        "2099-03-29 09:00",
        env={"NEWSBOT_TIMEZONE": "Europe/London"},
    )
    assert "scheduled for 2099-03-29 09:00 BST" in out.stdout
    listed = jsonl(cli.ok("drafts", "list", "--state", "scheduled", "--json").stdout)
    assert listed[0]["scheduled_at"] == "2099-03-29T08:00:00+00:00"
    assert "published" not in cli.ok("publish", "--once").stdout


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        (
            {"NEWSBOT_POLL_INTERVAL": "abc"},
            ["drafts", "list"],
            "newsbot: NEWSBOT_POLL_INTERVAL: expected a duration",
        ),
        (
            {"NEWSBOT_APPROVAL": "maybe"},
            ["drafts", "list"],
            "newsbot: NEWSBOT_APPROVAL: Input should be 'required' or 'auto'",
        ),
        (
            {"NEWSBOT_DATABASE_URL": "nonsense"},
            ["drafts", "list"],
            "newsbot: NEWSBOT_DATABASE_URL: expected a URL",
        ),
        ({}, ["drafts", "frobnicate"], "newsbot drafts: argument drafts_command: invalid choice"),
        (
            {},
            ["drafts", "approve", "abc"],
            "newsbot drafts approve: argument id: invalid int value",
        ),
        ({}, ["drafts", "approve", "1", "--at", "someday"], "newsbot: --at: expected a time"),
        (
            {},
            ["sources", "add", "ftp://x"],
            "newsbot: ftp://x: expected an http:// or https:// feed URL",
        ),
    ],
)
def test_bad_usage_and_bad_settings_exit_2_with_one_line(
    sqlite_cli: Cli, env: dict[str, str], args: list[str], expected: str
) -> None:
    result = sqlite_cli(*args, env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(expected), lines[0]
    assert "Traceback" not in result.stderr


def test_an_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env["NEWSBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.db'}"
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    result = subprocess.run(
        [sys.executable, "-m", "bot", "drafts", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "newsbot: the database is not migrated; run `newsbot db upgrade`"
    )
