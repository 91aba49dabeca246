"""Post lengths for the pages, remembered: twitter-text takes ~2 ms per X post, and the same
drafts are drawn again on every reload of the queue. Same function as the server's checks
(the channel's own count, through ``bot.channels.registry.measure``), so the number shown
is the number enforced."""

from __future__ import annotations

from bot.channels.registry import measure
from bot.web.bytecache import MiB, bounded_by_bytes

#: the remembered lengths' keys are the texts themselves: bounded by bytes too
LENGTH_BUDGET = 8 * MiB


@bounded_by_bytes(LENGTH_BUDGET)
def length(channel: str, text: str) -> int:
    return measure(channel, text)
