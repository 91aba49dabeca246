"""Direct quotations in an article body, with their speakers; and the key quote.

A quotation's ``text`` is the article's own characters between the marks, whitespace
squashed: never reworded, never cut. A quotation over several paragraphs keeps each
paragraph's piece in ``parts`` and joins them with one space.
"""

from __future__ import annotations

from bot.editorial.marks import find_spans
from bot.editorial.model import Quote
from bot.editorial.scoring import rank
from bot.editorial.speakers import attribute
from bot.editorial.text import squash

__all__ = ["candidate_quotes", "choose_key_quote", "find_quotes", "rank"]


def find_quotes(body: str) -> list[Quote]:
    """Every direct quotation in ``body`` (any length; nested ones flagged), in reading order."""
    spans = find_spans(body)
    attributions = attribute(body, spans)
    quotes: list[Quote] = []
    for span in spans:
        parts = tuple(squash(body[a:b]) for a, b in span.parts)
        parts = tuple(p for p in parts if p)
        if not parts:
            continue
        who = attributions[span.open_at]
        quotes.append(
            Quote(
                text=" ".join(parts),
                speaker=who.speaker,
                parts=parts if len(parts) > 1 else (),
                start=span.open_at,
                attribution=who.kind,
                nested=span.depth > 0,
                speaker_kind=who.speaker_kind,
                context=who.context,
            )
        )
    return quotes


def candidate_quotes(quotes: list[Quote], title: str, summary: str | None = None) -> list[Quote]:
    """The quotes that may be a post's key quote, best first (see ``scoring``)."""
    return rank(quotes, title, summary)


def choose_key_quote(quotes: list[Quote], title: str, summary: str | None = None) -> Quote | None:
    """The best candidate, or None: an article with no usable quotation gets no key quote."""
    ranked = rank(quotes, title, summary)
    return ranked[0] if ranked else None
