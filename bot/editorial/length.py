"""How each channel measures a post: X by twitter-text's weighted length, WhatsApp by characters."""

from __future__ import annotations

import unicodedata

from twitter_text import parse_tweet

X_LIMIT = 280
WHATSAPP_LIMIT = 4096


def x_length(text: str) -> int:
    """Weighted length by twitter-text v3 rules (NFC first; URLs 23; CJK and emoji 2)."""
    return int(parse_tweet(unicodedata.normalize("NFC", text)).weightedLength)


def whatsapp_length(text: str) -> int:
    return len(text)


LIMITS = {"x": X_LIMIT, "whatsapp": WHATSAPP_LIMIT}


def measure(channel: str, text: str) -> int:
    return x_length(text) if channel == "x" else whatsapp_length(text)
