"""Retry timing: capped exponential backoff with full jitter, never sooner than asked."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryDecision:
    give_up: bool
    at: datetime | None = None


def next_delay(
    attempts: int,
    base: timedelta,
    cap: timedelta,
    retry_after: float | None = None,
    rand: random.Random | None = None,
) -> timedelta:
    """Full jitter (AWS architecture blog): uniform in [0, min(cap, base·2^(n-1))].

    A server's Retry-After is a floor: we never come back sooner than it asked.
    """
    ceiling = min(cap.total_seconds(), base.total_seconds() * 2 ** max(attempts - 1, 0))
    delay = (rand or random).uniform(0, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return timedelta(seconds=delay)


def decide(
    attempts: int,
    max_attempts: int,
    now: datetime,
    base: timedelta,
    cap: timedelta,
    retry_after: float | None = None,
    rand: random.Random | None = None,
) -> RetryDecision:
    if attempts >= max_attempts:
        return RetryDecision(give_up=True)
    return RetryDecision(False, now + next_delay(attempts, base, cap, retry_after, rand))
