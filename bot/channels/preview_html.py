"""What every channel's dashboard preview shares: links drawn as links, on escaped text.

Each channel draws its own post (``bot/channels/<name>/preview.py``); everything is
HTML-escaped first and markup recognised on the escaped text, so nothing from an article
can become a tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup

_URL = re.compile(r"https?://[^\s<>\"]+")


def links(escaped: str) -> str:
    return _URL.sub(
        lambda m: (
            f'<a href="{m.group(0)}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{m.group(0)}</a>'
        ),
        escaped,
    )


def counter(length: int, limit: int) -> str:
    """The live counter the edit page updates (``data-counter``), red when over."""
    over = " over" if length > limit else ""
    return f'<div class="counter{over}" data-counter>{length}/{limit}</div>'


class Card(Protocol):
    def __call__(self, body: Markup, length: int, limit: int) -> Markup: ...


@dataclass(frozen=True)
class Preview:
    """A channel's post as the platform shows it: the text's HTML, and the card around it
    (with ``data-preview-body`` for the text, which the edit page replaces as one types)."""

    html: Callable[[str], Markup]
    card: Card
