"""Direct quotations in an article body, their speakers, and the key quote."""

from __future__ import annotations

import re

from bot.editorial.model import Quote

_PAIRS = [("“", "”"), ('"', '"'), ("«", "»"), ("„", "“")]
_SAID = re.compile(
    r"(?:said|says|told \w+|added|according to)\s+"
    r"((?:a |an |the )?[A-Z][\w’'-]*(?:\s+[A-Z]?[\w’'-]+){0,4})"
)


def find_quotes(body: str) -> list[Quote]:
    found: list[Quote] = []
    for opening, closing in _PAIRS:
        pattern = re.compile(
            re.escape(opening) + r"([^" + re.escape(closing) + r"]{3,}?)" + re.escape(closing)
        )
        for match in pattern.finditer(body):
            text = " ".join(match.group(1).split())
            if len(text.split()) < 6:
                continue
            after = body[match.end() : match.end() + 120]
            said = _SAID.search(after)
            speaker = said.group(1).strip() if said else None
            found.append(Quote(text=text, speaker=speaker))
    return found


def choose_key_quote(quotes: list[Quote], title: str) -> Quote | None:
    usable = [q for q in quotes if 8 <= len(q.text.split()) <= 45 and q.text not in title]
    if not usable:
        return None
    return max(usable, key=lambda q: (q.speaker is not None, -abs(len(q.text.split()) - 25)))
