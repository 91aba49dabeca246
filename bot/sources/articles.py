"""From a feed item (or a path, or a URL) to the article the editorial step works on."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.editorial.extract import feed_text, from_html, from_text
from bot.editorial.language import guess_language
from bot.editorial.model import ArticleData
from bot.editorial.text import squash
from bot.sources.feeds import FeedError, FeedItem, parse_feed
from bot.sources.fetch import FetchError, FetchRefused, fetch, is_local, local_path

#: a feed item whose own content has this many words needs no page fetch
FULL_TEXT_WORDS = 150


def enrich(base: ArticleData, client: httpx.Client, fetch_pages: str, limit: int) -> ArticleData:
    """The feed's fields, completed from the article page when the feed is thin.

    A page the egress policy refuses raises ``FetchRefused``: the article is marked with it
    and nothing is drafted from a link that points inside the newsroom's network.
    """
    thin = len(base.body.split()) < FULL_TEXT_WORDS
    if fetch_pages == "never" or (fetch_pages == "auto" and not thin) or is_local(base.url):
        return base
    try:
        page = fetch(client, base.url, limit)
    except FetchRefused:
        raise
    except FetchError:
        return base  # the feed's own text is better than nothing
    return from_html(page.body.decode("utf-8", "replace"), base.url, fallback=base)


def from_item(item: FeedItem) -> ArticleData:
    """What the feed itself says of an article."""
    title = squash(item.title)
    summary, body = feed_text(title, item.summary, item.content or item.summary or "")
    return ArticleData(
        title=title,
        url=item.url,
        canonical_url=item.canonical_url,
        summary=squash(summary) if summary else None,
        author=item.author,
        published_at=item.published_at,
        language=guess_language(f"{item.title}\n{body}"),
        tags=item.tags,
        body=body,
        image_url=item.image_url,
    )


def load_article(item: FeedItem, client: httpx.Client, fetch_pages: str, limit: int) -> ArticleData:
    return enrich(from_item(item), client, fetch_pages, limit)


def articles_from_source(
    source: str, client: httpx.Client, fetch_pages: str, limit: int
) -> list[ArticleData]:
    """An article URL, an HTML or text file, or a feed (file or URL): `newsbot preview`'s
    argument, so a local file is the operator's to name."""
    result = fetch(client, source, limit, local_ok=True)
    body = result.body
    suffix = local_path(source).suffix.lower() if is_local(source) else ""
    if suffix in (".txt", ".text", ".md"):
        return [from_text(body.decode("utf-8", "replace"), url=_file_url(source))]
    if suffix not in (".html", ".htm") and "html" not in result.content_type:
        try:
            feed = parse_feed(body, source)
        except FeedError:
            feed = None
        if feed is not None:
            return [load_article(item, client, fetch_pages, limit) for item in feed.items]
    text = body.decode("utf-8", "replace")
    if suffix in (".html", ".htm") or "<html" in text[:2000].lower():
        return [from_html(text, "" if is_local(source) else source)]
    return [from_text(text, url=_file_url(source) if is_local(source) else source)]


def _file_url(source: str) -> str:
    return Path(source).resolve().as_uri() if not source.startswith("file:") else source
