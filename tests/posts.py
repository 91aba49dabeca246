"""Articles and posts straight into the store, for tests that start after drafting.

Approval goes through ``bot.desk.changes.approve``, the action the CLI and the dashboard
call, so an approved post has its ``approved`` audit event like any other.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.desk import changes
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import Article, Post


def add_article(session: Session, now: datetime, url: str, **fields: Any) -> Article:
    """A drafted article at ``url`` (its guid too, unless ``fields`` say otherwise)."""
    values: dict[str, Any] = {
        "guid": url, "url": url, "canonical_url": url, "title": "Story", "tags": [],
        "quotes": [], "status": "drafted", "created_at": now,
    }  # fmt: skip
    article = Article(**{**values, **fields})
    session.add(article)
    session.flush()
    return article


def add_post(
    session: Session,
    article: Article,
    text: str,
    now: datetime,
    *,
    approved_by: str | None = None,
    **fields: Any,
) -> Post:
    """A post of ``article`` waiting for review (X unless ``fields`` say otherwise);
    approved by ``approved_by`` when given."""
    values: dict[str, Any] = {
        "channel": "x", "state": "pending_review", "hashtags": [], "attempts": 0,
        "channel_data": {}, "created_at": now, "updated_at": now,
    }  # fmt: skip
    post = Post(article_id=article.id, text=text, **{**values, **fields})
    session.add(post)
    session.flush()
    if approved_by is not None:
        changes.approve(session, post, approved_by, now)
    return post


def make_posts(
    runtime: Runtime, clock: Clock, n: int, channel: str = "x", approve: bool = True
) -> list[int]:
    """``n`` posts on ``channel``, one article each, approved by "ed" unless not asked to.
    The URLs are unique, so a test can call this more than once."""
    ids = []
    with transaction(runtime.sessions) as session:
        for i in range(n):
            url = f"https://n.example/{channel}/{i}-{uuid.uuid4().hex[:8]}"
            article = add_article(session, clock.now(), url, title=f"Story {i}")
            post = add_post(
                session,
                article,
                f"Story {i} {url}",
                clock.now(),
                channel=channel,
                approved_by="ed" if approve else None,
            )
            ids.append(post.id)
    return ids
