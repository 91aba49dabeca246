"""Value types for settings (durations, comma lists), shared by ``bot.settings`` and each
channel's own settings model, so a channel package needs nothing of the settings class."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_settings import NoDecode

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """``90``, ``"90s"``, ``"15m"``, ``"2h"``, ``"2d"`` or a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError("expected a duration such as 90, 90s, 15m, 2h or 2d")
        seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError("expected a duration greater than zero")
    return timedelta(seconds=seconds)


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def parse_duration_or_off(value: Any) -> timedelta:
    """A duration as ``parse_duration`` reads it, or ``0`` / ``off`` for none."""
    off = value == 0 if isinstance(value, int | float) and not isinstance(value, bool) else False
    if off or (isinstance(value, str) and value.strip().lower() in {"0", "off"}):
        return timedelta(0)
    return parse_duration(value)


DurationOrOff = Annotated[timedelta, BeforeValidator(parse_duration_or_off)]


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split_commas)]
