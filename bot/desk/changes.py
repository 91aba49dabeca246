"""The changes the desk makes to a post inside the caller's transaction, each with its
audit row. The rules come from ``rules``; the transaction, the lock and waking the
publisher are the service's (``service.Desk``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from bot import audit
from bot.channels.base import Receipt
from bot.desk import rules
from bot.desk.commands import KEEP, Edit
from bot.desk.errors import NotFound, Refused, TwoPersonRule
from bot.outbox.states import EDITABLE, IllegalTransition, State, move
from bot.store.models import Post

#: the claim a withdrawal holds on a published post while the platform deletes it
WITHDRAW_CLAIM = "withdraw"


def _move(post: Post, target: State, verb: str, now: datetime) -> str:
    """The one state machine's move, its refusal in the desk's words."""
    try:
        return move(post, target, now, verb)
    except IllegalTransition as exc:
        raise Refused(str(exc)) from None


def get_post(session: Session, post_id: int, *, for_update: bool = False) -> Post:
    post = session.get(Post, post_id, with_for_update=for_update, populate_existing=True)
    if post is None:
        raise NotFound(f"no post with id {post_id}; see `newsbot drafts list`")
    return post


def approve(
    session: Session,
    post: Post,
    actor: str,
    now: datetime,
    at: datetime | None = None,
    two_person: bool = False,
    auto: bool = False,
) -> Post:
    """Approve now, or schedule for ``at`` (aware UTC, in the future); ``auto``: approved
    by a standing decision (a feed or a push that asked for it), not by a click."""
    rules.check_two_person(post.id, post.last_edited_by, actor, two_person, automatic=auto)
    from bot.channels.registry import LIMITS, measure  # twitter-text is slow to import

    rules.check_fits(post.id, post.channel, measure(post.channel, post.text), LIMITS[post.channel])
    target = State.SCHEDULED if at is not None and at > now else State.APPROVED
    before = post.state
    _move(post, target, "approved", now)
    post.approved_at = now
    post.approved_by = actor
    post.scheduled_at = at if target is State.SCHEDULED else None
    post.next_attempt_at = None
    post.waiting_reason = None
    post.updated_at = now
    detail: dict[str, object] = {"auto": True} if auto else {"from": before}
    if target is State.SCHEDULED and at is not None:
        detail["scheduled_at"] = at.isoformat()
    action = "scheduled" if target is State.SCHEDULED else "approved"
    audit.record(session, action, at=now, actor=actor, post=post, detail=detail)
    return post


def auto_approve(session: Session, post: Post, actor: str, now: datetime, two_person: bool) -> bool:
    """An approval nobody clicked (a feed's, a push's): a draft too long for its channel
    waits for an editor, as before; one the two-person rule holds back says why."""
    try:
        approve(session, post, actor, now, two_person=two_person, auto=True)
    except TwoPersonRule as exc:
        post.waiting_reason = str(exc)
        post.updated_at = now
        detail = {"reason": str(exc)}
        audit.record(session, "held", at=now, actor=actor, post=post, detail=detail)
        return False
    except Refused:
        return False
    return True


def reject(session: Session, post: Post, actor: str, now: datetime, note: str) -> Post:
    rules.check_note(note)
    _move(post, State.REJECTED, "rejected", now)
    post.error = None
    post.updated_at = now
    audit.record(session, "rejected", at=now, actor=actor, post=post, detail={"note": note})
    return post


def edit(session: Session, post: Post, actor: str, now: datetime, change: Edit) -> bool:
    """New words, key quote or hashtags; False (and no audit row) when nothing changed."""
    if post.state not in EDITABLE:
        raise Refused(f"post {post.id} is {post.state}; it cannot be edited")
    text = post.text if change.text is KEEP else rules.check_text(change.text)
    quote = post.key_quote if change.key_quote is KEEP else change.key_quote
    tags = list(post.hashtags or [])
    if change.hashtags is not KEEP:
        tags = rules.check_hashtags(change.hashtags)
    detail: dict[str, Any] = {"before": post.text, "after": text}
    if quote != post.key_quote:
        detail["key_quote"] = {"before": post.key_quote, "after": quote}
    if tags != list(post.hashtags or []):
        detail["hashtags"] = {"before": list(post.hashtags or []), "after": tags}
    if text == post.text and len(detail) == 2:
        return False
    before_state = post.state
    if post.state in (State.APPROVED, State.SCHEDULED):
        # an approval was for the old words: the new ones need one of their own
        _move(post, State.PENDING_REVIEW, "edited", now)
        post.approved_at = None
        post.approved_by = None
        post.scheduled_at = None
    post.text = text
    post.key_quote = quote
    post.hashtags = tags
    post.last_edited_by = actor
    post.updated_at = now
    if before_state != post.state:
        detail["state"] = {"before": before_state, "after": post.state}
    audit.record(session, "edited", at=now, actor=actor, post=post, detail=detail)
    return True


def retry(
    session: Session, post: Post, actor: str, now: datetime, two_person: bool = False
) -> Post:
    if post.state != State.FAILED:
        raise Refused(f"post {post.id} is {post.state}; only failed posts can be retried")
    # a retry sends the words again: it is an approval, under the same rule
    rules.check_two_person(post.id, post.last_edited_by, actor, two_person)
    previous = post.error
    _move(post, State.APPROVED, "retried", now)
    post.attempts = 0
    post.error = None
    post.next_attempt_at = None
    post.updated_at = now
    audit.record(
        session, "retried", at=now, actor=actor, post=post, detail={"previous_error": previous}
    )
    return post


def cancel(session: Session, post: Post, actor: str, now: datetime, reason: str) -> Post:
    """Withdraw a post that is not out yet: nothing to delete on the platform."""
    before = post.state
    _move(post, State.WITHDRAWN, "withdrawn", now)
    detail = {"from": before, "reason": reason}
    audit.record(session, "withdrawn", at=now, actor=actor, post=post, detail=detail)
    return post


def claim_withdrawal(session: Session, post: Post, now: datetime, lease: timedelta) -> Receipt:
    """Mark a published post as being taken down, unless someone already is (a conditional
    update, so two withdrawals never both ask the platform to delete it)."""
    rules.check_transition(post.id, post.state, State.WITHDRAWN, "withdrawn")
    claimed = session.execute(
        update(Post)
        .where(
            Post.id == post.id,
            Post.state == State.PUBLISHED,
            or_(Post.claimed_by.is_(None), Post.lease_until.is_(None), Post.lease_until < now),
        )
        .values(claimed_by=WITHDRAW_CLAIM, lease_until=now + lease)
        .returning(Post.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if claimed is None:
        raise Refused(f"post {post.id} is being withdrawn already; wait for the outcome")
    assert post.remote_id is not None
    return Receipt(post.channel, post.remote_id, post.remote_url)


def _release(post: Post, now: datetime) -> None:
    if post.claimed_by == WITHDRAW_CLAIM:
        post.claimed_by = None
        post.lease_until = None
    post.updated_at = now


def withdrawn(session: Session, post: Post, actor: str, now: datetime, reason: str) -> Post:
    """The platform deleted it: record the withdrawal."""
    _release(post, now)
    _move(post, State.WITHDRAWN, "withdrawn", now)
    post.error = None
    detail = {"from": State.PUBLISHED.value, "reason": reason, "remote_id": post.remote_id}
    audit.record(session, "withdrawn", at=now, actor=actor, post=post, detail=detail)
    return post


def withdraw_failed(session: Session, post: Post, actor: str, now: datetime, error: str) -> None:
    """The platform kept it: the post stays published, the error on it and in the log."""
    _release(post, now)
    post.error = f"withdraw failed: {error}"
    detail = {"error": error, "remote_id": post.remote_id}
    audit.record(session, "withdraw_failed", at=now, actor=actor, post=post, detail=detail)
