"""A post drawn as its platform shows it, by the channel's own preview
(``bot/channels/<name>/preview.py``): its text's HTML, and the card with its counter."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from bot.channels.registry import LIMITS, spec
from bot.web.lengths import length


@lru_cache(maxsize=8192)
def post_html(channel: str, text: str) -> Markup:
    """Remembered: the queue draws the same posts on every reload."""
    return spec(channel).preview.html(text)


def preview_card(channel: str, text: str) -> Markup:
    """The post in its platform's frame, with the live counter the edit page updates."""
    found = spec(channel)
    return found.preview.card(post_html(channel, text), length(channel, text), LIMITS[channel])
