"""A channel's text format, as editorial needs it: its limit, its count, its escaping.

Plain data over pure functions. Each channel defines its own in ``bot/channels/<name>/``;
the composition root hands them to the editor, so editorial never names a channel and a
channel it does not know can never fall back to another one's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def as_written(text: str) -> str:
    """No markup to protect: the article's text goes in as it is."""
    return text


@dataclass(frozen=True)
class TextFormat:
    #: the channel's name: also its post template, ``templates/posts/<name>.txt.j2``
    name: str
    #: the most a post may measure, on the channel's own count
    limit: int
    #: the length as the platform counts it (weighted on X, UTF-16 units on WhatsApp)
    measure: Callable[[str], int]
    #: what the article's own text needs before it goes inside the template's markup
    escape: Callable[[str], str] = as_written
    #: hashtags a post carries unless the newsroom's settings say otherwise
    max_hashtags: int = 2

    def fits(self, text: str) -> bool:
        return self.measure(text) <= self.limit
