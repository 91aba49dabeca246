"""Issue 14, item 5: with NEWSBOT_REVIEW__TWO_PERSON=true an editor's CMS push that asks for
``auto_approve`` used to approve its own drafts — one person, no second look. Every path
to approved obeys the rule: the drafts wait in review, saying why, for another editor."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FixedClock
from bot.outbox.states import State
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import AuditEvent, Post
from tests.browser.webapp import make_client, make_token, make_user
from tests.fakes.feed_server import FeedServer, Route
from tests.feeds import guardian_feed

ARTICLE = {
    "url": "https://news.example/city/bridge",
    "title": "Council approves the new bridge",
    "body": "The council approved the new bridge on Tuesday.\n\n"
    "“We will build it,” said Mayor Ana Lima.",
    "auto_approve": True,
}


def _api(runtime: Runtime, name: str):  # type: ignore[no-untyped-def]
    make_user(runtime, name, "editor")
    token = make_token(runtime, name)
    return make_client(runtime, headers={"Authorization": f"Bearer {token}"})


def test_an_editors_auto_approving_push_waits_for_a_second_editor(runtime: Runtime) -> None:
    runtime.settings.review.two_person = True
    alice = _api(runtime, "alice")
    pushed = alice.post("/api/v1/articles", json=ARTICLE)
    assert pushed.status_code == 201, pushed.text
    drafts = pushed.json()["drafts"]
    assert drafts and all(d["state"] == State.PENDING_REVIEW for d in drafts)
    with runtime.sessions() as session:
        posts = session.scalars(select(Post)).all()
        assert {p.state for p in posts} == {State.PENDING_REVIEW}
        assert all(p.approved_by is None for p in posts)
        assert all("two-person rule" in (p.waiting_reason or "") for p in posts)
        held = session.scalars(select(AuditEvent).where(AuditEvent.action == "held")).all()
        assert len(held) == len(posts) and all(e.actor == "alice" for e in held)
    # nor can she approve them by hand afterwards: they are her words
    post_id = drafts[0]["id"]
    refused = alice.post(f"/api/v1/posts/{post_id}/approve")
    assert refused.status_code == 409 and "two-person rule" in refused.json()["detail"]
    # another editor can
    bob = _api(runtime, "bob")
    approved = bob.post(f"/api/v1/posts/{post_id}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == State.APPROVED


def test_newsroom_auto_approval_does_not_approve_a_pushed_article(runtime: Runtime) -> None:
    runtime.settings.review.two_person = True
    runtime.settings.approval = "auto"
    pushed = _api(runtime, "alice").post(
        "/api/v1/articles", json={**ARTICLE, "auto_approve": False}
    )
    assert {d["state"] for d in pushed.json()["drafts"]} == {State.PENDING_REVIEW}


def test_without_the_rule_the_push_approves_as_before(runtime: Runtime) -> None:
    pushed = _api(runtime, "alice").post("/api/v1/articles", json=ARTICLE)
    assert {d["state"] for d in pushed.json()["drafts"]} == {State.APPROVED}


def test_a_feeds_auto_approve_still_approves_under_the_rule(
    runtime: Runtime, clock: FixedClock
) -> None:
    """No person wrote a feed's draft: the source's standing approval stands (docs/desk.md)."""
    runtime.settings.review.two_person = True
    feeds = FeedServer().start()
    try:
        feeds.routes["/feed"] = Route(guardian_feed(clock.now(), fresh=1))
        with transaction(runtime.sessions) as session:
            runtime.add_source(session, feeds.url("/feed"), auto_approve=True)
        runtime.poll_round(force=True)
    finally:
        feeds.stop()
    with runtime.sessions() as session:
        posts = session.scalars(select(Post)).all()
    fitting = [p for p in posts if p.state == State.APPROVED]
    assert fitting and all(p.approved_by == "system" for p in fitting)
    assert all(p.last_edited_by is None for p in posts)
