"""Each role against each action of the dashboard, and CSRF on every state-changing form.

viewer reads; editor edits, approves, schedules, rejects, withdraws, retries; admin also
manages sources, channels and accounts. A refused request answers 403 and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.outbox.states import State
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import ApiToken, Post, Source, User
from tests.browser.webapp import make_client, make_user, seed_drafts, sign_in

Snapshot = Callable[[Runtime], Any]


@dataclass
class Action:
    name: str
    needs: str
    path: str
    data: dict[str, Any]
    snapshot: Snapshot
    json: bool = False


def _post(post_id: int) -> Snapshot:
    def read(runtime: Runtime) -> Any:
        with runtime.sessions() as session:
            p = session.get_one(Post, post_id)
            return (p.state, p.text, p.scheduled_at)

    return read


def _count(model: Any) -> Snapshot:
    def read(runtime: Runtime) -> Any:
        with runtime.sessions() as session:
            return session.scalar(select(func.count()).select_from(model))

    return read


def _users(runtime: Runtime) -> Any:
    with runtime.sessions() as session:
        return sorted((u.name, u.role, u.disabled) for u in session.scalars(select(User)))


def _set_state(runtime: Runtime, post_id: int, state: str, **values: Any) -> None:
    with transaction(runtime.sessions) as session:
        post = session.get_one(Post, post_id)
        post.state = state
        for key, value in values.items():
            setattr(post, key, value)


def actions(runtime: Runtime) -> list[Action]:
    """Fresh targets for every action, so each one can succeed for the roles allowed it."""
    ids = seed_drafts(runtime, 6, channels=("x",))
    _set_state(runtime, ids[4], State.FAILED, error="403 duplicate content")
    _set_state(runtime, ids[5], State.APPROVED)
    with transaction(runtime.sessions) as session:
        source, _ = runtime.add_source(session, "https://feeds.example/a.xml")
        victim = User(
            name="victim", role="viewer", password_hash="x", created_at=runtime.clock.now()
        )
        session.add(victim)
        session.flush()
        source_id, victim_id = source.id, victim.id
    return [
        Action("edit", "editor", f"/posts/{ids[0]}/edit", {"text": "New words"}, _post(ids[0])),
        Action("approve", "editor", f"/posts/{ids[1]}/approve", {}, _post(ids[1])),
        Action(
            "schedule",
            "editor",
            f"/posts/{ids[2]}/schedule",
            {"at": "2030-01-01T09:00"},
            _post(ids[2]),
        ),
        Action("reject", "editor", f"/posts/{ids[3]}/reject", {"note": "off-topic"}, _post(ids[3])),
        Action("retry", "editor", f"/posts/{ids[4]}/retry", {}, _post(ids[4])),
        Action(
            "withdraw",
            "editor",
            f"/posts/{ids[5]}/withdraw",
            {"reason": "wrong photo", "confirm": "yes"},
            _post(ids[5]),
        ),
        Action(
            "add source",
            "admin",
            "/admin/sources",
            {"url": "https://feeds.example/b.xml"},
            _count(Source),
        ),
        Action("remove source", "admin", f"/admin/sources/{source_id}/remove", {}, _count(Source)),
        Action(
            "add user",
            "admin",
            "/admin/users",
            {"name": "newbie", "role": "viewer", "password": "long enough pw"},
            _users,
        ),
        Action(
            "change role", "admin", f"/admin/users/{victim_id}/role", {"role": "editor"}, _users
        ),
        Action(
            "disable user",
            "admin",
            f"/admin/users/{victim_id}/disabled",
            {"disabled": "yes"},
            _users,
        ),
        Action("create token", "viewer", "/account/tokens", {"name": "cms"}, _count(ApiToken)),
    ]


RANK = {"viewer": 0, "editor": 1, "admin": 2}


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_each_role_against_each_action(runtime: Runtime, role: str) -> None:
    make_user(runtime, "someone", role)
    client = make_client(runtime)
    csrf = sign_in(client, "someone")
    for path in ("/", "/published", "/failures", "/audit", "/overview", "/account"):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin").status_code == (200 if role == "admin" else 403)
    for action in actions(runtime):
        before = action.snapshot(runtime)
        answer = client.post(action.path, data={**action.data, "csrf": csrf})
        after = action.snapshot(runtime)
        if RANK[role] >= RANK[action.needs]:
            assert answer.status_code in (200, 303), (action.name, answer.text[:500])
            if answer.status_code == 303:
                shown = client.get(answer.headers["location"]).text
                assert 'class="flash error"' not in shown, (action.name, shown[:2000])
            assert after != before, f"{role} could not {action.name}"
        else:
            assert answer.status_code == 403, (action.name, answer.status_code)
            assert after == before, f"{role} changed something with {action.name}"


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(runtime: Runtime) -> None:
    make_user(runtime, "boss", "admin")
    make_user(runtime, "other", "admin")
    client = make_client(runtime)
    sign_in(client, "boss")
    someone_else = make_client(runtime)
    foreign = sign_in(someone_else, "other")  # a valid token, of another session
    for action in actions(runtime):
        for data in (action.data, {**action.data, "csrf": foreign}, {**action.data, "csrf": ""}):
            before = action.snapshot(runtime)
            answer = client.post(action.path, data=data)
            assert answer.status_code == 403, (action.name, answer.status_code)
            assert action.snapshot(runtime) == before, action.name
    # scripts send it as a header: the live counter without it is refused too
    post_id = seed_drafts(runtime, 1, channels=("x",))[0]
    assert client.post(f"/posts/{post_id}/measure", json={"text": "hi"}).status_code == 403
    assert client.post("/signout").status_code == 403
    assert client.get("/").status_code == 200  # still signed in


def test_two_person_rule(runtime: Runtime) -> None:
    runtime.settings.review.two_person = True
    make_user(runtime, "ana", "editor")
    make_user(runtime, "bo", "editor")
    post_id = seed_drafts(runtime, 1, channels=("x",))[0]
    ana = make_client(runtime)
    csrf = sign_in(ana, "ana")
    ana.post(f"/posts/{post_id}/edit", data={"csrf": csrf, "text": "Ana's words"})
    refused = ana.post(f"/posts/{post_id}/approve", data={"csrf": csrf, "next": "/"})
    assert "two-person rule" in ana.get("/").text
    assert refused.status_code == 303
    assert _post(post_id)(runtime)[0] == State.PENDING_REVIEW
    bo = make_client(runtime)
    bo.post(f"/posts/{post_id}/approve", data={"csrf": sign_in(bo, "bo"), "next": "/"})
    assert _post(post_id)(runtime)[0] == State.APPROVED
