"""Times an editor types, in the newsroom's time zone, to aware UTC — DST-safe."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.errors import UsageError

_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    """A wall time in a spring-forward gap does not survive a round trip through UTC."""
    back = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) == local


def parse_local_time(text: str, tz: ZoneInfo) -> datetime:
    """``2026-03-29 09:00`` (newsroom time) or an ISO time with an offset → aware UTC.

    A wall time that happens twice (clocks go back) means the first one; a wall time that
    never happens (clocks go forward) is refused, since any guess could publish an hour off.
    """
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        for fmt in _FORMATS:
            try:
                parsed = datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise UsageError(f"--at: expected a time such as 2026-03-29 09:00, got {text!r}")
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    if not _exists(parsed, tz):
        raise UsageError(
            f"--at: {raw} does not exist in {tz.key} "
            "(the clocks go forward then); pick another time"
        )
    return parsed.replace(tzinfo=tz, fold=0).astimezone(UTC)


def format_local(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if value else ""
