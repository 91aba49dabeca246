from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.outbox.backoff import decide, next_delay

BASE = timedelta(seconds=30)
CAP = timedelta(hours=1)


def test_full_jitter_stays_under_the_exponential_ceiling() -> None:
    rand = random.Random(7)
    for attempts in range(1, 12):
        ceiling = min(CAP.total_seconds(), 30 * 2 ** (attempts - 1))
        delays = [next_delay(attempts, BASE, CAP, rand=rand).total_seconds() for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        # full jitter spreads retries over the whole window, not at its end
        assert min(delays) < ceiling * 0.2 and max(delays) > ceiling * 0.8


def test_retry_after_is_a_floor() -> None:
    rand = random.Random(1)
    delays = [
        next_delay(1, BASE, CAP, retry_after=900, rand=rand).total_seconds() for _ in range(50)
    ]
    assert min(delays) >= 900


def test_gives_up_after_max_attempts() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert decide(8, 8, now, BASE, CAP).give_up
    later = decide(3, 8, now, BASE, CAP, rand=random.Random(2))
    assert (
        not later.give_up
        and later.at is not None
        and now <= later.at <= now + timedelta(seconds=120)
    )
