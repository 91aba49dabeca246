"""The X channel's own limits: a daily post cap, a monthly budget, X's 24-hour limit.

Plain decisions over plain numbers; reading and writing the counters is ``usage``.
Days and months are UTC (``ChannelUsage`` counts per UTC day). X prices each post, more
for a post with a link (https://docs.x.com/x-api/getting-started/pricing); the prices
are settings because they change.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.channels.x.settings import XSettings
from bot.editorial import twitter_text_loader

#: money is compared to the cent's hundredth: float sums must not block the last post
_EPSILON = 1e-6


@dataclass(frozen=True)
class Usage:
    today_posts: int
    month_cost: float


@dataclass(frozen=True)
class Pause:
    reason: str
    until: datetime


def has_link(text: str) -> bool:
    """A link as X sees it: whatever twitter-text recognises (and X wraps in t.co)."""
    return bool(twitter_text_loader.load().extract_urls(unicodedata.normalize("NFC", text)))


def price(text: str, settings: XSettings) -> float:
    return settings.price_per_post_with_link if has_link(text) else settings.price_per_post


def day_key(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%d")


def month_key(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m")


def next_day(now: datetime) -> datetime:
    start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(days=1)


def next_month(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def money(value: float) -> str:
    return f"{value:.2f}"


def blocked(usage: Usage, settings: XSettings, cost: float, now: datetime) -> Pause | None:
    """Why one more post of this ``cost`` may not go out now, and until when; None if it may."""
    cap = settings.daily_cap
    if cap is not None and usage.today_posts >= cap:
        return Pause(
            f"daily cap reached: {usage.today_posts} of {cap} X posts sent today (UTC)",
            next_day(now),
        )
    budget = settings.monthly_budget
    if budget is not None and usage.month_cost + cost > budget + _EPSILON:
        return Pause(
            f"monthly budget reached: {money(usage.month_cost)} of {money(budget)} spent on X "
            f"this month; the next post costs {money(cost)}",
            next_month(now),
        )
    return None


def x_limit_pause(remaining: int | None, reset: datetime | None, now: datetime) -> Pause | None:
    """X's own 24-hour post limit, as its last answer reported it."""
    if remaining is None or remaining > 0 or reset is None or reset <= now:
        return None
    return Pause("X's 24-hour post limit for this account is used up", reset)


def summary(usage: Usage, settings: XSettings) -> str:
    """One line for ``newsbot check``: today's count, the cap left, month-to-date spend."""
    cap = settings.daily_cap
    today = f"today {usage.today_posts} posts"
    today += (
        f" of a cap of {cap} ({max(0, cap - usage.today_posts)} left)" if cap is not None else ""
    )
    spend = f"month to date {money(usage.month_cost)}"
    if settings.monthly_budget is not None:
        spend += f" of a {money(settings.monthly_budget)} budget"
    return f"{today}; {spend}"
