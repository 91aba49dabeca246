"""Fetching feeds and pages: conditional GET, size cap, local files for bundled feeds.

Local files are read only where the caller says the URL came from the operator
(``local_ok``: a source added with the CLI or NEWSBOT_FEEDS, the bundled example, a
`newsbot preview` argument). Every other URL goes to the network through the content
client, whose egress policy refuses non-public addresses (``FetchRefused``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bot.egress import EgressRefused
from bot.http import BodyTooLarge, get_capped


class FetchError(Exception):
    """A fetch failed: the message says how, in one line."""


class FetchRefused(FetchError, EgressRefused):
    """The URL leads where content fetches may not go (the egress policy)."""


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_local(url: str) -> bool:
    return urlsplit(url).scheme in ("", "file")


def local_path(url: str) -> Path:
    return Path(urlsplit(url).path if url.startswith("file:") else url)


def fetch(
    client: httpx.Client,
    url: str,
    limit: int,
    etag: str | None = None,
    last_modified: str | None = None,
    *,
    local_ok: bool = False,
) -> FetchResult:
    """GET with If-None-Match / If-Modified-Since; a 304 comes back with an empty body."""
    if is_local(url) and not local_ok:
        raise FetchRefused(f"refused {url[:200]}: only http and https URLs are fetched")
    if is_local(url):
        path = local_path(url)
        try:
            size = path.stat().st_size
            if size > limit:
                raise FetchError(f"body of {size} bytes is over the {limit}-byte limit")
            return FetchResult(200, path.read_bytes(), None, None, "")
        except OSError as exc:
            raise FetchError(f"cannot read {path}: {exc.strerror}") from None
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        response, body = get_capped(client, url, limit, headers=headers)
    except BodyTooLarge as exc:
        raise FetchError(str(exc)) from None
    except EgressRefused as exc:
        raise FetchRefused(f"refused {url[:200]}: {exc}") from None
    except httpx.TimeoutException:
        raise FetchError(f"timed out fetching {url}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: {exc.__class__.__name__}: {exc}") from None
    if response.status_code == 304:
        return FetchResult(304, b"", etag, last_modified, "")
    if response.status_code >= 400:
        raise FetchError(f"HTTP {response.status_code} from {url}")
    return FetchResult(
        response.status_code,
        body,
        response.headers.get("etag"),
        response.headers.get("last-modified"),
        response.headers.get("content-type", ""),
    )
