"""Secrets set to known values never appear in API error fields, audit exports or the CLI's
JSON; an anonymous /readyz says only ready or not and which check failed."""

from __future__ import annotations

import json
import socket
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot import audit
from bot.channels.health import mark_channel_health
from bot.clock import FixedClock
from bot.heartbeat import Heartbeat
from bot.runtime import Runtime, worker_id
from bot.scheduler import Tick, Ticks
from bot.store.db import transaction
from bot.store.models import Post, Source
from tests.browser.webapp import make_client, make_token, make_user, seed_drafts, sign_in
from tests.conftest import Cli, cli_env, jsonl, make_settings

X_KEY = "xkey-7f3a9c1e5b"
WAHA_KEY = "waha-key-0d9e8f7a6b"
INTERNAL = "10.20.30.40:3000"


@pytest.fixture
def leaky(db_url: str, tmp_path: Path, clock: FixedClock) -> Runtime:
    """A desk whose stored error texts carry its own secrets, as a platform's answer might."""
    settings = make_settings(
        db_url,
        tmp_path,
        x={"api_key": X_KEY, "api_secret": "s" * 12, "access_token": "t" * 12},
        whatsapp={"waha_url": f"http://{INTERNAL}", "waha_api_key": WAHA_KEY},
    )
    rt = Runtime(settings, clock=clock)
    now = clock.now()
    post_id = seed_drafts(rt, 1, channels=("x",))[0]
    with transaction(rt.sessions) as session:
        post = session.get_one(Post, post_id)
        post.state = "failed"
        post.error = f"HTTP 401: consumer key {X_KEY} was refused"
        source = Source(
            url="https://feeds.example/rss", last_error=f"403 for key {WAHA_KEY}", created_at=now
        )
        session.add(source)
        audit.record(
            session,
            "failed",
            at=now,
            post=post,
            detail={"error": f"X said: bad key {X_KEY}", "response": {"echo": WAHA_KEY}},
        )
        mark_channel_health(
            session, "whatsapp", False, {"error": f"WAHA at {INTERNAL} refused {WAHA_KEY}"}, now
        )
    return rt


def test_api_error_fields_are_redacted(leaky: Runtime) -> None:
    make_user(leaky, "ana", "admin")
    headers = {"Authorization": f"Bearer {make_token(leaky, 'ana')}"}
    client = make_client(leaky)
    for path in ("/api/v1/posts", "/api/v1/posts/1", "/api/v1/sources", "/api/v1/audit"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, (path, answer.text)
        assert X_KEY not in answer.text and WAHA_KEY not in answer.text, path
        assert "[redacted]" in answer.text, path
    post = client.get("/api/v1/posts/1", headers=headers).json()
    assert post["error"] == "HTTP 401: consumer key [redacted] was refused"


def test_audit_exports_are_redacted(leaky: Runtime) -> None:
    make_user(leaky, "vi", "viewer")
    client = make_client(leaky)
    sign_in(client, "vi")
    for fmt in ("csv", "json"):
        answer = client.get(f"/audit/export.{fmt}")
        assert answer.status_code == 200
        assert "X said: bad key [redacted]" in answer.text
        assert X_KEY not in answer.text and WAHA_KEY not in answer.text, fmt


def test_cli_json_is_redacted(leaky: Runtime, db_url: str, tmp_path: Path) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    cli = Cli(
        work,
        cli_env(
            db_url,
            tmp_path / "data",
            NEWSBOT_X__API_KEY=X_KEY,
            NEWSBOT_WHATSAPP__WAHA_API_KEY=WAHA_KEY,
        ),
    )
    for args in (("drafts", "list", "--json"), ("log", "--json"), ("sources", "list", "--json")):
        out = cli.ok(*args).stdout
        assert jsonl(out), args
        assert X_KEY not in out and WAHA_KEY not in out, args
    drafts = jsonl(cli.ok("drafts", "list", "--json").stdout)
    assert drafts[0]["error"] == "HTTP 401: consumer key [redacted] was refused"
    tables: list[tuple[str, ...]] = [
        ("drafts", "list"),
        ("log",),
        ("sources", "list"),
        ("drafts", "show", "1"),
    ]
    for table in tables:
        out = cli.ok(*table).stdout
        assert X_KEY not in out and WAHA_KEY not in out, table


def test_anonymous_readyz_says_only_ready_or_not(leaky: Runtime, clock: FixedClock) -> None:
    ticks = Ticks()
    ticks.ticks["publish"] = Tick("publish", 2.0, last_finished=time.monotonic(), runs=1)
    Heartbeat(leaky.sessions, leaky.clock, worker_id())(ticks)
    clock.advance(timedelta(minutes=5))  # the worker went quiet: not ready
    client = make_client(leaky)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "not ready", "failed": ["workers"]}
    for leak in (socket.gethostname(), INTERNAL, X_KEY, WAHA_KEY, "pid", "error"):
        assert leak not in answer.text

    # the detail is for a signed-in admin or an API token, secrets still scrubbed
    make_user(leaky, "ana", "admin")
    make_user(leaky, "vi", "viewer")
    token = make_token(leaky, "vi")
    detailed = client.get("/readyz", headers={"Authorization": f"Bearer {token}"})
    assert detailed.status_code == 503
    body = detailed.json()
    assert body["checks"]["workers"]["ok"] is False and "channels" in body
    assert WAHA_KEY not in detailed.text and "[redacted]" in detailed.text
    viewer = make_client(leaky)
    sign_in(viewer, "vi")
    assert set(viewer.get("/readyz").json()) == {"status", "failed"}  # a viewer's session
    admin = make_client(leaky)
    sign_in(admin, "ana")
    assert "checks" in admin.get("/readyz").json()
    assert json.loads(admin.get("/readyz").text)["failed"] == ["workers"]
