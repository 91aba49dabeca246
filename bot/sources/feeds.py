"""Feed bytes to items: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed by hand."""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from bot import fieldcaps
from bot.sources.canonical import canonical_url
from bot.sources.dtd import DtdError, strip_dtd

#: links longer than this are no links (the push API's limit too)
MAX_URL = 2048


class FeedError(Exception):
    """The body is not a feed newsbot can read."""


@dataclass(frozen=True)
class FeedItem:
    guid: str
    url: str
    canonical_url: str
    title: str
    summary: str | None
    content: str | None
    author: str | None
    published_at: datetime | None
    tags: tuple[str, ...]
    image_url: str | None

    def __post_init__(self) -> None:
        # every field a feed writes is capped here, where every item is built
        summary, content = self.summary, self.content
        if content is None and summary is not None and len(summary) > fieldcaps.SUMMARY:
            content = summary  # a feed that carries the whole article in its summary
        capped = {
            "guid": fieldcaps.cap(self.guid, MAX_URL),
            "title": fieldcaps.cap(self.title, fieldcaps.TITLE),
            "summary": fieldcaps.cap_optional(summary, fieldcaps.SUMMARY),
            "content": fieldcaps.cap_optional(content, fieldcaps.BODY),
            "author": fieldcaps.cap_optional(self.author, fieldcaps.AUTHOR),
            "tags": fieldcaps.cap_tags(self.tags),
        }
        for name, value in capped.items():
            object.__setattr__(self, name, value)


def web_link(link: str | None) -> str | None:
    """``link`` if it is an http(s) URL with a host; ``javascript:``, ``data:``, ``file:``
    and every other scheme are dropped when the feed is read."""
    if not link or len(link) > MAX_URL:
        return None
    try:
        parts = urlsplit(link.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return link.strip()


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    items: list[FeedItem]


def _struct_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), UTC)


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _image(entry: Any) -> str | None:
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        if media.get("url") and media.get("medium", "image") == "image":
            return web_link(str(media["url"]))
    for link in entry.get("links", []):
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return web_link(str(link.get("href")))
    return None


def _parse_json_feed(data: dict[str, Any], base: str) -> ParsedFeed:
    items = []
    for raw in data.get("items", []):
        if not isinstance(raw, dict):
            continue
        link = web_link(urljoin(base, str(raw.get("url") or raw.get("external_url") or "")))
        if not link:
            continue
        authors = raw.get("authors") or ([raw["author"]] if raw.get("author") else [])
        author = ", ".join(a.get("name", "") for a in authors if isinstance(a, dict)) or None
        items.append(
            FeedItem(
                guid=str(raw.get("id") or link),
                url=link,
                canonical_url=canonical_url(link),
                title=str(raw.get("title") or "").strip(),
                summary=raw.get("summary"),
                content=raw.get("content_html") or raw.get("content_text"),
                author=author,
                published_at=_iso(raw.get("date_published")),
                tags=tuple(str(t) for t in raw.get("tags", []) if t),
                image_url=web_link(str(raw.get("image") or raw.get("banner_image") or "")),
            )
        )
    return ParsedFeed(title=data.get("title"), link=data.get("home_page_url"), items=items)


_CLOSING = (b"</rss>", b"</feed>", b"</rdf:RDF>", b"</RDF>", b"</channel>")


def _closed(body: bytes) -> bool:
    tail = body.rstrip()[-200:]
    return any(tag in tail for tag in _CLOSING)


def parse_feed(body: bytes, url: str = "") -> ParsedFeed:
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise FeedError(f"not a feed: invalid JSON ({exc})") from None
        if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
            raise FeedError("not a feed: JSON without a JSON Feed version")
        return _parse_json_feed(data, url)
    # feedparser resolves no external entities, but its loose parser expands the feed's
    # own entity definitions without limit: no DTD reaches it
    try:
        body = strip_dtd(body)
    except DtdError as exc:
        raise FeedError(str(exc)) from None
    parsed = feedparser.parse(body, response_headers={"content-location": url} if url else None)
    version = parsed.get("version") or ""
    if not version:
        reason = parsed.get("bozo_exception")
        detail = f" ({reason})" if reason else ""
        raise FeedError(f"not a feed: no RSS, Atom or JSON Feed found{detail}")
    if parsed.get("bozo") and not parsed.entries:
        raise FeedError(f"broken feed: {parsed.get('bozo_exception')}")
    if parsed.get("bozo") and not _closed(body):
        # a cut-off download: its last item may be cut mid-sentence, so take none of it
        raise FeedError(f"truncated feed: {parsed.get('bozo_exception')}")
    items = []
    for entry in parsed.entries:
        link = entry.get("feedburner_origlink") or entry.get("link") or ""
        if not link:
            continue
        link = web_link(urljoin(url, link) if url.startswith("http") else link)
        if not link:
            continue
        content = None
        if entry.get("content"):
            content = max((c.get("value", "") for c in entry["content"]), key=len)
        items.append(
            FeedItem(
                guid=str(entry.get("id") or link),
                url=link,
                canonical_url=canonical_url(link),
                title=" ".join(str(entry.get("title", "")).split()),
                summary=entry.get("summary"),
                content=content,
                author=entry.get("author"),
                published_at=_struct_time(
                    entry.get("published_parsed") or entry.get("updated_parsed")
                ),
                tags=tuple(t.get("term", "") for t in entry.get("tags", []) if t.get("term")),
                image_url=_image(entry),
            )
        )
    feed = parsed.get("feed", {})
    return ParsedFeed(title=feed.get("title"), link=feed.get("link"), items=items)
