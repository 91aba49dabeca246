"""Admin actions land in the append-only audit table, with who did them and no secret.

Through the dashboard's forms, the REST API and the real `newsbot` command, on SQLite and
PostgreSQL. Before, these changes went only to the structured log (or nowhere).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.store.db import make_engine
from bot.store.models import ApiToken, AuditEvent, Source, User
from tests.browser.webapp import PASSWORD, make_client, make_token, make_user, sign_in
from tests.conftest import Cli, jsonl

NEW_PASSWORD = "a brand new passphrase"


def events(runtime: Runtime) -> list[AuditEvent]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def secrets_of(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        hashes = [u.password_hash for u in session.scalars(select(User))]
        hashes += [t.token_hash for t in session.scalars(select(ApiToken))]
    return hashes


def one(found: list[AuditEvent], action: str) -> AuditEvent:
    matching = [e for e in found if e.action == action]
    assert len(matching) == 1, (action, [(e.action, e.detail) for e in found])
    return matching[0]


def clean(detail: dict[str, Any], *secrets: str) -> None:
    text = json.dumps(detail)
    for secret in secrets:
        assert secret not in text


def test_dashboard_admin_actions_are_audited_with_the_admin_as_actor(runtime: Runtime) -> None:
    make_user(runtime, "boss", "admin")
    client = make_client(runtime)
    csrf = sign_in(client, "boss")

    def post(path: str, **data: str) -> None:
        answer = client.post(path, data={**data, "csrf": csrf})
        assert answer.status_code in (200, 303), answer.text[:500]

    post("/admin/users", name="newbie", role="viewer", password="newbie's secret pw")
    with runtime.sessions() as session:
        newbie = session.scalars(select(User).where(User.name == "newbie")).one().id
    post(f"/admin/users/{newbie}/role", role="editor")
    post(f"/admin/users/{newbie}/role", role="editor")  # no change: no event
    post(f"/admin/users/{newbie}/disabled", disabled="yes")
    post("/admin/sources", url="https://reader:feedpass@feeds.example/a.xml")
    with runtime.sessions() as session:
        source_id = session.scalars(select(Source.id)).one()
    post(f"/admin/sources/{source_id}/remove")
    answer = client.post("/account/tokens", data={"name": "cms", "csrf": csrf})
    token = answer.text.split("data-new-token>")[1].split("<")[0]
    with runtime.sessions() as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    post(f"/account/tokens/{token_id}/revoke")

    found = events(runtime)
    assert [e.action for e in found] == [
        "user_added", "user_changed", "user_changed", "source_added", "source_removed",
        "token_created", "token_revoked",
    ]  # fmt: skip
    assert {e.actor for e in found} == {"boss"}
    assert one(found, "user_added").detail == {
        "user_id": newbie,
        "user": "newbie",
        "role": "viewer",
    }
    role, disabled = [e.detail for e in found if e.action == "user_changed"]
    assert role["role"] == ["viewer", "editor"]
    assert disabled["disabled"] == [False, True]
    assert one(found, "source_added").detail["url"] == "https://feeds.example/a.xml"
    assert one(found, "token_revoked").detail["token_id"] == token_id
    for event in found:
        clean(event.detail, "newbie's secret pw", PASSWORD, token, "feedpass", *secrets_of(runtime))


def test_a_refused_admin_action_writes_no_event(runtime: Runtime) -> None:
    make_user(runtime, "boss", "admin")
    make_user(runtime, "ed", "editor")
    client = make_client(runtime)
    csrf = sign_in(client, "ed")
    client.post("/admin/users", data={"name": "x", "role": "admin", "password": "0123456789ab",
                                      "csrf": csrf})  # fmt: skip
    boss = make_client(runtime)
    boss_csrf = sign_in(boss, "boss")
    with runtime.sessions() as session:
        boss_id = session.scalars(select(User.id).where(User.name == "boss")).one()
    # the last admin cannot lose the role: refused, so nothing is recorded
    boss.post(f"/admin/users/{boss_id}/role", data={"role": "viewer", "csrf": boss_csrf})
    assert events(runtime) == []


def test_api_source_changes_are_audited_with_the_token_owner(runtime: Runtime) -> None:
    make_user(runtime, "desk-admin", "admin")
    token = make_token(runtime, "desk-admin")
    client = make_client(runtime, headers={"Authorization": f"Bearer {token}"})
    added = client.post("/api/v1/sources", json={"url": "https://feeds.example/api.xml"})
    assert added.status_code == 201, added.text
    assert client.delete(f"/api/v1/sources/{added.json()['id']}").status_code == 204
    found = events(runtime)
    assert [(e.action, e.actor) for e in found] == [
        ("source_added", "desk-admin"),
        ("source_removed", "desk-admin"),
    ]
    assert found[1].detail == {
        "source_id": added.json()["id"],
        "url": "https://feeds.example/api.xml",
    }
    # and the API's audit list shows them
    listed = client.get("/api/v1/audit", params={"action": "source_added"})
    assert listed.status_code == 200
    assert [i["actor"] for i in listed.json()["items"]] == ["desk-admin"]


@pytest.mark.e2e
def test_cli_admin_actions_are_audited_as_cli(cli: Cli, tmp_path: Any) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss version='2.0'><channel><title>t</title></channel></rss>")
    cli.ok("users", "add", "ops", "--role", "admin", input="first secret pw\n")
    token = cli.ok("users", "token", "ops", "--label", "cms", "--expires", "30d").stdout.strip()
    cli.ok("users", "passwd", "ops", input=f"{NEW_PASSWORD}\n")
    cli.ok("sources", "add", str(feed))
    cli.ok("sources", "remove", "1")
    log = jsonl(cli.ok("log", "--json").stdout)
    assert [(e["action"], e["actor"]) for e in log] == [
        ("user_added", "cli"),
        ("token_created", "cli"),
        ("password_changed", "cli"),
        ("source_added", "cli"),
        ("source_removed", "cli"),
    ]
    assert log[1]["detail"]["label"] == "cms" and log[1]["detail"]["expires_at"]
    stored = stored_hashes(cli.env["NEWSBOT_DATABASE_URL"])
    for event in log:
        clean(event["detail"], "first secret pw", NEW_PASSWORD, token, *stored)


def stored_hashes(url: str) -> list[str]:
    """The password and token hashes a database holds: none may be in an audit detail."""
    engine = make_engine(url)
    with engine.connect() as connection:
        users = connection.execute(select(User.password_hash)).scalars().all()
        tokens = connection.execute(select(ApiToken.token_hash)).scalars().all()
    engine.dispose()
    return [*users, *tokens]
