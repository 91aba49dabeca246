"""The one configured HTTP client: timeouts, user agent, body size limits.

Every outgoing request (feeds, article pages, WAHA, images) goes through here, so tests
put local fake servers behind the real code path by pointing URLs at loopback.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from bot import __version__


class BodyTooLarge(Exception):
    """The response body is larger than allowed."""


def make_client(
    *,
    timeout: timedelta | float = 15.0,
    user_agent: str = f"newsbot/{__version__}",
    base_url: str = "",
    headers: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    follow_redirects: bool = True,
) -> httpx.Client:
    seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
    merged = {"User-Agent": user_agent, **(headers or {})}
    return httpx.Client(
        base_url=base_url,
        # connect fails fast; a read may take the full budget
        timeout=httpx.Timeout(seconds, connect=min(seconds, 5.0)),
        headers=merged,
        follow_redirects=follow_redirects,
        max_redirects=5,
        transport=transport,
    )


def read_capped(response: httpx.Response, limit: int) -> bytes:
    """Read a streamed response body, refusing anything larger than ``limit`` bytes."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"body of {int(declared)} bytes is over the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body is over the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def get_capped(
    client: httpx.Client, url: str, limit: int, **kwargs: Any
) -> tuple[httpx.Response, bytes]:
    """GET ``url`` and return the response with its body read under ``limit``."""
    with client.stream("GET", url, **kwargs) as response:
        body = read_capped(response, limit)
    return response, body
