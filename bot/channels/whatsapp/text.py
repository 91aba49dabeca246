"""How WhatsApp counts a post: 4096 characters at most, counted as UTF-16 code units (what
the apps count; an emoji outside the BMP is two), so a post we call fitting is never cut.

Markup is WhatsApp's own (*bold*, _italic_, "> " quote); the article's text is escaped
(``markup.escape``) so its own markers cannot switch it on or off. Links and hashtags are
plain text: the apps link them. https://faq.whatsapp.com/539178204879377 (formatting)
"""

from __future__ import annotations

from bot.channels.whatsapp.markup import escape
from bot.editorial.format import TextFormat

LIMIT = 4096
#: an image's caption holds less: a longer text goes without the image
CAPTION_LIMIT = 1024


def whatsapp_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


FORMAT = TextFormat(
    name="whatsapp", limit=LIMIT, measure=whatsapp_length, escape=escape, max_hashtags=3
)
