"""Post states and the transitions between them (DESIGN.md, "Post states").

Every change of a post's state goes through ``move``, which enforces ``TRANSITIONS``. The
one bulk change, the outbox claim (``approved``/``scheduled`` → ``publishing`` in one SQL
statement, ``bot/outbox/claims.py``), is checked against the same table with ``bulk_move``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store.models import Post


class State(StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    REJECTED = "rejected"
    EXPIRED = "expired"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    UNKNOWN = "unknown"
    WITHDRAWN = "withdrawn"


S = State
TRANSITIONS: dict[State, frozenset[State]] = {
    # an approved or scheduled post that an editor edits goes back to review
    S.PENDING_REVIEW: frozenset({S.APPROVED, S.SCHEDULED, S.REJECTED, S.EXPIRED, S.PENDING_REVIEW}),
    S.APPROVED: frozenset({S.PUBLISHING, S.SCHEDULED, S.PENDING_REVIEW, S.WITHDRAWN}),
    S.SCHEDULED: frozenset({S.PUBLISHING, S.APPROVED, S.SCHEDULED, S.PENDING_REVIEW, S.WITHDRAWN}),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.APPROVED, S.FAILED, S.UNKNOWN}),
    S.UNKNOWN: frozenset({S.PUBLISHED, S.APPROVED, S.FAILED}),
    S.PUBLISHED: frozenset({S.WITHDRAWN}),
    S.FAILED: frozenset({S.APPROVED, S.PENDING_REVIEW}),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

#: states an editor may still change the text in
EDITABLE = frozenset({S.PENDING_REVIEW, S.APPROVED, S.SCHEDULED, S.FAILED})
#: states the outbox sends from
DUE = frozenset({S.APPROVED, S.SCHEDULED})
FINAL = frozenset({S.PUBLISHED, S.REJECTED, S.EXPIRED, S.WITHDRAWN})
#: a copy found on the platform is the truth, whatever the desk did with the post
#: meanwhile (a worker that lost its claim got it out after all, a lookup found it late):
#: it is recorded as published from any state that does not already name a copy
FOUND_FROM = frozenset(State) - {S.PUBLISHED, S.WITHDRAWN}


class IllegalTransition(Exception):
    def __init__(self, post_id: int, current: str, wanted: str, verb: str) -> None:
        super().__init__(f"post {post_id} is {current}; it cannot be {verb}")
        self.post_id = post_id
        self.current = current
        self.wanted = wanted


def can_move(current: str, target: str) -> bool:
    return State(target) in TRANSITIONS[State(current)]


def check_move(post_id: int, current: str, target: str, verb: str) -> None:
    if not can_move(current, target):
        raise IllegalTransition(post_id, current, target, verb)


def move(post: Post, target: State, now: datetime, verb: str = "", *, found: bool = False) -> str:
    """Put ``post`` in ``target`` if the table allows it; the state it was in.

    Stamps what always goes with a change: ``updated_at``, and ``published_at`` on
    ``published``. ``found``: the platform has the post, so ``FOUND_FROM`` applies too.
    Raises ``IllegalTransition`` otherwise; in worker code that is a bug, not a refusal.
    """
    before = post.state
    if not (found and target == S.PUBLISHED and State(before) in FOUND_FROM):
        check_move(post.id, before, target, verb or f"moved to {target}")
    post.state = target
    post.updated_at = now
    if target == S.PUBLISHED:
        post.published_at = now
    return before


def bulk_move(current: Iterable[State], target: State) -> tuple[State, ...]:
    """The states a bulk SQL update may move to ``target``, checked against the table
    (raises ``IllegalTransition`` for one it does not allow); for the statement's WHERE."""
    states = tuple(current)
    for state in states:
        check_move(0, state, target, f"moved to {target} in bulk")
    return states
