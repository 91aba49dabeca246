"""How each channel measures a post.

X: twitter-text's weighted length, v3 rules (NFC first; a URL twitter-text recognises counts
23; CJK and most emoji count 2; an emoji sequence counts as one), 280 at most.
WhatsApp: 4096 characters at most, counted as UTF-16 code units (what the apps count; an
emoji outside the BMP is two), so a post we call fitting is never cut by the platform.
"""

from __future__ import annotations

from typing import Any

from bot.editorial import twitter_text_loader
from bot.editorial.limits import LIMITS, WHATSAPP_LIMIT, X_LIMIT

_twitter_text = twitter_text_loader.load()
parse_tweet, twitter_config = _twitter_text.parse_tweet, _twitter_text.config

__all__ = ["LIMITS", "WHATSAPP_LIMIT", "X_LIMIT", "measure", "whatsapp_length", "x_length"]


def twitter_options(*, discount_emoji: bool = True) -> dict[str, Any]:
    """twitter-text v3 options; ``discount_emoji=False`` is the v2 counting (each code point
    of an emoji weighs as itself), which the older conformance section is written for."""
    return {**twitter_config["version3"], "emoji_parsing_enabled": discount_emoji}


def x_parse(text: str, *, discount_emoji: bool = True) -> dict[str, Any]:
    """twitter-text's full answer: weightedLength, valid, permillage and the ranges."""
    return parse_tweet(text, twitter_options(discount_emoji=discount_emoji)).asdict()  # type: ignore[no-any-return]


def x_length(text: str) -> int:
    """Weighted length by twitter-text v3 rules (parse_tweet normalises to NFC itself)."""
    return int(parse_tweet(text, twitter_options()).weightedLength)


def whatsapp_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def measure(channel: str, text: str) -> int:
    return x_length(text) if channel == "x" else whatsapp_length(text)
