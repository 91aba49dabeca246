"""One rule, one answer: the CLI, the dashboard and the API refuse the same things with the
same words, since all three only call the desk service (``bot.desk``) and translate.

CLI: one line on stderr, exit 2. Pages: a flash message, nothing changed. API: 409 for a
refusal, 422 for a time that cannot be used.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.desk import changes
from bot.desk.commands import Edit
from bot.outbox.states import State
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import AuditEvent
from tests.browser.webapp import (
    make_client,
    make_token,
    make_user,
    post_state,
    seed_drafts,
    sign_in,
)
from tests.conftest import Cli


def _fronts(runtime: Runtime, name: str) -> tuple[Any, Any]:
    """A signed-in dashboard and an API client, both as the editor ``name``."""
    make_user(runtime, name, "editor")
    page = make_client(runtime)
    page.csrf = sign_in(page, name)
    token = make_token(runtime, name)
    api = make_client(runtime, headers={"Authorization": f"Bearer {token}"})
    return page, api


def _flash(page: Any) -> str:
    return str(page.get("/?state=").text)


def test_a_past_time_is_refused_alike(runtime: Runtime, cli: Cli) -> None:
    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    page, api = _fronts(runtime, "maria")
    said = "2020-01-01 09:00 is in the past; pick a later time, or approve now"

    refused = cli("drafts", "approve", str(post_id), "--at", "2020-01-01 09:00")
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"newsbot: --at: {said}"

    page.post(f"/posts/{post_id}/schedule", data={"csrf": page.csrf, "at": "2020-01-01 09:00"})
    assert said in _flash(page)

    answer = api.post(f"/api/v1/posts/{post_id}/approve", json={"at": "2020-01-01 09:00"})
    assert answer.status_code == 422 and answer.json() == {"detail": f"at: {said}"}
    assert post_state(runtime, post_id) == State.PENDING_REVIEW


def test_an_illegal_transition_is_refused_alike(runtime: Runtime, cli: Cli) -> None:
    [post_id] = seed_drafts(runtime, 1, channels=("x",), state=State.REJECTED)
    page, api = _fronts(runtime, "maria")
    said = f"post {post_id} is rejected; it cannot be approved"

    refused = cli("drafts", "approve", str(post_id))
    assert (refused.returncode, refused.stderr.strip()) == (2, f"newsbot: {said}")
    page.post(f"/posts/{post_id}/approve", data={"csrf": page.csrf})
    assert said in _flash(page)
    answer = api.post(f"/api/v1/posts/{post_id}/approve")
    assert answer.status_code == 409 and answer.json() == {"detail": said}
    assert post_state(runtime, post_id) == State.REJECTED


def test_the_two_person_rule_is_the_same_rule_everywhere(runtime: Runtime, cli: Cli) -> None:
    runtime.settings.review.two_person = True
    two_person = {"NEWSBOT_REVIEW__TWO_PERSON": "true"}
    by_cli, by_maria = seed_drafts(runtime, 2, channels=("x",))
    page, api = _fronts(runtime, "maria")
    cli.ok("drafts", "edit", str(by_cli), "--text", "Better words https://n.example/1")
    page.post(
        f"/posts/{by_maria}/edit",
        data={"csrf": page.csrf, "text": "Other words https://n.example/2", "quote": "0"},
    )

    refused = cli("drafts", "approve", str(by_cli), env=two_person)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"newsbot: post {by_cli} was edited by cli; another editor must approve it "
        "(two-person rule)"
    )
    said = f"post {by_maria} was edited by maria; another editor must approve it (two-person rule)"
    page.post(f"/posts/{by_maria}/approve", data={"csrf": page.csrf})
    assert said in _flash(page)
    answer = api.post(f"/api/v1/posts/{by_maria}/approve")
    assert answer.status_code == 409 and answer.json() == {"detail": said}
    # a retry sends words again: the same rule
    with transaction(runtime.sessions) as session:
        changes.get_post(session, by_maria).state = State.FAILED
    assert api.post(f"/api/v1/posts/{by_maria}/retry").json() == {"detail": said}
    assert post_state(runtime, by_maria) == State.FAILED
    # someone else may: maria approves what the CLI wrote, the CLI retries maria's
    assert api.post(f"/api/v1/posts/{by_cli}/approve").json()["state"] == State.APPROVED
    cli.ok("drafts", "retry", str(by_maria), env=two_person)
    assert post_state(runtime, by_maria) == State.APPROVED


def test_editing_the_quote_or_hashtags_on_the_page_is_audited(runtime: Runtime) -> None:
    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    page, _api = _fronts(runtime, "maria")
    with runtime.sessions() as session:
        text = changes.get_post(session, post_id).text
    # the same words, another quote (index 1) and another hashtag: no script re-composed it
    page.post(
        f"/posts/{post_id}/edit",
        data={"csrf": page.csrf, "text": text, "quote": "1", "hashtags": ["#City"]},
    )
    with runtime.sessions() as session:
        post = changes.get_post(session, post_id)
        assert post.key_quote == {"text": "Not today.", "speaker": "Ana Lima"}
        assert post.hashtags == ["#City"] and post.last_edited_by == "maria"
        [edited] = session.scalars(select(AuditEvent).where(AuditEvent.action == "edited"))
    assert edited.actor == "maria" and edited.post_id == post_id
    assert edited.detail["key_quote"] == {
        "before": {"text": "We will build it,", "speaker": "the minister"},
        "after": {"text": "Not today.", "speaker": "Ana Lima"},
    }
    assert edited.detail["hashtags"] == {"before": ["#Politics"], "after": ["#City"]}
    # hashtags alone are a change too
    page.post(f"/posts/{post_id}/edit", data={"csrf": page.csrf, "text": text, "quote": "1"})
    with runtime.sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "edited")).all()
        assert changes.get_post(session, post_id).hashtags == []
    assert events[-1].detail["hashtags"] == {"before": ["#City"], "after": []}
    # and nothing changed is no change
    page.post(f"/posts/{post_id}/edit", data={"csrf": page.csrf, "text": text, "quote": "1"})
    assert "Nothing changed." in _flash(page)
    with runtime.sessions() as session:
        assert (
            len(session.scalars(select(AuditEvent.id).where(AuditEvent.action == "edited")).all())
            == 2
        )


def test_the_cli_edit_still_writes_before_and_after(runtime: Runtime) -> None:
    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    with transaction(runtime.sessions) as session:
        post = changes.get_post(session, post_id, for_update=True)
        before = post.text
        assert changes.edit(session, post, "ed", runtime.clock.now(), Edit(post_id, text="New"))
        assert not changes.edit(session, post, "ed", runtime.clock.now(), Edit(post_id, text="New"))
    with runtime.sessions() as session:
        [edited] = session.scalars(select(AuditEvent).where(AuditEvent.action == "edited"))
    assert edited.detail == {"before": before, "after": "New"}
