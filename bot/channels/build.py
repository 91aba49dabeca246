"""Building the configured channels' publishers: the wiring between the registry, the
dry run and the health each channel reports (kept out of the registry, which the health
code reads)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.dryrun import DryRunPublisher
from bot.channels.health import health_recorder
from bot.channels.registry import live, spec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bot.channels.base import Publisher
    from bot.clock import Clock
    from bot.settings import Settings


def build_channels(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock
) -> dict[str, Publisher]:
    """A publisher for each channel in ``NEWSBOT_CHANNELS``: the real one when configured
    (its health recorded on the channel's state), else the dry run."""
    channels: dict[str, Publisher] = {}
    for name in settings.channels:
        if live(settings, name):
            on_health = health_recorder(sessions, clock, name)
            channels[name] = spec(name).publisher(settings, sessions, clock, on_health)
        else:
            channels[name] = DryRunPublisher(name, settings.data_dir / "dryrun.jsonl", clock)
    return channels
