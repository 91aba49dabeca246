"""The standfirst: the part of a feed's summary a post shows.

Many feeds put the standfirst and then the first paragraphs of the story in the item's
description; a WhatsApp post that carried all of it would bury the link under a wall of
text the reader is about to open anyway. A post keeps the first paragraph, and of a long
one the sentences that fit; only a paragraph with no sentence end in reach is cut at a
word, with "…". A summary that only repeats the headline (feeds often send the title again as
the description) is no standfirst at all: ``without_headline`` leaves it out.
"""

from __future__ import annotations

import re

#: characters a post gives the standfirst at most (about four lines on a phone)
LIMIT = 320

_PARAGRAPHS = re.compile(r"\n\s*\n")
# a sentence ends at . ! ? or … (after any closing quote or bracket), before a space
_SENTENCE_END = re.compile(r"[.!?…][\"”’»)\]]*(?=\s)")
_LAST_WORD = re.compile(r"(\S+)\.$")
# a full stop after one of these ends an abbreviation, not a sentence
_TITLES = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Sr", "Jr", "Gen", "Sen", "Rep", "Gov"})


def _ends_sentence(text: str) -> bool:
    """``text`` ends a sentence, not an abbreviation such as "Mr.", "J." or "U.S."."""
    word = _LAST_WORD.search(text)
    if word is None:  # ! ? … or a closing mark
        return True
    token = word.group(1).lstrip('"“‘«([')
    single_initial = len(token) == 1 and token.isupper()
    return not (token in _TITLES or single_initial or "." in token)


def standfirst(text: str, limit: int = LIMIT) -> str:
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text or "") if p.strip()]
    if not paragraphs:
        return ""
    first = re.sub(r"\s+", " ", paragraphs[0])
    if len(first) <= limit:
        return first
    ends = [
        m.end()
        for m in _SENTENCE_END.finditer(first)
        if m.end() <= limit and _ends_sentence(first[: m.start() + 1])
    ]
    if ends:
        return first[: ends[-1]]
    cut = first.rfind(" ", 0, limit)
    return first[: cut if cut > 0 else limit].rstrip(" ,;:–—-") + "…"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def without_headline(summary: str | None, headline: str) -> str | None:
    """The summary minus the paragraphs that only repeat the headline; None when nothing
    else is left (a post would print the headline twice)."""
    if not summary:
        return None
    title = _words(headline)
    kept = [
        p.strip()
        for p in _PARAGRAPHS.split(summary)
        if p.strip() and not (title and _words(p) == title)
    ]
    return "\n\n".join(kept) or None
