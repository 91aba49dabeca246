"""Database rows to API shapes, secrets scrubbed from every stored text."""

from __future__ import annotations

from bot.channels.registry import LIMITS
from bot.logging import Redactor
from bot.store.models import AuditEvent, Post
from bot.web.api.schemas import AuditEventOut, KeyQuote, PostOut
from bot.web.lengths import length as measure


def post_out(post: Post, redactor: Redactor) -> PostOut:
    """``redactor``: the one the dashboard uses, so an error text never carries a secret."""
    quote = post.key_quote or None
    return PostOut(
        id=post.id,
        article_id=post.article_id,
        source_id=post.article.source_id,
        title=post.article.title,
        url=post.article.canonical_url,
        channel=post.channel,
        state=post.state,
        text=post.text,
        length=measure(post.channel, post.text),
        limit=LIMITS[post.channel],
        key_quote=KeyQuote(text=quote["text"], speaker=quote.get("speaker")) if quote else None,
        hashtags=[str(h) for h in post.hashtags or []],
        scheduled_at=post.scheduled_at,
        attempts=post.attempts,
        remote_id=post.remote_id,
        remote_url=post.remote_url,
        error=redactor.scrub(post.error),
        waiting_reason=post.waiting_reason,
        approved_by=post.approved_by,
        last_edited_by=post.last_edited_by,
        created_at=post.created_at,
        updated_at=post.updated_at,
        published_at=post.published_at,
    )


def event_out(event: AuditEvent, redactor: Redactor) -> AuditEventOut:
    return AuditEventOut(
        id=event.id,
        at=event.at,
        actor=event.actor,
        action=event.action,
        post_id=event.post_id,
        article_id=event.article_id,
        channel=event.channel,
        detail=redactor.scrub(dict(event.detail or {})),
    )
