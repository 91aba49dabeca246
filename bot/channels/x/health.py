"""What ``newsbot check`` says about the X channel: a plain function over what was read.

The account comes from ``GET /2/users/me``; its ``x-access-level`` header (OAuth 1.0a
user context) tells whether the token may post at all. The counters and X's last word on
its 24-hour limit come from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.channels.x import quota
from bot.channels.x.settings import XSettings


@dataclass(frozen=True)
class Report:
    ok: bool
    detail: str
    data: dict[str, Any]
    #: what to record on the channel's state: True/False, or None to leave it as it is
    healthy: bool | None
    problem: str | None


def report(
    me: dict[str, Any],
    level: str,
    usage: quota.Usage,
    state: dict[str, Any],
    remaining: int | None,
    settings: XSettings,
    now: datetime,
) -> Report:
    parts = [f"posting as @{me.get('username')} ({me.get('name')}, id {me.get('id')})"]
    parts.append(quota.summary(usage, settings))
    if remaining is not None:
        parts.append(f"X's 24-hour post limit: {remaining} left")
    paused = state.get("paused_until")
    if isinstance(paused, datetime) and paused > now:
        parts.append(f"paused until {paused:%Y-%m-%d %H:%M} UTC: {state.get('paused_reason')}")
    problem: str | None = None
    healthy: bool | None = True
    if level and "write" not in level:
        problem = (
            f"the access token can only read (x-access-level: {level}): set the app to Read "
            "and Write, then regenerate NEWSBOT_X__ACCESS_TOKEN and …ACCESS_TOKEN_SECRET"
        )
        healthy = False
    elif state.get("error_status") == 403 and not level:
        # reading works, but X refused the last post and nothing read here shows that
        # posting works again: the mark stays until a post goes out
        problem = f"the last post was refused: {state.get('error')}"
        healthy = None
    if problem:
        parts.insert(0, problem)
    cap = settings.daily_cap
    data = {
        "account": me,
        "access_level": level or None,
        "today_posts": usage.today_posts,
        "daily_cap": cap,
        "cap_left": None if cap is None else max(0, cap - usage.today_posts),
        "month_cost": round(usage.month_cost, 6),
        "monthly_budget": settings.monthly_budget,
        "x_user_limit_remaining": remaining,
    }
    return Report(problem is None, "; ".join(parts), data, healthy, problem)
