"""A post drawn as its platform shows it, by the channel's own preview
(``bot/channels/<name>/preview.py``): its text's HTML, and the card with its counter."""

from __future__ import annotations

from markupsafe import Markup

from bot.channels.registry import LIMITS, spec
from bot.web.bytecache import MiB, bounded_by_bytes
from bot.web.lengths import length

#: what the remembered previews may hold; a 16 MiB budget keeps the queue's few hundred
#: drafts warm while no caller can grow it (see ``bytecache``)
PREVIEW_BUDGET = 16 * MiB


@bounded_by_bytes(PREVIEW_BUDGET)
def post_html(channel: str, text: str) -> Markup:
    """Remembered: the queue draws the same posts on every reload."""
    return spec(channel).preview.html(text)


def preview_card(channel: str, text: str) -> Markup:
    """The post in its platform's frame, with the live counter the edit page updates."""
    found = spec(channel)
    return found.preview.card(post_html(channel, text), length(channel, text), LIMITS[channel])
