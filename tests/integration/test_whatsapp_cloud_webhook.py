"""The Cloud API webhook through the real web app: signatures, STOP, status updates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import Publisher
from bot.channels.whatsapp.cloud import build
from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.store.models import AuditEvent, Subscriber
from bot.web.app import create_app
from tests.fakes.fake_cloud import FakeCloud, running_cloud, sign
from tests.integration.whatsapp_cloud_support import (
    APP_SECRET,
    TOKEN,
    VERIFY,
    add_post,
    add_subscribers,
    audit_events,
    cloud_settings,
    outgoing,
    rows,
    serving,
    store,
)

URL = "/webhooks/whatsapp"


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    yield from running_cloud(TOKEN)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return store(tmp_path)


@contextmanager
def client_for(cloud: FakeCloud, tmp_path: Path, **whatsapp: Any) -> Iterator[httpx.Client]:
    runtime = Runtime(
        cloud_settings(cloud.url, tmp_path, **whatsapp), FixedClock(datetime.now(UTC))
    )
    with serving(create_app(runtime)) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client
    runtime.close()


@pytest.fixture
def web(
    cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]
) -> Iterator[httpx.Client]:
    with client_for(cloud, tmp_path) as client:
        yield client


@pytest.fixture
def publisher(cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]) -> Publisher:
    return build(cloud_settings(cloud.url, tmp_path), sessions, FixedClock(datetime.now(UTC)))


def deliver(
    web: httpx.Client, payload: dict[str, Any], secret: str | None = APP_SECRET
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return web.post(URL, content=body, headers=headers)


def snapshot(sessions: sessionmaker[Session]) -> tuple[Any, ...]:
    with sessions() as session:
        people = [
            (s.phone, s.opted_in_at, s.opted_out_at) for s in session.scalars(select(Subscriber))
        ]
        events = len(session.scalars(select(AuditEvent)).all())
    return tuple(people), events


def test_meta_url_check_echoes_the_challenge_only_with_the_token(web: httpx.Client) -> None:
    ok = web.get(
        URL,
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200
    assert ok.text == "1158201444"
    bad = web.get(
        URL, params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    )
    assert bad.status_code == 403


@pytest.mark.parametrize("secret", ["not-the-app-secret", None], ids=["wrong-secret", "unsigned"])
def test_bad_signature_is_refused_with_401_and_changes_nothing(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session], publisher: Publisher,
    secret: str | None,
) -> None:  # fmt: skip
    add_subscribers(sessions, reader="in")
    post_id = add_post(sessions)
    publisher.publish(outgoing(post_id))
    before, rows_before = snapshot(sessions), rows(sessions, post_id)
    stop = cloud.inbound_webhook("15550000000", text="STOP")
    read = cloud.statuses_for("read")
    for payload in (stop, read):
        response = deliver(web, payload, secret)
        assert response.status_code == 401
    assert snapshot(sessions) == before
    assert rows(sessions, post_id) == rows_before


def test_tampered_body_with_old_signature_is_refused(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    add_subscribers(sessions, reader="in")
    body = json.dumps(cloud.inbound_webhook("15550000000", text="hello")).encode()
    signature = sign(body, APP_SECRET)
    tampered = body.replace(b"hello", b"STOP!")
    response = web.post(URL, content=tampered, headers={"X-Hub-Signature-256": signature})
    assert response.status_code == 401
    with sessions() as session:
        assert session.scalars(select(Subscriber)).one().opted_out_at is None


def test_stop_opts_out_and_the_next_post_skips_them(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    add_subscribers(sessions, a="in", b="in")
    response = deliver(web, cloud.inbound_webhook("15550000000", text="  stop "))
    assert response.status_code == 200
    assert response.json()["opted_out"] == 1
    publisher.publish(outgoing(add_post(sessions)))
    assert [m["to"] for m in cloud.messages()] == ["15550000001"]


def test_stop_button_opts_out_too(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    add_subscribers(sessions, a="in")
    deliver(web, cloud.inbound_webhook("15550000000", button="STOP"))
    with sessions() as session:
        assert session.scalars(select(Subscriber)).one().opted_out_at is not None


def test_start_opts_a_new_reader_in(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    deliver(web, cloud.inbound_webhook("15557654321", text="START"))
    deliver(web, cloud.inbound_webhook("15557654322", text="what is this?"))
    publisher.publish(outgoing(add_post(sessions)))
    assert [m["to"] for m in cloud.messages()] == ["15557654321"]


def test_statuses_move_rows_forward_and_land_in_the_audit(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    people = add_subscribers(sessions, a="in", b="in")
    post_id = add_post(sessions)
    publisher.publish(outgoing(post_id))
    # "delivered" arriving after "read" must not undo it (a resend of the same status is
    # not applied at all: tests/security/test_webhook_replay.py)
    for status in ("read", "delivered"):
        assert deliver(web, cloud.statuses_for(status)).status_code == 200
    assert {s for s, _ in rows(sessions, post_id).values()} == {"read"}
    deliveries = [
        d for action, pid, d in audit_events(sessions) if action == "delivery" and pid == post_id
    ]
    assert len(deliveries) == 2  # one event per post per webhook
    assert sorted(s["subscriber_id"] for s in deliveries[0]["statuses"]) == sorted(
        people.ids.values()
    )


def test_failed_status_records_the_error(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    people = add_subscribers(sessions, a="in")
    post_id = add_post(sessions)
    publisher.publish(outgoing(post_id))
    [message] = cloud.messages()
    payload = cloud.status_webhook(
        message["id"], "failed", message["to"], error=(131026, "Message undeliverable")
    )
    deliver(web, payload)
    assert rows(sessions, post_id)[people.ids["a"]][0] == "failed"
    [detail] = [d for action, _, d in audit_events(sessions) if action == "delivery"]
    assert detail["statuses"][0]["error"] == {"code": 131026, "title": "Message undeliverable"}


def test_a_status_resolves_a_send_whose_answer_was_lost(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    people = add_subscribers(sessions, a="in")
    post_id = add_post(sessions)
    cloud.set_faults({"plan": [{"kind": "drop_after_store"}]})
    with pytest.raises(Exception, match="did not answer"):
        publisher.publish(outgoing(post_id))
    assert rows(sessions, post_id)[people.ids["a"]] == ("unknown", None)
    deliver(web, cloud.statuses_for("delivered"))
    status, message_id = rows(sessions, post_id)[people.ids["a"]]
    assert status == "delivered"
    assert message_id == cloud.messages()[0]["id"]


def test_statuses_for_messages_we_did_not_send_are_ignored(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    response = deliver(web, cloud.status_webhook("wamid.someone-else", "read", "15550009999"))
    assert response.status_code == 200
    assert response.json()["ignored"] == 1
    assert audit_events(sessions) == []


def test_without_app_secret_updates_are_refused(
    cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    with client_for(cloud, tmp_path, cloud_app_secret=None) as web:
        response = deliver(web, cloud.inbound_webhook("15550000000", text="STOP"))
    assert response.status_code == 503
    assert "CLOUD_APP_SECRET" in response.text


def test_signed_garbage_is_a_400(web: httpx.Client) -> None:
    body = b"{not json"
    response = web.post(URL, content=body, headers={"X-Hub-Signature-256": sign(body, APP_SECRET)})
    assert response.status_code == 400
