"""The dashboard under test, in-process: the app on a Runtime, a client, accounts, drafts.

Shared by the browser test and the integration tests of the web app and the API.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from starlette.exceptions import StarletteDeprecationWarning

from bot.outbox.states import State
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import Article, Post, User
from bot.users import add_user
from bot.web.app import create_app
from bot.web.tokens import create_token
from tests.posts import add_article, add_post

with warnings.catch_warnings():
    # starlette asks for the httpx2 package; httpx does the same job for these tests
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery"
ROLES = ("viewer", "editor", "admin")


def make_client(runtime: Runtime, scheduler: Any = None, **kwargs: Any) -> TestClient:
    return TestClient(create_app(runtime, scheduler), follow_redirects=False, **kwargs)


def make_user(runtime: Runtime, name: str, role: str, password: str = PASSWORD) -> int:
    with transaction(runtime.sessions) as session:
        return add_user(session, name, role, password, runtime.clock.now()).id


def make_token(runtime: Runtime, name: str) -> str:
    with transaction(runtime.sessions) as session:
        user = session.scalars(select(User).where(User.name == name)).one()
        return create_token(session, user.id, "tests", runtime.clock.now())[1]


CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Signs in through the form; returns the CSRF token of the signed-in pages."""
    page = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"name": name, "password": password, "csrf": csrf_of(page.text), "next": "/"},
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/account").text)


def seed_drafts(
    runtime: Runtime,
    count: int,
    *,
    channels: Iterable[str] = ("x", "whatsapp"),
    state: str = State.PENDING_REVIEW,
    title: str = "Article {n}",
    source_id: int | None = None,
) -> list[int]:
    """``count`` articles with one post per channel, straight into the store; post ids."""
    now = runtime.clock.now()
    ids: list[int] = []
    with transaction(runtime.sessions) as session:
        start = len(session.scalars(select(Article.id)).all())
        for i in range(count):
            n = start + i + 1
            article = add_article(
                session,
                now - timedelta(minutes=30),
                f"https://news.example/{n}",
                source_id=source_id,
                guid=f"guid-{n}",
                title=title.format(n=n),
                summary="A summary.",
                tags=["Politics"],
                body="“We will build it,” the minister said.",
                quotes=[
                    {"text": "We will build it,", "speaker": "the minister"},
                    {"text": "Not today.", "speaker": "Ana Lima"},
                ],
            )
            for channel in channels:
                post = add_post(
                    session,
                    article,
                    f"{article.title}\n\n“We will build it,” — the minister\n\n"
                    f"{article.canonical_url} #Politics",
                    now,
                    channel=channel,
                    state=state,
                    key_quote={"text": "We will build it,", "speaker": "the minister"},
                    hashtags=["#Politics"],
                    expires_at=now + timedelta(hours=24),
                )
                ids.append(post.id)
    return ids


def post_state(runtime: Runtime, post_id: int) -> str:
    with runtime.sessions() as session:
        return str(session.get_one(Post, post_id).state)
