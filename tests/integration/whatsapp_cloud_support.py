"""Shared by the Cloud API tests: a migrated SQLite store, a post, subscribers, settings."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import OutgoingPost
from bot.settings import Settings
from bot.store.db import make_engine, make_sessionmaker, transaction, upgrade
from bot.store.models import AuditEvent, Subscriber, SubscriberSend
from tests import posts
from tests.fakes.fake_cloud import PHONE_ID

TOKEN = "EAAtest-cloud-token-4f2a9c"
APP_SECRET = "app-secret-7d1e0b55"
VERIFY = "verify-me-31337"
NOW = datetime.now(UTC).replace(microsecond=0)


def store(tmp_path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'newsbot.db'}")
    upgrade(engine)
    return make_sessionmaker(engine)


def cloud_settings(url: str, tmp_path: Path, **whatsapp: Any) -> Settings:
    values = {
        "backend": "cloud", "cloud_base_url": url, "cloud_token": TOKEN,
        "cloud_phone_id": PHONE_ID, "cloud_app_secret": APP_SECRET,
        "cloud_verify_token": VERIFY, "timeout": 1.0, **whatsapp,
    }  # fmt: skip
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'newsbot.db'}",
        whatsapp=values,
    )


def add_post(sessions: sessionmaker[Session], title: str = "Council approves budget") -> int:
    with transaction(sessions) as session:
        article = posts.add_article(
            session, NOW, "https://news.example/budget",
            guid=title, canonical_url=f"https://news.example/{title}", title=title,
        )  # fmt: skip
        post = posts.add_post(
            session, article, f"*{title}*", NOW, channel="whatsapp", state="publishing", attempts=1
        )
        return post.id


@dataclass(frozen=True)
class People:
    ids: dict[str, int]


def add_subscribers(sessions: sessionmaker[Session], **who: str) -> People:
    """``name="in"`` opted in, ``"out"`` opted in then out, ``"never"`` only known."""
    ids = {}
    with transaction(sessions) as session:
        for n, (name, kind) in enumerate(who.items()):
            subscriber = Subscriber(phone=f"1555000{n:04d}", created_at=NOW)
            if kind in ("in", "out"):
                subscriber.opted_in_at = NOW - timedelta(days=2)
            if kind == "out":
                subscriber.opted_out_at = NOW - timedelta(days=1)
            session.add(subscriber)
            session.flush()
            ids[name] = subscriber.id
    return People(ids)


def phone_of(sessions: sessionmaker[Session], subscriber_id: int) -> str:
    with sessions() as session:
        return session.get_one(Subscriber, subscriber_id).phone


def rows(sessions: sessionmaker[Session], post_id: int) -> dict[int, tuple[str, str | None]]:
    with sessions() as session:
        found = session.scalars(select(SubscriberSend).where(SubscriberSend.post_id == post_id))
        return {r.subscriber_id: (r.status, r.message_id) for r in found}


def audit_events(sessions: sessionmaker[Session]) -> list[tuple[str, int | None, dict[str, Any]]]:
    with sessions() as session:
        return [(e.action, e.post_id, e.detail) for e in session.scalars(select(AuditEvent))]


def outgoing(post_id: int, **changes: Any) -> OutgoingPost:
    values: dict[str, Any] = {
        "post_id": post_id, "article_id": 1, "channel": "whatsapp",
        "text": "*Council approves budget*", "title": "Council approves budget", "url": "https://news.example/budget",
        "key_quote": "We kept every promise", "speaker": "Mayor Ana Ruiz",
        "first_attempt_at": NOW, **changes,
    }  # fmt: skip
    return OutgoingPost(**values)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # uvicorn's own log config would bind its handlers to this test's captured stderr, which
    # is closed by the time a later test's server logs through them
    config = uvicorn.Config(app, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
