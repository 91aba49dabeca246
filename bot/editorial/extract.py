"""Article text and metadata from an HTML page (trafilatura), a plain-text file or a feed item.

The page's own fields win over the feed's where the page has them; the feed's fill the gaps.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.editorial.fragment import fragment_to_text
from bot.editorial.language import guess_language
from bot.editorial.model import ArticleData
from bot.editorial.pagemeta import displayed_headline, primary_language, read_meta, same_words
from bot.editorial.plaintext import split_text
from bot.editorial.standfirst import without_headline
from bot.editorial.text import clean_body, squash

#: values that metadata puts in the author field that name nobody
_NOT_AUTHORS = {
    "username",
    "admin",
    "administrator",
    "staff",
    "editor",
    "redaktion",
    "author",
    "user",
}
_DATE_PARAMS = {
    "extensive_search": True,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


def from_text(text: str, url: str = "") -> ArticleData:
    """Plain text: the first line is the headline (once a breadcrumb trail before it is
    dropped); promotional lines and photo credits are left out of the body."""
    title, body = split_text(text)
    joined = clean_body("\n".join(body))
    return ArticleData(
        title=title,
        url=url,
        summary=without_headline(body[0], title) if body else None,
        language=guess_language(joined),
        body=joined,
    )


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00")
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)  # +0100 -> +01:00
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _author(raw: str | None, site: str | None) -> str | None:
    if not raw:
        return None
    name = squash(raw)
    letters = re.sub(r"\W", "", name).casefold()
    if name.casefold() in _NOT_AUTHORS or (site and letters == re.sub(r"\W", "", site).casefold()):
        return None
    return name


def _drop_leading_furniture(body: str, title: str, summary: str | None) -> str:
    """trafilatura keeps the headline, the standfirst and a date line at the top of the text:
    they are not the body (a quote there is a headline's, not a speaker's)."""
    paras = body.split("\n\n")
    kept: list[str] = []
    for i, para in enumerate(paras):
        top = i < 5 and not kept
        if top and (same_words(para, title) or (summary and same_words(para, summary))):
            continue
        if top and (re.fullmatch(r"[-–•\s\d.:/,]+", para) or para.startswith("- ")):
            continue  # date lines and lists of page furniture above the first paragraph
        kept.append(para)
    return "\n\n".join(kept)


def from_html(html: str, url: str = "", fallback: ArticleData | None = None) -> ArticleData:
    import trafilatura  # on first use: it weighs ~25 MB, and feeds with full text never need it

    document = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params=_DATE_PARAMS,
    )
    meta = read_meta(html)
    data: dict[str, Any] = {}
    if isinstance(document, dict):
        data = document
    elif document is not None:
        data = document.as_dict()
    title = displayed_headline(meta, squash(data.get("title") or ""), url)
    summary = without_headline(squash(data.get("description") or ""), title)
    body = clean_body(data.get("text") or "")
    body = _drop_leading_furniture(body, title, summary)
    keywords = tuple(
        dict.fromkeys(
            k.strip()
            for raw in (*(data.get("categories") or []), *(data.get("tags") or []), *meta.keywords)
            for k in re.split(r"[,;]", raw)
            if k.strip()
        )
    )
    article = ArticleData(
        title=title,
        url=url or data.get("url") or meta.canonical or "",
        canonical_url=meta.canonical or data.get("url") or None,
        summary=summary,
        author=_author(data.get("author"), data.get("sitename")),
        published_at=parse_time(meta.published) or parse_time(data.get("date")),
        language=meta.language or primary_language(data.get("language")) or guess_language(body),
        tags=keywords,
        keywords=keywords,
        body=body,
        image_url=data.get("image") or None,
    )
    if fallback is None:
        return article
    return replace(
        article,
        title=article.title or fallback.title,
        url=article.url or fallback.url,
        canonical_url=article.canonical_url or fallback.canonical_url,
        summary=article.summary or fallback.summary,
        author=article.author or fallback.author,
        published_at=article.published_at or fallback.published_at,
        language=article.language or fallback.language,
        tags=tuple(dict.fromkeys(fallback.tags + article.tags)),
        body=article.body or fallback.body,
        image_url=article.image_url or fallback.image_url,
    )


def html_to_text(html: str) -> str:
    """Paragraph text of an HTML fragment (feed content), blank line between paragraphs."""
    return fragment_to_text(html)


def feed_text(title: str, summary_html: str | None, content_html: str) -> tuple[str | None, str]:
    """A feed item's summary and body as text: a summary that only repeats the headline is
    left out, and a body that opens with the headline again starts after it."""
    summary = without_headline(html_to_text(summary_html), title) if summary_html else None
    body = html_to_text(content_html)
    first, _, rest = body.partition("\n\n")
    if rest and same_words(first, title):
        body = rest
    return summary, body
