"""What the rest of the desk knows about a channel: one small spec per channel package.

The registry lists the specs; settings, ``--channel`` choices, API enums, previews, the
desk, charts and the editor's text formats are all derived from them, so a channel is
added in its own package and one registry line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from bot.channels.preview_html import Preview
from bot.editorial.format import TextFormat

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bot.channels.base import OnHealth, Publisher
    from bot.clock import Clock
    from bot.settings import Settings


class ChannelSettings(Protocol):
    """What every channel's settings model offers besides its own fields."""

    max_hashtags: int

    @property
    def configured(self) -> bool: ...

    @property
    def publisher(self) -> str: ...


class PublisherFactory(Protocol):
    def __call__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Clock,
        on_health: OnHealth,
    ) -> Publisher: ...


@dataclass(frozen=True)
class ChannelSpec:
    #: the name in NEWSBOT_CHANNELS, the database and the API; the settings group's too
    name: str
    #: how people call it ("X", "WhatsApp")
    label: str
    settings_model: type[BaseModel]
    text: TextFormat
    preview: Preview
    #: the real publisher (its library is imported only when called)
    publisher: PublisherFactory
    #: the chart colour on the dashboard
    colour: str = "#6b7280"

    def settings_of(self, settings: Settings) -> Any:
        """This channel's group of the settings (``NEWSBOT_<NAME>__…``)."""
        group = getattr(settings, self.name)
        if not isinstance(group, self.settings_model):
            raise TypeError(f"settings have no {self.name} group")
        return group

    def group(self, settings: Settings) -> ChannelSettings:
        found: ChannelSettings = self.settings_of(settings)
        return found


Lazy = Callable[[], PublisherFactory]


def lazy(load: Lazy) -> PublisherFactory:
    """A factory that imports the publisher's module (and its platform library) on use."""

    def build(
        settings: Settings, sessions: sessionmaker[Session], clock: Clock, on_health: OnHealth
    ) -> Publisher:
        return load()(settings, sessions, clock, on_health)

    return build
