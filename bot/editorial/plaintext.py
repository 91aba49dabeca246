"""Plain-text articles: the headline, and the body without the site's chrome.

A text capture of a page carries the page's furniture: a breadcrumb trail before the
headline ("Home Asia <headline>"), the headline again, photo credits, and promotional
lines between paragraphs ("<Name> WhatsApp Channel", "Subscribe to our newsletter").
The rules below are about the shape of such lines, not their words.
"""

from __future__ import annotations

import re

from bot.editorial.text import squash, strip_invisibles

#: a line that is a path through the site: "Home > World > Asia", "News / Politics"
_CRUMB_SEPARATORS = re.compile(r"\s(?:>|›|»|/|\||·|•)\s")
#: a photo or image credit closing a caption: "(Courtesy: @MEAIndia via X)", "(Photo: AFP)"
_CREDIT = re.compile(
    r"\((?:courtesy|photo|image|picture|file photo|credit|source|foto|bild|crédits?)\b"
    r"[^)]*\)\s*$",
    re.IGNORECASE,
)
#: punctuation that a sentence or a quotation has and a menu item or a widget label has not
_SENTENCE_MARKS = re.compile(r"[.!?;:,\"“”«»„「」…。]")
MAX_CHROME_WORDS = 8


def _is_crumb_trail(line: str) -> bool:
    return len(_CRUMB_SEPARATORS.findall(line)) >= 1 and len(line.split()) <= 12


def _chrome(line: str) -> bool:
    """Short, with no sentence punctuation: a menu item, a widget, a promo, a heading."""
    return len(line.split()) <= MAX_CHROME_WORDS and not _SENTENCE_MARKS.search(line)


def split_text(text: str) -> tuple[str, list[str]]:
    """(headline, body paragraphs) of a plain-text article."""
    blocks = [squash(strip_invisibles(line)) for line in text.splitlines()]
    lines = [line for line in blocks if line]
    if not lines:
        return "", []
    title, rest = _headline(lines)
    body: list[str] = []
    for i, line in enumerate(rest):
        if squash(line) == title and i < 3:
            continue  # the headline repeated at the top of the body
        if _CREDIT.search(line):
            continue  # a photo caption
        previous = body[-1] if body else ""
        following = rest[i + 1] if i + 1 < len(rest) else ""
        ends_sentence = previous[-1:] in '.!?”"»)'
        starts_sentence = following[:1].isupper() or following[:1] in '“"«„'
        between = ends_sentence and starts_sentence
        if _chrome(line) and (between or rest.count(line) > 1):
            continue  # a promo line or a heading sitting between two paragraphs
        body.append(line)
    return title, body


def _headline(lines: list[str]) -> tuple[str, list[str]]:
    """The first line is the headline, unless it is a breadcrumb trail: then the headline
    is what follows the trail (often the trail ends with the headline itself)."""
    first = lines[0]
    for k in range(1, min(4, len(lines))):
        candidate = lines[k]
        if candidate != first and first.endswith(candidate) and len(candidate.split()) >= 2:
            prefix = first[: -len(candidate)].strip()
            if len(prefix.split()) <= 6 and not _SENTENCE_MARKS.search(prefix):
                return candidate, lines[1:]
    if _is_crumb_trail(first) and len(lines) > 1:
        return lines[1], lines[2:]
    return first, lines[1:]
