"""The WhatsApp channel: a WhatsApp Channel through a WAHA gateway, or opted-in subscribers
through Meta's Cloud API (``NEWSBOT_WHATSAPP__BACKEND``).

Docs: https://waha.devlike.pro/docs/how-to/channels/ (WAHA) and
https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
(Cloud API). Publishers ``waha`` and ``cloud``; the text format (``text``, ``markup``), the
dashboard preview (``preview``) and settings (``settings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.spec import ChannelSpec, PublisherFactory, lazy
from bot.channels.whatsapp.preview import PREVIEW
from bot.channels.whatsapp.settings import WhatsAppSettings
from bot.channels.whatsapp.text import FORMAT

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bot.channels.base import OnHealth, Publisher
    from bot.clock import Clock
    from bot.settings import Settings

NAME = "whatsapp"


def whatsapp_settings(settings: Settings) -> WhatsAppSettings:
    found: WhatsAppSettings = SPEC.settings_of(settings)
    return found


def _build(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, on_health: OnHealth
) -> Publisher:
    if whatsapp_settings(settings).backend == "waha":
        from bot.channels.whatsapp import waha

        return waha.build(settings, sessions, clock, on_health)
    from bot.channels.whatsapp import cloud

    return cloud.build(settings, sessions, clock, on_health)


def _publisher() -> PublisherFactory:
    return _build


SPEC = ChannelSpec(
    name=NAME,
    label="WhatsApp",
    settings_model=WhatsAppSettings,
    text=FORMAT,
    preview=PREVIEW,
    publisher=lazy(_publisher),
    colour="#15803d",
)
