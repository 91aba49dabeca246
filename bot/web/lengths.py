"""Post lengths for the pages, remembered: twitter-text takes ~2 ms per X post, and the same
drafts are drawn again on every reload of the queue. Same function as the server's checks
(the channel's own count, through ``bot.channels.registry.measure``), so the number shown
is the number enforced."""

from __future__ import annotations

from functools import lru_cache

from bot.channels.registry import measure


@lru_cache(maxsize=32768)
def length(channel: str, text: str) -> int:
    return measure(channel, text)
