"""The CMS push: an article handed over the second it is published, drafted at once.

Idempotent on the canonical URL (a unique column): a second push of the same article
stores and drafts nothing and answers with the drafts made the first time. The article
has no source. Drafts are approved at once when NEWSBOT_APPROVAL=auto, or when the push
asks for it (``auto_approve``) with an editor's token; either way the publisher is woken,
so an approved post goes out within a second under ``newsbot run``. The pushing account
is the drafts' author: with NEWSBOT_REVIEW__TWO_PERSON=true no automatic approval stands
in for a second person, so they wait in review with the reason (``bot.desk.rules``).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.audit import SYSTEM
from bot.drafting import save_drafts
from bot.editorial.model import ArticleData
from bot.egress import EgressRefused
from bot.outbox.states import State
from bot.sources.canonical import canonical_url
from bot.store.models import Article, Post
from bot.web.api.schemas import ArticleIn
from bot.web.context import Web
from bot.web.roles import Actor

log = structlog.get_logger("bot.web.push")


class PushRefused(Exception):
    """The article could not be drafted."""


@dataclass(frozen=True)
class Pushed:
    article_id: int
    created: bool
    post_ids: list[int]


def _existing(web: Web, canon: str) -> Pushed | None:
    with web.read() as session:
        article_id = session.scalar(select(Article.id).where(Article.canonical_url == canon))
        if article_id is None:
            return None
        ids = session.scalars(
            select(Post.id).where(Post.article_id == article_id).order_by(Post.id)
        ).all()
    return Pushed(article_id, False, list(ids))


def _mark_failed(web: Web, article_id: int, exc: Exception) -> None:
    refused = isinstance(exc, EgressRefused)  # the one-line reason, never the page
    if refused:
        log.warning("push.refused", article_id=article_id, error=str(exc))
    else:
        log.exception("push.draft_failed", article_id=article_id)
    error = str(exc) if refused else f"{exc.__class__.__name__}: {exc}"
    with web.write() as session:
        session.execute(
            update(Article).where(Article.id == article_id).values(status="failed", error=error)
        )


def push_article(web: Web, data: ArticleIn, actor: Actor) -> Pushed:
    try:
        canon = canonical_url(data.canonical_url or data.url)
        for url in (data.url, canon, data.image_url):
            if url is not None:
                httpx.URL(url)  # a host that is no host name (IDNA) is refused here
    except (ValueError, httpx.InvalidURL) as exc:
        raise PushRefused(f"url: {exc}") from None
    found = _existing(web, canon)
    if found is not None:
        return found
    now = web.now()
    article = Article(
        source_id=None,
        guid=canon,
        url=data.url,
        canonical_url=canon,
        title=data.title.strip() or data.url,
        summary=data.summary,
        author=data.author,
        published_at=data.published_at,
        language=data.language,
        tags=list(data.tags),
        body=data.body,
        image_url=data.image_url,
        quotes=[],
        status="drafting",  # ours: the worker's drafting round leaves it alone
        created_at=now,
        drafted_at=now,
    )
    try:
        with web.write() as session:
            session.add(article)
    except IntegrityError:  # the same article pushed twice at once: the other one won
        found = _existing(web, canon)
        if found is None:
            raise
        return found
    runtime = web.runtime
    base = ArticleData(
        title=article.title,
        url=data.url,
        canonical_url=canon,
        summary=data.summary,
        author=data.author,
        published_at=data.published_at,
        language=data.language,
        tags=tuple(data.tags),
        body=data.body or "",
        image_url=data.image_url,
    )
    policy = runtime.draft_policy()
    try:
        # the CMS sent the text: no page fetch unless it sent none
        draft = runtime.editor.draft(base if data.body else runtime.enrich(base), policy.channels)
    except Exception as exc:  # an article we cannot draft is reported, never a 500
        _mark_failed(web, article.id, exc)
        raise PushRefused(f"the article was stored but could not be drafted: {exc}") from None
    with web.write() as session:
        stored = session.get_one(Article, article.id)
        # the pusher wrote these words: under the two-person rule someone else approves them
        posts = save_drafts(
            session,
            stored,
            draft,
            policy,
            web.now(),
            auto_approve=data.auto_approve,
            author=actor.name,
            approver=actor.name if data.auto_approve else SYSTEM,
        )
        approved = any(p.state == State.APPROVED for p in posts)
        ids = [p.id for p in posts]
    if approved:
        web.wake_publisher()
    log.info("push.drafted", article_id=article.id, posts=len(ids), approved=approved)
    return Pushed(article.id, True, ids)
