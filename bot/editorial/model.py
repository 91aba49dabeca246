"""Plain data of the editorial step: what an article is, what a quote is, what a draft is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot import fieldcaps


@dataclass(frozen=True)
class ArticleData:
    title: str
    url: str
    canonical_url: str | None = None
    summary: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    #: the feed's categories and the page's keywords, as given
    tags: tuple[str, ...] = ()
    #: the main text, paragraphs separated by blank lines
    body: str = ""
    image_url: str | None = None
    #: the page's own keywords (a subset of ``tags``); the rest of ``tags`` came from the feed
    keywords: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # a page or a push can be as long as it likes; what is drafted and stored is capped
        capped = {
            "title": fieldcaps.cap(self.title, fieldcaps.TITLE),
            "summary": fieldcaps.cap_optional(self.summary, fieldcaps.SUMMARY),
            "author": fieldcaps.cap_optional(self.author, fieldcaps.AUTHOR),
            "tags": fieldcaps.cap_tags(self.tags),
            "body": fieldcaps.cap(self.body, fieldcaps.BODY),
            "keywords": fieldcaps.cap_tags(self.keywords),
        }
        for name, value in capped.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Quote:
    """A direct quotation: ``text`` is the article's own words between the marks."""

    text: str
    speaker: str | None = None
    score: float = 0.0
    #: for a quote over several paragraphs, the verbatim piece in each (``text`` joins them)
    parts: tuple[str, ...] = ()
    #: offset of the opening mark in the article body
    start: int = -1
    #: "direct" (in the quote's own sentence), "inherited" (from the sentence or paragraph
    #: before) or "" (no attribution)
    attribution: str = ""
    #: a quotation inside another quotation
    nested: bool = False
    #: what the speaker is: "person", "group", "document" or "description"
    speaker_kind: str = ""
    #: the quote's own sentence minus the quote, as read for attribution and title checks
    context: str = ""

    @property
    def pieces(self) -> tuple[str, ...]:
        return self.parts or (self.text,)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "speaker": self.speaker}


@dataclass(frozen=True)
class ChannelPost:
    channel: str
    text: str
    #: the channel's own measure (weighted length on X, characters on WhatsApp)
    length: int
    limit: int
    key_quote: Quote | None = None
    hashtags: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        return self.length <= self.limit

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "text": self.text,
            "length": self.length,
            "limit": self.limit,
            "fits": self.fits,
        }


@dataclass(frozen=True)
class Draft:
    """Everything the editorial step made of one article: the preview line of the CLI."""

    article: ArticleData
    quotes: tuple[Quote, ...] = ()
    key_quote: Quote | None = None
    hashtags: tuple[str, ...] = ()
    posts: tuple[ChannelPost, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        a = self.article
        return {
            "article": {
                "title": a.title,
                "url": a.url,
                "canonical_url": a.canonical_url,
                "summary": a.summary,
                "author": a.author,
                "published_at": a.published_at.isoformat() if a.published_at else None,
                "language": a.language,
                "tags": list(a.tags),
            },
            "key_quote": self.key_quote.to_json() if self.key_quote else None,
            "hashtags": list(self.hashtags),
            "posts": [p.to_json() for p in self.posts],
        }
