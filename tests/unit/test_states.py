from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.outbox.states import (
    FINAL,
    FOUND_FROM,
    TRANSITIONS,
    IllegalTransition,
    State,
    bulk_move,
    can_move,
    check_move,
    move,
)
from bot.store.models import Post


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("pending_review", "approved"),
        ("pending_review", "scheduled"),
        ("pending_review", "rejected"),
        ("pending_review", "expired"),
        ("approved", "publishing"),
        ("scheduled", "publishing"),
        ("publishing", "published"),
        ("publishing", "approved"),
        ("publishing", "failed"),
        ("publishing", "unknown"),
        ("unknown", "published"),
        ("unknown", "approved"),
        ("published", "withdrawn"),
        ("failed", "approved"),
    ],
)
def test_design_transitions_are_allowed(current: str, target: str) -> None:
    assert can_move(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("rejected", "approved"),
        ("expired", "approved"),
        ("published", "approved"),
        ("published", "publishing"),
        ("withdrawn", "published"),
        ("pending_review", "publishing"),
        ("pending_review", "published"),
        ("unknown", "publishing"),  # never resent before reconciliation
        ("failed", "published"),
    ],
)
def test_illegal_transitions_are_refused(current: str, target: str) -> None:
    assert not can_move(current, target)
    with pytest.raises(IllegalTransition, match=f"is {current}"):
        check_move(1, current, target, "moved")


def test_final_states_lead_nowhere_but_withdrawal() -> None:
    for state in FINAL:
        assert TRANSITIONS[state] <= {State.WITHDRAWN}


def test_every_state_has_its_transitions() -> None:
    assert set(TRANSITIONS) == set(State)


# -- move: the one writer of post.state ------------------------------------------------
def _post(state: State) -> Post:
    return Post(id=7, state=state, updated_at=EARLIER, published_at=None)


EARLIER = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
EVERY_MOVE = [
    (current, target) for current in State for target in State if target in TRANSITIONS[current]
]
SOME_ILLEGAL = [
    (State.PENDING_REVIEW, State.PUBLISHING),  # never sent without an approval
    (State.PENDING_REVIEW, State.PUBLISHED),
    (State.UNKNOWN, State.PUBLISHING),  # never resent before reconciliation
    (State.FAILED, State.PUBLISHED),
    (State.REJECTED, State.APPROVED),
    (State.EXPIRED, State.PENDING_REVIEW),
    (State.WITHDRAWN, State.PUBLISHED),
    (State.PUBLISHED, State.APPROVED),
    (State.APPROVED, State.FAILED),
]


@pytest.mark.parametrize(("current", "target"), EVERY_MOVE)
def test_move_makes_every_transition_of_the_table(current: State, target: State) -> None:
    post = _post(current)
    assert move(post, target, NOW) == current
    assert post.state == target
    assert post.updated_at == NOW


@pytest.mark.parametrize(("current", "target"), SOME_ILLEGAL)
def test_move_refuses_a_transition_outside_the_table(current: State, target: State) -> None:
    post = _post(current)
    with pytest.raises(IllegalTransition, match=f"post 7 is {current}; it cannot be moved to"):
        move(post, target, NOW)
    assert post.state == current
    assert post.updated_at == EARLIER


def test_move_stamps_the_publication_time() -> None:
    post = _post(State.PUBLISHING)
    move(post, State.PUBLISHED, NOW)
    assert post.published_at == NOW
    post = _post(State.PUBLISHING)
    move(post, State.FAILED, NOW)
    assert post.published_at is None


@pytest.mark.parametrize("current", sorted(FOUND_FROM))
def test_a_copy_found_on_the_platform_is_published_from_any_state_without_one(
    current: State,
) -> None:
    post = _post(current)
    move(post, State.PUBLISHED, NOW, found=True)
    assert post.state == State.PUBLISHED


@pytest.mark.parametrize("current", [State.PUBLISHED, State.WITHDRAWN])
def test_found_does_not_republish_a_post_that_names_a_copy(current: State) -> None:
    with pytest.raises(IllegalTransition):
        move(_post(current), State.PUBLISHED, NOW, found=True)


def test_found_opens_no_other_transition() -> None:
    with pytest.raises(IllegalTransition):
        move(_post(State.REJECTED), State.APPROVED, NOW, found=True)


def test_bulk_move_checks_each_state_against_the_table() -> None:
    assert bulk_move([State.APPROVED, State.SCHEDULED], State.PUBLISHING) == (
        State.APPROVED,
        State.SCHEDULED,
    )
    with pytest.raises(IllegalTransition, match="is unknown"):
        bulk_move([State.APPROVED, State.UNKNOWN], State.PUBLISHING)


def test_post_state_is_assigned_only_by_move() -> None:
    """Beside the behaviour above: no other code writes ``.state`` and skips the table."""
    bot = Path(__file__).resolve().parents[2] / "bot"
    writers = [
        f"{path.relative_to(bot)}:{n}"
        for path in bot.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.state\s*=[^=]", line)
    ]
    assert writers == ["outbox/states.py:" + str(_line_of_assignment())]


def _line_of_assignment() -> int:
    source = inspect.getsourcelines(move)
    offset = next(i for i, line in enumerate(source[0]) if "post.state = target" in line)
    return source[1] + offset
