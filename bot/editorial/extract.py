"""Article text and metadata from an HTML page (trafilatura) or a plain-text file."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import trafilatura

from bot.editorial.model import ArticleData
from bot.sources.feeds import FeedItem


def from_text(text: str, url: str = "") -> ArticleData:
    """Plain text: the first non-empty line is the headline, the rest is the body."""
    lines = [line.strip() for line in text.splitlines()]
    nonempty = [line for line in lines if line]
    if not nonempty:
        return ArticleData(title="", url=url)
    title = nonempty[0]
    start = lines.index(title) + 1
    body = "\n".join(lines[start:]).strip()
    return ArticleData(title=title, url=url, body=body)


def from_html(html: str, url: str = "", fallback: ArticleData | None = None) -> ArticleData:
    raw = trafilatura.extract(
        html, url=url or None, output_format="json", with_metadata=True, include_comments=False
    )
    if not raw:
        return fallback or ArticleData(title="", url=url)
    data = json.loads(raw)
    published = None
    if data.get("date"):
        try:
            published = datetime.fromisoformat(data["date"])
        except ValueError:
            published = None
    tags = tuple(t.strip() for t in (data.get("tags") or "").split(",") if t.strip())
    body = (data.get("raw_text") or data.get("text") or "").strip()
    article = ArticleData(
        title=(data.get("title") or "").strip(),
        url=url or data.get("source") or "",
        canonical_url=data.get("source") or None,
        summary=data.get("description") or None,
        author=data.get("author") or None,
        published_at=published,
        language=data.get("language") or None,
        tags=tags,
        body=body,
        image_url=data.get("image") or None,
    )
    if fallback is None:
        return article
    return replace(
        article,
        title=article.title or fallback.title,
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
    if "<" not in html:
        return html.strip()
    text = trafilatura.extract(
        f"<html><body><article>{html}</article></body></html>", favor_recall=True
    )
    return (text or "").strip()


def from_item(item: FeedItem) -> ArticleData:
    """What the feed itself says of an article."""
    content = item.content or item.summary or ""
    summary = html_to_text(item.summary) if item.summary else None
    return ArticleData(
        title=item.title,
        url=item.url,
        canonical_url=item.canonical_url,
        summary=summary,
        author=item.author,
        published_at=item.published_at,
        tags=item.tags,
        body=html_to_text(content),
        image_url=item.image_url,
    )
