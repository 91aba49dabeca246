"""The X channel: a newsroom's posts on its X account, through X API v2.

Docs: https://docs.x.com/x-api/posts/create-post — the publisher (``publisher``), its
client (``client``), what each answer means (``errors``), cap and budget (``quota``,
``usage``), images (``image``), reconciliation (``match``), ``newsbot check`` (``health``);
the text format (``text``), the dashboard preview (``preview``) and settings (``settings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.spec import ChannelSpec, PublisherFactory, lazy
from bot.channels.x.preview import PREVIEW
from bot.channels.x.settings import XSettings
from bot.channels.x.text import FORMAT

if TYPE_CHECKING:
    from bot.settings import Settings

NAME = "x"


def _publisher() -> PublisherFactory:
    from bot.channels.x.publisher import build

    return build


SPEC = ChannelSpec(
    name=NAME,
    label="X",
    settings_model=XSettings,
    text=FORMAT,
    preview=PREVIEW,
    publisher=lazy(_publisher),
    colour="#1d4ed8",
)


def x_settings(settings: Settings) -> XSettings:
    found: XSettings = SPEC.settings_of(settings)
    return found
