"""Article text inside WhatsApp markup, without the article switching markup on or off.

WhatsApp reads *bold*, _italic_, ~strike~ and `code` between two markers, "> " at the start
of a line as a quote and "* ", "- ", "1. " as list items. It has no escape character. A
headline such as "5* hotels and *new* rules" inside the template's own *…* would end the bold
early and start another.

The rule, chosen so that a quotation stays the article's exact characters: a marker from the
article is left alone where WhatsApp cannot pair it (whitespace on both sides); anywhere else
it gets U+2060 WORD JOINER on both sides, an invisible character that takes the marker off a
word boundary so it can neither open nor close. Nothing visible changes, and no character of
the article is replaced or dropped: removing U+2060 from the post (``unescape``) gives back the
article's text exactly. Extraction strips U+2060 from article text, so the only ones in a post
are ours, and the verbatim check removes exactly those.
"""

from __future__ import annotations

import re

JOINER = "\u2060"
MARKERS = "*_~`"
_LINE_START = re.compile(r"^(?=>|[-*•] |\d+\. )")


def escape(text: str) -> str:
    out: list[str] = []
    for i, char in enumerate(text):
        if char in MARKERS:
            before = text[i - 1] if i > 0 else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if before.isspace() and after.isspace():
                out.append(char)  # a lone marker between spaces pairs with nothing
            else:
                out.append(JOINER + char + JOINER)
            continue
        out.append(char)
    return _LINE_START.sub(JOINER, "".join(out))


def unescape(text: str) -> str:
    return text.replace(JOINER, "")
