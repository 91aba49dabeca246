"""The CMS push, POST /api/v1/articles: stored once per canonical URL, drafted at once,
auto-approved when asked (or NEWSBOT_APPROVAL=auto), and out within a second."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.outbox.states import State
from bot.runtime import Runtime
from bot.store.models import Article, AuditEvent, Post
from bot.worker import build_scheduler
from tests.browser.webapp import make_client, make_token, make_user

BODY = (
    "The council approved the new bridge on Tuesday after a long debate.\n\n"
    "“We will build it, and we will build it on time,” said Mayor Ana Lima, who had "
    "campaigned on the project for three years.\n\n"
    "Opponents said the cost was too high."
)
ARTICLE: dict[str, Any] = {
    "url": "https://news.example/city/bridge?utm_source=cms",
    "title": "Council approves the new bridge",
    "summary": "A vote after a long debate.",
    "body": BODY,
    "author": "Desk",
    "published_at": "2026-03-01T08:55:00+01:00",
    "tags": ["City", "Transport"],
}


def _api(runtime: Runtime, role: str = "editor", scheduler: object = None):  # type: ignore[no-untyped-def]
    make_user(runtime, "cms", role)
    token = make_token(runtime, "cms")
    return make_client(runtime, scheduler, headers={"Authorization": f"Bearer {token}"})


def test_push_drafts_at_once_and_is_idempotent(runtime: Runtime) -> None:
    api = _api(runtime)
    first = api.post("/api/v1/articles", json=ARTICLE)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["created"] is True
    assert {d["channel"] for d in body["drafts"]} == {"x", "whatsapp"}
    assert all(d["state"] == State.PENDING_REVIEW for d in body["drafts"])
    assert all(d["url"] == "https://news.example/city/bridge" for d in body["drafts"])
    x = next(d for d in body["drafts"] if d["channel"] == "x")
    assert x["key_quote"]["text"].startswith("We will build it")
    assert x["source_id"] is None and x["length"] <= 280
    # the same article again, even with other tracking parameters: nothing new
    again = api.post("/api/v1/articles", json={**ARTICLE, "url": ARTICLE["url"] + "&utm_medium=x"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert [d["id"] for d in again.json()["drafts"]] == [d["id"] for d in body["drafts"]]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
        assert session.scalar(select(func.count()).select_from(Post)) == 2
        article = session.scalars(select(Article)).one()
        assert article.status == "drafted" and article.source_id is None
    # the worker's drafting round finds nothing left to do
    assert runtime.draft_round() == 0


def test_push_with_auto_approve_wakes_the_publisher(runtime: Runtime) -> None:
    runtime.settings.publish_interval = timedelta(minutes=10)  # only a wake-up can explain it
    runtime.settings.poll_interval = timedelta(hours=1)
    scheduler = build_scheduler(runtime)
    scheduler.start()
    try:
        time.sleep(0.5)  # the first round of every tick, at start
        api = _api(runtime, scheduler=scheduler)
        started = time.monotonic()
        pushed = api.post("/api/v1/articles", json={**ARTICLE, "auto_approve": True}).json()
        ids = [d["id"] for d in pushed["drafts"]]
        assert all(d["state"] == State.APPROVED for d in pushed["drafts"])
        while time.monotonic() - started < 60:
            with runtime.sessions() as session:
                states = set(session.scalars(select(Post.state).where(Post.id.in_(ids))))
            if states == {State.PUBLISHED}:
                break
            time.sleep(0.02)
        elapsed = time.monotonic() - started
    finally:
        scheduler.shutdown(timedelta(seconds=5))
    assert states == {State.PUBLISHED}
    # the publish tick is ten minutes away: only the wake-up explains a post out now (how
    # fast it is, p95 ≤ 1 s, is measured by bench/time_to_post.py, not by a timed test)
    assert elapsed < 60, f"push to published took {elapsed:.2f} s"
    with runtime.sessions() as session:
        approvals = session.scalars(select(AuditEvent).where(AuditEvent.action == "approved")).all()
    assert {a.actor for a in approvals} == {"cms"}


def test_push_honours_newsroom_auto_approval(runtime: Runtime) -> None:
    runtime.settings.approval = "auto"
    api = _api(runtime)
    pushed = api.post("/api/v1/articles", json=ARTICLE).json()
    assert {d["state"] for d in pushed["drafts"]} == {State.APPROVED}
    assert {d["approved_by"] for d in pushed["drafts"]} == {"system"}


def test_push_refuses_what_it_cannot_take(runtime: Runtime) -> None:
    api = _api(runtime)
    for bad in (
        {**ARTICLE, "url": "ftp://news.example/a"},
        {**ARTICLE, "url": "https://news.example/a", "title": ""},
        {**ARTICLE, "url": "https://news.example/a", "extra": 1},
        {**ARTICLE, "url": "https://news.example/a", "published_at": 0},
        {**ARTICLE, "url": "https://news.example/a", "body": "nul \x00 here"},
    ):
        answer = api.post("/api/v1/articles", json=bad)
        assert answer.status_code == 422, (bad, answer.text)
        assert isinstance(answer.json()["detail"], str)
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 0
    viewer = make_client(runtime)
    assert viewer.post("/api/v1/articles", json=ARTICLE).status_code == 401
