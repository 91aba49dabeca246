"""Cloud API webhook replays, through the real app over HTTP on SQLite and PostgreSQL.

The signature has no time in it: Meta resends a webhook until it gets a 200, and anyone
who saw a signed body can post it again. A resent event must change nothing, and an old
START must not undo a later STOP.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.whatsapp.cloud import build
from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.store.db import make_engine, make_sessionmaker
from bot.store.models import AuditEvent, Subscriber
from bot.web.app import create_app
from tests.fakes.fake_cloud import FakeCloud, running_cloud, sign
from tests.integration.whatsapp_cloud_support import (
    APP_SECRET,
    TOKEN,
    add_post,
    add_subscribers,
    cloud_settings,
    outgoing,
    rows,
    serving,
)

URL = "/webhooks/whatsapp"


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    yield from running_cloud(TOKEN)


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def web(cloud: FakeCloud, tmp_path: Path, db_url: str) -> Iterator[httpx.Client]:
    settings = cloud_settings(cloud.url, tmp_path).model_copy(update={"database_url": db_url})
    runtime = Runtime(settings, FixedClock(datetime.now(UTC)))
    with serving(create_app(runtime)) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client
    runtime.close()


def signed(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)}


def deliver(web: httpx.Client, payload: dict[str, Any]) -> httpx.Response:
    body, headers = signed(payload)
    response = web.post(URL, content=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def at(payload: dict[str, Any], when: datetime) -> dict[str, Any]:
    """The same webhook, sent by the reader at ``when`` (Meta's ``timestamp``)."""
    value = payload["entry"][0]["changes"][0]["value"]
    for item in value.get("messages", []) + value.get("statuses", []):
        item["timestamp"] = str(int(when.timestamp()))
    return payload


def deliveries(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        found = session.scalars(select(AuditEvent).where(AuditEvent.action == "delivery"))
        return len(found.all())


def opted_out(sessions: sessionmaker[Session], phone: str) -> bool:
    with sessions() as session:
        who = session.scalars(select(Subscriber).where(Subscriber.phone == phone)).one()
        return who.opted_out_at is not None and (
            who.opted_in_at is None or who.opted_out_at >= who.opted_in_at
        )


def test_a_resent_status_webhook_writes_one_audit_row(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session], tmp_path: Path,
    db_url: str,
) -> None:  # fmt: skip
    add_subscribers(sessions, a="in", b="in")
    post_id = add_post(sessions)
    settings = cloud_settings(cloud.url, tmp_path).model_copy(update={"database_url": db_url})
    build(settings, sessions, FixedClock(datetime.now(UTC))).publish(outgoing(post_id))
    delivered = cloud.statuses_for("delivered")
    first = deliver(web, delivered)
    assert first.json()["statuses"] == 2
    after_first = rows(sessions, post_id)
    again = deliver(web, delivered)  # Meta did not see our 200 and sends it again
    assert again.json()["statuses"] == 0
    assert again.json()["duplicates"] == 2
    assert deliveries(sessions) == 1
    assert rows(sessions, post_id) == after_first


def test_the_same_delivery_posted_twice_at_once_is_applied_once(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session], tmp_path: Path,
    db_url: str,
) -> None:  # fmt: skip
    add_subscribers(sessions, a="in")
    post_id = add_post(sessions)
    settings = cloud_settings(cloud.url, tmp_path).model_copy(update={"database_url": db_url})
    build(settings, sessions, FixedClock(datetime.now(UTC))).publish(outgoing(post_id))
    body, headers = signed(cloud.statuses_for("read"))
    answers: list[int] = []
    start = threading.Barrier(4)

    def post() -> None:
        start.wait()
        with httpx.Client(base_url=str(web.base_url), timeout=10) as client:
            answers.append(client.post(URL, content=body, headers=headers).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    assert deliveries(sessions) == 1


def test_a_replayed_stop_changes_nothing_after_the_reader_came_back(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    phone = "15557654321"
    t = datetime.now(UTC).replace(microsecond=0)
    stop = at(cloud.inbound_webhook(phone, text="STOP"), t - timedelta(minutes=2))
    deliver(web, stop)
    deliver(web, at(cloud.inbound_webhook(phone, text="START"), t - timedelta(minutes=1)))
    assert not opted_out(sessions, phone)
    replay = deliver(web, stop)
    assert replay.json()["opted_out"] == 0
    assert not opted_out(sessions, phone)


def test_an_old_start_arriving_after_a_later_stop_does_not_resubscribe(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    phone = "15557654321"
    t = datetime.now(UTC).replace(microsecond=0)
    start = at(cloud.inbound_webhook(phone, text="START"), t - timedelta(minutes=2))  # t=1
    stop = at(cloud.inbound_webhook(phone, text="STOP"), t - timedelta(minutes=1))  # t=2
    deliver(web, stop)
    late = deliver(web, start)  # Meta's retry of the earlier START arrives last
    assert late.json()["opted_in"] == 0
    assert opted_out(sessions, phone)
    # a START sent after the STOP still subscribes again
    deliver(web, at(cloud.inbound_webhook(phone, text="START"), t))
    assert not opted_out(sessions, phone)


def test_an_event_older_than_the_remembered_ids_is_refused(
    cloud: FakeCloud, web: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    phone = "15557654321"
    old = at(cloud.inbound_webhook(phone, text="START"), datetime.now(UTC) - timedelta(days=60))
    answer = deliver(web, old)
    with sessions() as session:
        assert session.scalars(select(Subscriber)).all() == []
    assert answer.json()["stale"] == 1
