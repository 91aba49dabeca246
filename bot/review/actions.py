"""What an editor can do to a draft. Shared by the CLI, the dashboard and the REST API.

Each action checks the transition, changes the post and writes its audit event in the
caller's transaction; a refusal is a ``ReviewError`` with a one-line reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import audit
from bot.channels.base import Publisher, Receipt
from bot.errors import BotError
from bot.outbox.states import EDITABLE, IllegalTransition, State, check_move
from bot.store.models import Post


class ReviewError(BotError):
    """The action is not allowed on this post."""


def get_post(session: Session, post_id: int, *, for_update: bool = False) -> Post:
    post = session.get(Post, post_id, with_for_update=for_update, populate_existing=True)
    if post is None:
        raise ReviewError(f"no post with id {post_id}; see `newsbot drafts list`")
    return post


def _move(post: Post, target: State, verb: str) -> str:
    before = post.state
    try:
        check_move(post.id, post.state, target, verb)
    except IllegalTransition as exc:
        raise ReviewError(str(exc)) from None
    post.state = target
    return before


def approve(
    session: Session,
    post: Post,
    actor: str,
    now: datetime,
    at: datetime | None = None,
    two_person: bool = False,
) -> Post:
    """Approve now, or schedule for ``at`` (aware UTC)."""
    if two_person and post.last_edited_by == actor:
        raise ReviewError(
            f"post {post.id} was edited by {actor}; "
            "another editor must approve it (two-person rule)"
        )
    from bot.channels.registry import LIMITS, measure  # twitter-text is slow to import

    length = measure(post.channel, post.text)
    if length > LIMITS[post.channel]:
        raise ReviewError(
            f"post {post.id} is {length}/{LIMITS[post.channel]} on {post.channel}; shorten it first"
        )
    target = State.SCHEDULED if at is not None and at > now else State.APPROVED
    before = _move(post, target, "approved")
    post.approved_at = now
    post.approved_by = actor
    post.scheduled_at = at if target is State.SCHEDULED else None
    post.next_attempt_at = None
    post.updated_at = now
    detail: dict[str, object] = {"from": before}
    if target is State.SCHEDULED and at is not None:
        detail["scheduled_at"] = at.isoformat()
    audit.record(
        session,
        "scheduled" if target is State.SCHEDULED else "approved",
        at=now,
        actor=actor,
        post=post,
        detail=detail,
    )
    return post


def reject(session: Session, post: Post, actor: str, now: datetime, note: str) -> Post:
    if not note.strip():
        raise ReviewError("a rejection needs a note saying why")
    _move(post, State.REJECTED, "rejected")
    post.error = None
    post.updated_at = now
    audit.record(session, "rejected", at=now, actor=actor, post=post, detail={"note": note})
    return post


def edit(session: Session, post: Post, actor: str, now: datetime, text: str) -> Post:
    if post.state not in EDITABLE:
        raise ReviewError(f"post {post.id} is {post.state}; it cannot be edited")
    text = text.strip()
    if not text:
        raise ReviewError("the new text is empty")
    before_text = post.text
    before_state = post.state
    if post.state in (State.APPROVED, State.SCHEDULED):
        # an approval was for the old words: the new ones need one of their own
        post.state = State.PENDING_REVIEW
        post.approved_at = None
        post.approved_by = None
        post.scheduled_at = None
    post.text = text
    post.last_edited_by = actor
    post.updated_at = now
    detail: dict[str, object] = {"before": before_text, "after": text}
    if before_state != post.state:
        detail["state"] = {"before": before_state, "after": post.state}
    audit.record(session, "edited", at=now, actor=actor, post=post, detail=detail)
    return post


def retry(session: Session, post: Post, actor: str, now: datetime) -> Post:
    if post.state != State.FAILED:
        raise ReviewError(f"post {post.id} is {post.state}; only failed posts can be retried")
    _move(post, State.APPROVED, "retried")
    previous = post.error
    post.attempts = 0
    post.error = None
    post.next_attempt_at = None
    post.updated_at = now
    audit.record(
        session, "retried", at=now, actor=actor, post=post, detail={"previous_error": previous}
    )
    return post


def withdraw(
    session: Session,
    post: Post,
    actor: str,
    now: datetime,
    channel: Publisher | None,
    reason: str = "",
) -> Post:
    """Cancel an approved post, or take a published one down on the platform."""
    before = post.state
    check = post.state if post.state != State.PUBLISHED else State.PUBLISHED
    try:
        check_move(post.id, check, State.WITHDRAWN, "withdrawn")
    except IllegalTransition as exc:
        raise ReviewError(str(exc)) from None
    detail: dict[str, object] = {"from": before, "reason": reason}
    if before == State.PUBLISHED:
        if channel is None:
            raise ReviewError(f"channel {post.channel} is not configured; cannot delete the post")
        assert post.remote_id is not None
        # the platform first: a post that is still up must not be recorded as withdrawn
        channel.delete(Receipt(post.channel, post.remote_id, post.remote_url))
        detail["remote_id"] = post.remote_id
    post.state = State.WITHDRAWN
    post.updated_at = now
    audit.record(session, "withdrawn", at=now, actor=actor, post=post, detail=detail)
    return post
