"""How long an article's fields may be, in characters: one rule for every way in.

Feeds, pages and pushes are written by others; a field longer than any real article's is
cut here rather than stored, drafted and shown. The limits are the CMS push API's
(``ArticleIn``), so an article reads the same whichever way it arrived.
"""

from __future__ import annotations

from collections.abc import Iterable

TITLE = 1000
SUMMARY = 10_000
#: the main text (feed HTML before drafting, plain text after)
BODY = 500_000
AUTHOR = 500
TAG = 200
TAGS = 50


def cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]


def cap_optional(text: str | None, limit: int) -> str | None:
    return None if text is None else cap(text, limit)


def cap_tags(tags: Iterable[str]) -> tuple[str, ...]:
    capped: list[str] = []
    for tag in tags:
        if len(capped) == TAGS:
            break
        capped.append(cap(tag, TAG))
    return tuple(capped)
