"""New articles become drafts: one post per (article, channel), in review or approved."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import audit, metrics
from bot.desk import changes
from bot.editorial.model import ArticleData, Draft
from bot.egress import EgressRefused
from bot.errors import UsageError
from bot.outbox.states import State
from bot.store.claim import claim_one
from bot.store.db import transaction
from bot.store.models import Article, Post

if TYPE_CHECKING:
    from bot.editorial.compose import Editor

log = structlog.get_logger("bot.drafting")

Enricher = Callable[[ArticleData], ArticleData]


@dataclass(frozen=True)
class DraftPolicy:
    channels: Sequence[str]
    auto_approve_all: bool
    draft_ttl: timedelta
    #: NEWSBOT_REVIEW__TWO_PERSON: automatic approvals obey it too (``bot.desk.rules``)
    two_person: bool = False


def article_data(article: Article, raw: bool = False) -> ArticleData:
    """The article as the editorial step sees it; ``raw``: body and summary are feed HTML."""
    body = article.body or ""
    summary = article.summary
    language = article.language
    if raw:
        from bot.editorial.extract import feed_text  # trafilatura loads on first use
        from bot.editorial.language import guess_language

        summary, body = feed_text(article.title, summary, body)
        language = language or guess_language(f"{article.title}\n{body}")
    return ArticleData(
        title=article.title,
        url=article.url,
        canonical_url=article.canonical_url,
        summary=summary,
        author=article.author,
        published_at=article.published_at,
        language=language,
        tags=tuple(article.tags or ()),
        body=body,
        image_url=article.image_url,
    )


def save_drafts(
    session: Session,
    article: Article,
    draft: Draft,
    policy: DraftPolicy,
    now: datetime,
    auto_approve: bool,
    author: str | None = None,
    approver: str = audit.SYSTEM,
) -> list[Post]:
    """Store the posts of a draft; a post that already exists for (article, channel) is kept.

    ``author``: the account whose article this is (a push), recorded as the posts' last
    editor so the two-person rule knows whose words they are. An automatic approval goes
    through the desk's own approval, under the same rules as a click.
    """
    a = draft.article
    article.title = a.title or article.title
    article.summary = a.summary
    article.author = a.author
    article.published_at = article.published_at or a.published_at
    article.language = a.language
    article.tags = list(a.tags)
    article.body = a.body
    article.image_url = a.image_url
    article.quotes = [q.to_json() for q in draft.quotes]
    approve = auto_approve or policy.auto_approve_all
    created: list[Post] = []
    existing = set(session.scalars(select(Post.channel).where(Post.article_id == article.id)))
    for rendered in draft.posts:
        if rendered.channel in existing:
            continue
        post = Post(
            article_id=article.id,
            channel=rendered.channel,
            state=State.PENDING_REVIEW,
            text=rendered.text,
            key_quote=rendered.key_quote.to_json() if rendered.key_quote else None,
            hashtags=list(rendered.hashtags),
            attempts=0,
            channel_data={},
            expires_at=now + policy.draft_ttl,
            last_edited_by=author,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():  # another replica may have drafted it meanwhile
                session.add(post)
        except IntegrityError:
            continue
        post.article = article
        audit.record(
            session,
            "drafted",
            at=now,
            post=post,
            detail={"length": rendered.length, "limit": rendered.limit, "text": rendered.text},
        )
        if approve and rendered.fits:
            changes.auto_approve(session, post, approver, now, policy.two_person)
        created.append(post)
    article.status = "drafted"
    article.drafted_at = now
    metrics.ARTICLE_TO_DRAFT.observe(max((now - article.created_at).total_seconds(), 0.0))
    return created


def claim_article(session: Session, now: datetime, lease: timedelta) -> int | None:
    condition = or_(
        Article.status == "new",
        and_(Article.status == "drafting", Article.drafted_at < now - lease),
    )
    return claim_one(
        session, Article.id, condition, (Article.id,), {"status": "drafting", "drafted_at": now}
    )


def draft_pending(
    sessions: sessionmaker[Session],
    editor: Editor,
    enrich: Enricher,
    policy: DraftPolicy,
    now_fn: Callable[[], datetime],
    lease: timedelta = timedelta(minutes=5),
) -> int:
    """Draft every article waiting for it; returns the number of posts created."""
    created = 0
    while True:
        with transaction(sessions) as session:
            article_id = claim_article(session, now_fn(), lease)
            if article_id is None:
                return created
            article = session.get_one(Article, article_id)
            base = article_data(article, raw=True)
        bound = log.bind(article_id=article_id)
        try:
            draft = editor.draft(enrich(base), policy.channels)
        except UsageError:
            # a broken template is the newsroom's to fix, not this article's fault
            with transaction(sessions) as session:
                session.execute(
                    update(Article).where(Article.id == article_id).values(status="new")
                )
            raise
        except EgressRefused as exc:  # a link inside the newsroom's network: said, not drafted
            bound.warning("draft.refused", action="refused", error=str(exc))
            with transaction(sessions) as session:
                article = session.get_one(Article, article_id)
                article.status = "failed"
                article.error = str(exc)
            continue
        except Exception as exc:  # one bad page must not stop the others
            bound.exception("draft.failed")
            with transaction(sessions) as session:
                article = session.get_one(Article, article_id)
                article.status = "failed"
                article.error = f"{exc.__class__.__name__}: {exc}"
            continue
        with transaction(sessions) as session:
            article = session.get_one(Article, article_id, populate_existing=True)
            auto = bool(article.source and article.source.auto_approve)
            posts = save_drafts(session, article, draft, policy, now_fn(), auto)
            created += len(posts)
        bound.info("article.drafted", action="drafted", posts=len(posts))
