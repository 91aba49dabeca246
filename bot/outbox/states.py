"""Post states and the transitions between them (DESIGN.md, "Post states")."""

from __future__ import annotations

from enum import StrEnum


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
