"""The article's image for an X post: fetched with size and type limits.

X takes JPEG, PNG, GIF and WEBP images up to 5 MB for a post
(https://docs.x.com/x-api/media/quickstart/media-upload-chunked — "image" limits). The type
is decided by the bytes, not by what the server claims, so a web page served as
``image/jpeg`` is refused here rather than by X.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bot.egress import EgressRefused
from bot.http import BodyTooLarge, get_capped

MAX_BYTES = 5 * 1024 * 1024
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)


@dataclass(frozen=True)
class Image:
    data: bytes
    mime: str
    filename: str


class ImageRefusedError(Exception):
    """The article's image cannot go with the post; the post goes without it."""


def sniff(data: bytes) -> tuple[str, str] | None:
    """(mime type, file extension) from the first bytes, or None if not a kind X takes."""
    for magic, mime, ext in _MAGIC:
        if data.startswith(magic):
            return mime, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def fetch(client: httpx.Client, url: str, limit: int = MAX_BYTES) -> Image:
    """``client`` is the content client (``bot.egress_transport``): an image URL comes
    from the feed or the page, never from the newsroom."""
    if not url.startswith(("http://", "https://")):
        raise ImageRefusedError(f"not an http(s) URL: {url[:80]}")
    try:
        response, data = get_capped(client, url, limit)
    except BodyTooLarge as exc:
        raise ImageRefusedError(f"too large for X ({exc})") from exc
    except EgressRefused as exc:
        # the reason only: no status, so an image URL cannot probe the newsroom's network
        raise ImageRefusedError(f"refused {url[:200]}: {exc}") from None
    except httpx.HTTPError as exc:
        raise ImageRefusedError(f"could not fetch it ({type(exc).__name__})") from exc
    if response.status_code != 200:
        raise ImageRefusedError(f"fetching it answered {response.status_code}")
    kind = sniff(data)
    if kind is None:
        declared = response.headers.get("content-type", "no type")
        raise ImageRefusedError(f"not a JPEG, PNG, GIF or WEBP image ({declared})")
    mime, ext = kind
    return Image(data, mime, f"image.{ext}")
