"""How X counts a post: twitter-text's weighted length, v3 rules, 280 at most.

NFC first; a URL twitter-text recognises counts 23 (X wraps exactly those in t.co); CJK and
most emoji count 2; an emoji sequence counts as one. X has no markup: the article's text
goes in as written, links and hashtags as plain text (X links them itself).
Counting: https://docs.x.com/resources/fundamentals/counting-characters
"""

from __future__ import annotations

from typing import Any

from bot.editorial import twitter_text_loader
from bot.editorial.format import TextFormat

LIMIT = 280


def twitter_options(*, discount_emoji: bool = True) -> dict[str, Any]:
    """twitter-text v3 options; ``discount_emoji=False`` is the v2 counting (each code point
    of an emoji weighs as itself), which the older conformance section is written for."""
    return {
        **twitter_text_loader.load().config["version3"],
        "emoji_parsing_enabled": discount_emoji,
    }


def x_parse(text: str, *, discount_emoji: bool = True) -> dict[str, Any]:
    """twitter-text's full answer: weightedLength, valid, permillage and the ranges."""
    parse = twitter_text_loader.load().parse_tweet
    return parse(text, twitter_options(discount_emoji=discount_emoji)).asdict()  # type: ignore[no-any-return]


def x_length(text: str) -> int:
    """Weighted length by twitter-text v3 rules (parse_tweet normalises to NFC itself).
    twitter-text loads on first use: it takes a good part of a second."""
    return int(twitter_text_loader.load().parse_tweet(text, twitter_options()).weightedLength)


FORMAT = TextFormat(name="x", limit=LIMIT, measure=x_length, max_hashtags=2)
