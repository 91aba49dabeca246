"""The channels newsbot knows: one line each. Everything else is derived from this list —
settings groups and ``NEWSBOT_CHANNELS``, ``--channel`` choices, API enums, text formats,
previews, the desk and the charts.

Imported by ``bot.settings``, so it imports nothing that imports the settings; a channel's
publisher (and its platform library) is imported only when that channel is configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.channels import whatsapp, x
from bot.channels.spec import ChannelSpec
from bot.editorial.format import TextFormat

if TYPE_CHECKING:
    from bot.settings import Settings

CHANNELS: tuple[ChannelSpec, ...] = (
    x.SPEC,
    whatsapp.SPEC,
)

NAMES: tuple[str, ...] = tuple(spec.name for spec in CHANNELS)
BY_NAME: Mapping[str, ChannelSpec] = {spec.name: spec for spec in CHANNELS}
FORMATS: Mapping[str, TextFormat] = {spec.name: spec.text for spec in CHANNELS}
#: each channel's limit on its own count
LIMITS: Mapping[str, int] = {spec.name: spec.text.limit for spec in CHANNELS}


def spec(name: str) -> ChannelSpec:
    """The channel called ``name``; a KeyError names the known ones (never a fallback)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown channel {name!r}; known: {', '.join(NAMES)}") from None


def measure(channel: str, text: str) -> int:
    """``text``'s length as ``channel``'s platform counts it."""
    return spec(channel).text.measure(text)


def max_hashtags(settings: Settings) -> dict[str, int]:
    """Hashtags per post, per channel, as the newsroom set them."""
    return {s.name: s.group(settings).max_hashtags for s in CHANNELS}


def live(settings: Settings, channel: str) -> bool:
    """A channel with credentials sends for real; without, it is the dry run."""
    return channel in BY_NAME and spec(channel).group(settings).configured
