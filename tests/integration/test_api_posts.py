"""/api/v1 with per-user tokens: posts, audit, sources; roles; tokens revoked and hashed."""

from __future__ import annotations

from sqlalchemy import select

from bot.outbox.states import State
from bot.runtime import Runtime
from bot.store.models import ApiToken
from tests.browser.webapp import (
    csrf_of,
    make_client,
    make_token,
    make_user,
    post_state,
    seed_drafts,
    sign_in,
)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_are_shown_once_stored_hashed_and_revocable(runtime: Runtime) -> None:
    make_user(runtime, "cms", "editor")
    client = make_client(runtime)
    csrf = sign_in(client, "cms")
    page = client.post("/account/tokens", data={"csrf": csrf, "name": "cms push"}).text
    token = page.split("data-new-token>")[1].split("<")[0]
    assert token.startswith("nbt_")
    assert token not in client.get("/account").text  # shown once
    with runtime.sessions() as session:
        stored = session.scalars(select(ApiToken)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    api = make_client(runtime)
    assert api.get("/api/v1/me", headers=_auth(token)).json() == {"name": "cms", "role": "editor"}
    csrf = csrf_of(client.get("/account").text)
    client.post(f"/account/tokens/{stored.id}/revoke", data={"csrf": csrf})
    refused = api.get("/api/v1/me", headers=_auth(token))
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert api.get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/me", headers=_auth("nbt_forged")).status_code == 401
    # a session cookie is no key to the API
    assert client.get("/api/v1/posts").status_code == 401


def test_list_show_edit_approve_reject_withdraw_retry(runtime: Runtime) -> None:
    make_user(runtime, "desk", "editor")
    token = make_token(runtime, "desk")
    api = make_client(runtime, headers=_auth(token))
    ids = seed_drafts(runtime, 3, channels=("x",))
    listed = api.get("/api/v1/posts", params={"state": "pending_review", "limit": 2}).json()
    assert [p["id"] for p in listed["items"]] == [ids[2], ids[1]]
    rest = api.get("/api/v1/posts", params={"before": listed["next_before"], "limit": 2}).json()
    assert [p["id"] for p in rest["items"]] == [ids[0]] and rest["next_before"] is None
    shown = api.get(f"/api/v1/posts/{ids[0]}").json()
    assert shown["key_quote"] == {"text": "We will build it,", "speaker": "the minister"}
    assert shown["length"] <= shown["limit"] == 280

    edited = api.patch(f"/api/v1/posts/{ids[0]}", json={"text": "New words https://x.example"})
    assert edited.status_code == 200 and edited.json()["last_edited_by"] == "desk"
    assert api.patch(f"/api/v1/posts/{ids[0]}", json={"text": "a" * 281}).status_code == 200
    too_long = api.post(f"/api/v1/posts/{ids[0]}/approve")
    assert too_long.status_code == 409 and "shorten it first" in too_long.json()["detail"]
    api.patch(f"/api/v1/posts/{ids[0]}", json={"text": "Short again"})
    scheduled = api.post(f"/api/v1/posts/{ids[0]}/approve", json={"at": "2030-05-01 09:00"})
    assert scheduled.json()["state"] == State.SCHEDULED
    assert scheduled.json()["scheduled_at"].startswith("2030-05-01T09:00")
    assert (
        api.post(f"/api/v1/posts/{ids[1]}/approve", json={"at": "2001-01-01 09:00"}).status_code
        == 422
    )
    assert api.post(f"/api/v1/posts/{ids[1]}/reject", json={"note": ""}).status_code == 422
    assert (
        api.post(f"/api/v1/posts/{ids[1]}/reject", json={"note": "dup"}).json()["state"]
        == "rejected"
    )
    assert api.post(f"/api/v1/posts/{ids[1]}/approve").status_code == 409  # rejected is final

    assert api.post(f"/api/v1/posts/{ids[2]}/approve").json()["state"] == State.APPROVED
    runtime.publish_round()
    gone = api.post(f"/api/v1/posts/{ids[2]}/withdraw", json={"reason": "legal"})
    assert gone.json()["state"] == State.WITHDRAWN
    assert api.post(f"/api/v1/posts/{ids[2]}/retry").status_code == 409
    assert api.get("/api/v1/posts/999999").status_code == 404

    events = api.get("/api/v1/audit", params={"post_id": ids[2]}).json()["items"]
    assert [e["action"] for e in events] == ["withdrawn", "published", "claimed", "approved"]
    assert events[0]["actor"] == "desk" and events[0]["detail"]["reason"] == "legal"
    assert (
        api.get("/api/v1/audit", params={"q": "legal"}).json()["items"][0]["id"] == events[0]["id"]
    )
    measured = api.post("/api/v1/measure", json={"channel": "x", "text": "東京"}).json()
    assert measured == {"channel": "x", "length": 4, "limit": 280, "fits": True}


def test_roles_on_the_api(runtime: Runtime) -> None:
    tokens = {}
    for role in ("viewer", "editor", "admin"):
        make_user(runtime, role, role)
        tokens[role] = make_token(runtime, role)
    [post_id] = seed_drafts(runtime, 1, channels=("x",))
    viewer = make_client(runtime, headers=_auth(tokens["viewer"]))
    assert viewer.get("/api/v1/posts").status_code == 200
    assert viewer.get("/api/v1/audit").status_code == 200
    assert viewer.get("/api/v1/sources").status_code == 200
    for method, path, body in (
        ("PATCH", f"/api/v1/posts/{post_id}", {"text": "x"}),
        ("POST", f"/api/v1/posts/{post_id}/approve", None),
        ("POST", f"/api/v1/posts/{post_id}/reject", {"note": "n"}),
        ("POST", f"/api/v1/posts/{post_id}/withdraw", None),
        ("POST", "/api/v1/articles", {"url": "https://news.example/p", "title": "T"}),
    ):
        answer = viewer.request(method, path, json=body)
        assert answer.status_code == 403, (path, answer.text)
    assert post_state(runtime, post_id) == State.PENDING_REVIEW
    editor = make_client(runtime, headers=_auth(tokens["editor"]))
    source = {"url": "https://feeds.example/rss"}
    assert editor.post("/api/v1/sources", json=source).status_code == 403
    admin = make_client(runtime, headers=_auth(tokens["admin"]))
    created = admin.post("/api/v1/sources", json=source)
    assert created.status_code == 201
    assert admin.post("/api/v1/sources", json=source).status_code == 409
    assert admin.post("/api/v1/sources", json={"url": "file:///etc/passwd"}).status_code == 422
    assert editor.delete(f"/api/v1/sources/{created.json()['id']}").status_code == 403
    assert admin.delete(f"/api/v1/sources/{created.json()['id']}").status_code == 204
    assert admin.get("/api/v1/sources").json() == []


def test_openapi_is_served_and_describes_the_token(runtime: Runtime) -> None:
    spec = make_client(runtime).get("/api/v1/openapi.json").json()
    assert spec["servers"] == [{"url": "/api/v1"}]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    for path in (
        "/posts",
        "/posts/{post_id}",
        "/posts/{post_id}/approve",
        "/audit",
        "/sources",
        "/articles",
    ):
        assert path in spec["paths"], path
