from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.outbox.durable import write


def failing(times: int, error: Exception) -> tuple[list[int], object]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "written"

    return calls, fn


LOCKED = OperationalError("UPDATE posts …", {}, Exception("database is locked"))


def test_a_passing_database_error_is_tried_again() -> None:
    calls, fn = failing(2, LOCKED)
    waits: list[float] = []
    assert write(fn, "outcome", delays=(0.1, 0.2, 0.4), sleep=waits.append) == "written"  # type: ignore[arg-type]
    assert (len(calls), waits) == (3, [0.1, 0.2])


def test_it_gives_up_after_the_last_delay() -> None:
    calls, fn = failing(10, LOCKED)
    with pytest.raises(OperationalError):
        write(fn, "outcome", delays=(0.1, 0.2), sleep=lambda _s: None)  # type: ignore[arg-type]
    assert len(calls) == 3


def test_other_errors_are_not_retried() -> None:
    calls, fn = failing(1, IntegrityError("INSERT …", {}, Exception("unique")))
    with pytest.raises(IntegrityError):
        write(fn, "outcome", delays=(0.1,), sleep=lambda _s: None)  # type: ignore[arg-type]
    assert len(calls) == 1
