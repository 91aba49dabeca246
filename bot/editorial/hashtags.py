"""Hashtags from the feed's categories and the page's keywords."""

from __future__ import annotations

import re

_GENERIC = {"news", "latest", "world", "home", "uncategorized", "general", "top stories"}


def to_hashtag(phrase: str) -> str | None:
    words = re.findall(r"\w+", phrase)
    if not words:
        return None
    tag = "".join(w[:1].upper() + w[1:] for w in words)
    if tag.isdigit():
        return None
    return "#" + tag


def hashtags_for(
    tags: tuple[str, ...] | list[str], mapping: dict[str, str] | None = None
) -> list[str]:
    mapping = {k.casefold(): v for k, v in (mapping or {}).items()}
    seen: set[str] = set()
    out: list[str] = []
    for raw in tags:
        if raw.strip().casefold() in _GENERIC:
            continue
        tag = mapping.get(raw.strip().casefold()) or to_hashtag(raw)
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out
