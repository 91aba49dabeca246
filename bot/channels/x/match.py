"""Is this post on the account's timeline ours? Matching a sent text to what X shows.

X shows every link as a t.co link, in the create answer and in timelines, escapes ``&``,
``<`` and ``>``, adds a t.co link for an attached photo and normalises to NFC. So both
sides lose their links and are compared as NFC text with whitespace collapsed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from bot.editorial import twitter_text_loader

_TCO = re.compile(r"https?://t\.co/\w+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def ours(text: str) -> str:
    """Our text without its links (as twitter-text finds them: X wraps exactly those)."""
    text = unicodedata.normalize("NFC", text)
    kept, last = [], 0
    for entity in twitter_text_loader.load().extract_urls_with_indices(text):
        start, end = entity["indices"]
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    return _collapse(" ".join(kept))


def shown(text: str) -> str:
    """X's text without its t.co links, unescaped."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    return _collapse(_TCO.sub(" ", text))


def find_match(text: str, timeline: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The first (newest) timeline entry whose text is ours, links aside."""
    wanted = ours(text)
    for entry in timeline:
        if shown(str(entry.get("text", ""))) == wanted:
            return entry
    return None
