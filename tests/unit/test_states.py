from __future__ import annotations

import pytest

from bot.outbox.states import FINAL, TRANSITIONS, IllegalTransition, State, can_move, check_move


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
