"""Channels by name, built from settings: the real publisher when configured, else dry run."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import Publisher
from bot.channels.dryrun import DryRunPublisher
from bot.clock import Clock
from bot.settings import Settings

Builder = Callable[[Settings, sessionmaker[Session], Clock], Publisher]


def _x(settings: Settings, sessions: sessionmaker[Session], clock: Clock) -> Publisher | None:
    if not settings.x.configured:
        return None
    from bot.channels.x import build  # type: ignore[import-not-found,unused-ignore]

    publisher: Publisher = build(settings, sessions, clock)
    return publisher


def _whatsapp(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock
) -> Publisher | None:
    if not settings.whatsapp.configured:
        return None
    if settings.whatsapp.backend == "waha":
        from bot.channels.whatsapp_waha import build  # type: ignore[import-not-found,unused-ignore]
    else:
        from bot.channels.whatsapp_cloud import build  # type: ignore[import-not-found,unused-ignore,no-redef]
    publisher: Publisher = build(settings, sessions, clock)
    return publisher


_REAL: dict[str, Callable[[Settings, sessionmaker[Session], Clock], Publisher | None]] = {
    "x": _x,
    "whatsapp": _whatsapp,
}


def build_channels(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock
) -> dict[str, Publisher]:
    channels: dict[str, Publisher] = {}
    for name in settings.channels:
        real = _REAL[name](settings, sessions, clock)
        channels[name] = real or DryRunPublisher(name, settings.data_dir / "dryrun.jsonl", clock)
    return channels
