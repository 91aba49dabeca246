from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UsageError
from bot.review.when import parse_local_time


@pytest.mark.parametrize(
    ("zone", "text", "utc"),
    [
        # London springs forward on 2026-03-29 at 01:00 UTC: 09:00 is BST (UTC+1)
        ("Europe/London", "2026-03-29 09:00", datetime(2026, 3, 29, 8, 0, tzinfo=UTC)),
        ("Europe/London", "2026-03-28 09:00", datetime(2026, 3, 28, 9, 0, tzinfo=UTC)),
        # and falls back on 2026-10-25: 01:30 happens twice; the first is BST
        ("Europe/London", "2026-10-25 01:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("Europe/London", "2026-10-25 09:00", datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
        # New York: spring forward 2026-03-08, fall back 2026-11-01
        ("America/New_York", "2026-03-08 09:00", datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),
        ("America/New_York", "2026-03-07 09:00", datetime(2026, 3, 7, 14, 0, tzinfo=UTC)),
        ("America/New_York", "2026-11-01 01:30", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        ("America/New_York", "2026-11-01 09:00", datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),
        # Kolkata: no DST, half-hour offset
        ("Asia/Kolkata", "2026-03-29 09:00", datetime(2026, 3, 29, 3, 30, tzinfo=UTC)),
        ("Asia/Kolkata", "2026-03-29T09:00+00:00", datetime(2026, 3, 29, 9, 0, tzinfo=UTC)),
    ],
)
def test_newsroom_time_to_utc(zone: str, text: str, utc: datetime) -> None:
    assert parse_local_time(text, ZoneInfo(zone)) == utc


@pytest.mark.parametrize(
    ("zone", "text"),
    [("Europe/London", "2026-03-29 01:30"), ("America/New_York", "2026-03-08 02:30")],
)
def test_a_time_that_does_not_exist_is_refused(zone: str, text: str) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        parse_local_time(text, ZoneInfo(zone))


def test_garbage_is_refused() -> None:
    with pytest.raises(UsageError, match="expected a time"):
        parse_local_time("tomorrow-ish", ZoneInfo("UTC"))
