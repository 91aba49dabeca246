"""The dashboard's pages as an editor sees them: escaping, headers, queue, edit, decisions,
outcomes, audit search and export, overview, admin, errors."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import audit
from bot.channels.x import x_settings
from bot.clock import FixedClock
from bot.outbox.states import State
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import AuditEvent, ChannelUsage, Post
from tests.browser.webapp import make_client, make_user, post_state, seed_drafts, sign_in

XSS = "<script>alert(1)</script>"


@pytest.fixture
def editor(runtime: Runtime) -> Any:
    make_user(runtime, "maria", "admin")
    client: Any = make_client(runtime)
    client.csrf = sign_in(client, "maria")
    return client


def test_article_text_is_escaped_everywhere(runtime: Runtime, editor: Any) -> None:
    [x_id, wa_id] = seed_drafts(runtime, 1, title=XSS + " *bold* {n}")
    with transaction(runtime.sessions) as session:
        session.get_one(Post, wa_id).text = f"*{XSS}* _it_"
    editor.post(f"/posts/{x_id}/edit", data={"csrf": editor.csrf, "text": XSS})
    editor.post(f"/posts/{wa_id}/approve", data={"csrf": editor.csrf})
    for path in (
        "/?state=",
        f"/posts/{x_id}",
        f"/posts/{wa_id}",
        "/audit",
        f"/posts/{wa_id}/withdraw",
    ):
        html = editor.get(path).text
        assert "<script>alert" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    # the WhatsApp bubble renders its own markup around the escaped text
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>" in editor.get("/?state=").text
    measured = editor.post(
        f"/posts/{wa_id}/measure", json={"text": XSS}, headers={"X-CSRF-Token": editor.csrf}
    ).json()
    assert measured["html"] == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_security_headers_on_pages_api_and_errors(runtime: Runtime, editor: Any) -> None:
    for answer in (
        editor.get("/"),
        editor.get("/signin"),
        editor.get("/nowhere"),
        editor.get("/api/v1/posts"),
        editor.get("/static/app.js"),
    ):
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert editor.get("/").headers["cache-control"] == "no-store"


def test_queue_pages_newest_first_and_filters(runtime: Runtime, editor: Any) -> None:
    with transaction(runtime.sessions) as session:
        source, _ = runtime.add_source(session, "https://feeds.example/a.xml")
        source_id = source.id
    seed_drafts(runtime, 30)
    seed_drafts(runtime, 15, source_id=source_id, title="From the feed {n}")
    first = editor.get("/").text
    articles = [int(a) for a in re.findall(r'data-article="(\d+)"', first)]
    assert articles == list(range(45, 25, -1))  # 20 per page, newest first
    assert "page 1 of 3" in first
    last = editor.get("/?state=pending_review&page=3").text
    assert len(re.findall(r'data-article="', last)) == 5
    x_only = editor.get("/?channel=x").text
    assert set(re.findall(r'data-channel="(\w+)"', x_only)) == {"x"}
    feed = editor.get(f"/?source={source_id}").text
    assert len(re.findall(r'data-article="', feed)) == 15 and "From the feed" in feed
    pushed = editor.get("/?source=0").text
    assert "From the feed" not in pushed and "pushed by the CMS" in pushed
    assert "Nothing here" in editor.get("/?state=published").text


def test_edit_records_before_and_after_and_recomposes(runtime: Runtime, editor: Any) -> None:
    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    page = editor.get(f"/posts/{post_id}").text
    assert "We will build it," in page and "Not today." in page  # the article's quotes
    composed = editor.post(
        f"/posts/{post_id}/compose",
        json={"quote": 1, "hashtags": []},
        headers={"X-CSRF-Token": editor.csrf},
    ).json()
    assert "Not today." in composed["text"] and "Ana Lima" in composed["text"]
    assert "#Politics" not in composed["text"]
    saved = editor.post(
        f"/posts/{post_id}/edit",
        data={"csrf": editor.csrf, "text": composed["text"].replace("\n", "\r\n"), "quote": "1"},
    )
    assert saved.status_code == 303
    with runtime.sessions() as session:
        post = session.get_one(Post, post_id)
        assert post.text == composed["text"] and (post.key_quote or {}).get("speaker") == "Ana Lima"
        assert post.hashtags == [] and post.last_edited_by == "maria"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "edited")).one()
    assert event.actor == "maria" and event.detail["after"] == composed["text"]
    assert "We will build it," in event.detail["before"]


def test_counter_matches_the_server_and_an_overlong_post_cannot_be_approved(
    runtime: Runtime,
    editor: Any,
) -> None:
    from bot.channels.x.text import x_length

    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    for text in ("東京 " * 140, "a" * 280, "https://example.com/" + "x" * 300, "👩‍👩‍👧 ok"):
        got = editor.post(
            f"/posts/{post_id}/measure", json={"text": text}, headers={"X-CSRF-Token": editor.csrf}
        ).json()
        assert got["length"] == x_length(text) and got["fits"] == (x_length(text) <= 280)
    editor.post(f"/posts/{post_id}/edit", data={"csrf": editor.csrf, "text": "東京 " * 141})
    editor.post(f"/posts/{post_id}/approve", data={"csrf": editor.csrf})
    assert post_state(runtime, post_id) == State.PENDING_REVIEW
    assert "shorten it first" in editor.get("/").text


def test_schedule_in_the_newsroom_time_zone(runtime: Runtime, editor: Any) -> None:
    runtime.settings.timezone = "Europe/London"
    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    editor.post(f"/posts/{post_id}/schedule", data={"csrf": editor.csrf, "at": "2026-03-29T09:00"})
    with runtime.sessions() as session:
        post = session.get_one(Post, post_id)
        assert post.state == State.SCHEDULED
        assert post.scheduled_at == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # BST
    [other] = seed_drafts(runtime, 1, channels=("x",))
    for at in ("2026-03-29T01:30", "2020-01-01T09:00", "soon"):  # a gap, the past, nonsense
        editor.post(f"/posts/{other}/schedule", data={"csrf": editor.csrf, "at": at})
        assert post_state(runtime, other) == State.PENDING_REVIEW, at


def test_reject_needs_a_note(runtime: Runtime, editor: Any) -> None:
    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    editor.post(f"/posts/{post_id}/reject", data={"csrf": editor.csrf, "note": "  "})
    assert post_state(runtime, post_id) == State.PENDING_REVIEW
    editor.post(f"/posts/{post_id}/reject", data={"csrf": editor.csrf, "note": "duplicate"})
    assert post_state(runtime, post_id) == State.REJECTED


def test_published_withdraw_asks_to_confirm(runtime: Runtime, editor: Any) -> None:
    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    assert editor.get(f"/posts/{post_id}/withdraw").status_code == 409  # a draft: nothing to undo
    editor.post(f"/posts/{post_id}/approve", data={"csrf": editor.csrf})
    assert runtime.publish_round() == {"published": 1}
    page = editor.get("/published").text
    assert f'data-post="{post_id}"' in page and "dryrun-x-" in page
    confirm = editor.get(f"/posts/{post_id}/withdraw").text
    assert "deletes the post on x" in confirm
    editor.post(f"/posts/{post_id}/withdraw", data={"csrf": editor.csrf, "reason": "typo"})
    assert post_state(runtime, post_id) == State.PUBLISHED  # not confirmed
    editor.post(
        f"/posts/{post_id}/withdraw", data={"csrf": editor.csrf, "reason": "typo", "confirm": "yes"}
    )
    assert post_state(runtime, post_id) == State.WITHDRAWN
    sent = (runtime.settings.data_dir / "dryrun.jsonl").read_text().splitlines()
    assert json.loads(sent[-1])["op"] == "delete"


def test_failures_show_the_error_and_retry(runtime: Runtime, editor: Any) -> None:
    [failed, waiting] = seed_drafts(runtime, 2, channels=("x",))
    with transaction(runtime.sessions) as session:
        a = session.get_one(Post, failed)
        a.state, a.error, a.attempts = State.FAILED, "403 duplicate content", 1
        b = session.get_one(Post, waiting)
        b.state, b.waiting_reason = State.APPROVED, "X daily cap reached; next try 10:00"
    page = editor.get("/failures").text
    assert "403 duplicate content" in page and "X daily cap reached" in page
    editor.post(f"/posts/{failed}/retry", data={"csrf": editor.csrf})
    assert post_state(runtime, failed) == State.APPROVED


def test_errors_never_show_a_traceback_or_a_secret(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import SecretStr

    from bot.web import queries

    x_settings(runtime.settings).api_secret = SecretStr("sekrit-value-123")
    make_user(runtime, "maria", "editor")
    client = make_client(runtime, raise_server_exceptions=False)
    sign_in(client, "maria")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom sekrit-value-123")

    monkeypatch.setattr(queries, "queue_page", broken)
    answer = client.get("/")
    assert answer.status_code == 500
    assert "Traceback" not in answer.text and "sekrit" not in answer.text
    assert "reference" in answer.text
    assert client.get("/posts/999999").status_code == 404


def test_audit_search_and_export(runtime: Runtime, clock: FixedClock, editor: Any) -> None:
    [a, b] = seed_drafts(runtime, 2, channels=("x",))
    editor.post(f"/posts/{a}/edit", data={"csrf": editor.csrf, "text": '=HYPERLINK("x") Zürich'})
    clock.advance(timedelta(hours=11))
    editor.get("/")  # keeps the session alive (12 hours idle at most)
    clock.advance(timedelta(hours=5))  # the next day
    editor.post(f"/posts/{b}/reject", data={"csrf": editor.csrf, "note": "stale story"})

    def shown(query: str) -> list[str]:
        return re.findall(r'class="action action-(\w+)"', editor.get("/audit?" + query).text)

    assert shown("q=Zürich") == ["edited"]
    assert shown("action=rejected&actor=maria") == ["rejected"]
    assert "stale story" in editor.get("/audit?action=rejected").text
    assert shown("actor=nobody") == []
    day = clock.now().date().isoformat()
    assert shown(f"from={day}&to={day}") == ["rejected"]
    assert shown(f"to={(clock.now() - timedelta(days=1)).date().isoformat()}") == ["edited"]
    exported = editor.get("/audit/export.csv?actor=maria")
    assert exported.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["rejected", "edited"]
    assert json.loads(rows[1]["detail"])["after"] == '=HYPERLINK("x") Zürich'
    with transaction(runtime.sessions) as session:  # a name a spreadsheet would run
        audit.record(session, "retried", at=clock.now(), actor="=cmd|' /C calc'!A0")
    cell = next(csv.DictReader(io.StringIO(editor.get("/audit/export.csv?action=retried").text)))
    assert cell["actor"] == "'=cmd|' /C calc'!A0"
    as_json = editor.get("/audit/export.json?action=edited").json()
    assert [e["post_id"] for e in as_json] == [a] and as_json[0]["actor"] == "maria"


def test_overview_counts_and_medians(runtime: Runtime, clock: FixedClock, editor: Any) -> None:
    ids = seed_drafts(runtime, 3, channels=("x",))  # articles first seen 30 minutes ago
    for post_id in ids[:2]:
        editor.post(f"/posts/{post_id}/approve", data={"csrf": editor.csrf})
    clock.advance(timedelta(seconds=90))
    runtime.publish_round()
    page = editor.get("/overview").text
    assert re.search(r'data-metric="article-to-approval">30 min<', page)
    assert re.search(r'data-metric="approval-to-live">90 s<', page)
    assert "<svg" in page and "x " + clock.now().strftime("%d %b") + ": 2" in page
    assert re.search(r'<span class="big">1</span><span>x drafts waiting', page)


def test_admin_sources_channels_and_accounts(runtime: Runtime, editor: Any, tmp_path: Path) -> None:
    local = tmp_path / "feed.xml"
    local.write_text("<rss/>")
    editor.post("/admin/sources", data={"csrf": editor.csrf, "url": str(local)})
    editor.post("/admin/sources", data={"csrf": editor.csrf, "url": "file://" + str(local)})
    editor.post(
        "/admin/sources",
        data={"csrf": editor.csrf, "url": "https://feeds.example/a.xml", "auto_approve": "on"},
    )
    x_settings(runtime.settings).daily_cap = 10
    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    editor.post(f"/posts/{post_id}/approve", data={"csrf": editor.csrf})
    runtime.publish_round()
    with transaction(runtime.sessions) as session:
        day = runtime.clock.now().strftime("%Y-%m-%d")
        session.add(ChannelUsage(channel="x", day=day, posts=3, cost=0.0))
    page = editor.get("/admin").text
    assert "https://feeds.example/a.xml" in page and str(local) not in page
    assert 'data-channel="x"' in page and "dry run" in page
    x_row = page.split('data-channel="x"')[1].split("</tr>")[0]
    cells = re.findall(r"<td>([^<]*)</td>", x_row)
    assert cells[-3:-1] == ["1", "7"]  # published today; cap 10 less the 3 the channel counted
    checked = editor.post("/admin/channels/x/check", data={"csrf": editor.csrf})
    assert checked.status_code == 303
    assert "dry run: posts are written to" in editor.get("/admin").text
    # the last admin keeps the role
    maria_id = page.split('data-user="maria"')[1].split("/admin/users/")[1].split("/")[0]
    editor.post(f"/admin/users/{maria_id}/role", data={"csrf": editor.csrf, "role": "viewer"})
    assert "the last admin cannot lose the role" in editor.get("/admin").text
