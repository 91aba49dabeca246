"""Hashtags from the feed's categories, the page's keywords and the newsroom's map.

Order of preference: a category or keyword the map knows (the newsroom's own spelling,
"India-Japan relations" → #IndiaJapan); the feed's categories; map entries whose phrase
appears in the headline or standfirst; the page's own keywords (short ones only: long
keyword strings are SEO noise). Each becomes one CamelCase tag of letters and digits in
any script; generic section names ("News", "World", "Uncategorized") are dropped; a tag
that differs from an earlier one only in case is a repeat. A map value "" blocks a tag.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.editorial.text import word_set
from bot.errors import UsageError

GENERIC = word_set(
    """news latest world home uncategorized uncategorised general featured homepage misc
    other articles article blog live video videos photos pictures gallery story stories
    breaking headlines nachrichten aktuell meldung meldungen actualités actualité actu info
    infos noticias últimas notizie ultime"""
) | {
    "top stories",
    "top story",
    "breaking news",
    "front page",
    "uk news",
    "us news",
    "world news",
    "à la une",
    "latest news",
}
MAX_KEYWORD_WORDS = 3
MAX_TAG_LENGTH = 40


def load_map(path: Path | None) -> dict[str, str]:
    """The newsroom's TOML map: ``"phrase" = "#Tag"`` at the top or under ``[hashtags]``."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"NEWSBOT_HASHTAGS_FILE: {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"NEWSBOT_HASHTAGS_FILE: {path} is not valid TOML ({exc})") from None
    table = data.get("hashtags", data)
    if not isinstance(table, dict):
        raise UsageError(f"NEWSBOT_HASHTAGS_FILE: {path}: [hashtags] must be a table")
    return {str(k): str(v) for k, v in table.items() if isinstance(v, str)}


def to_hashtag(phrase: str) -> str | None:
    """CamelCase of the phrase's words ("online shopping" → #OnlineShopping); words that
    already carry capitals keep them (iPhone, ASEAN); None when nothing usable is left."""
    words: list[str] = re.findall(r"[^\W_]+", phrase)
    if not words:
        return None
    if len(words) == 1 and len(words[0]) == 2 and words[0].islower() and words[0].isascii():
        return "#" + words[0].upper()  # "uk", "eu": a code, not a word
    tag = "".join(w if not w.islower() else w[:1].upper() + w[1:] for w in words)
    if tag.isdigit() or not any(c.isalpha() for c in tag) or len(tag) > MAX_TAG_LENGTH:
        return None
    return "#" + tag


def _normal(phrase: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", phrase.casefold()))


def _mapped(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    return value if value.startswith("#") else to_hashtag(value)


def hashtags_for(
    categories: Iterable[str],
    mapping: Mapping[str, str] | None = None,
    *,
    keywords: Iterable[str] = (),
    text: str = "",
) -> list[str]:
    """All hashtags for an article, best first (the caller keeps as many as the channel takes)."""
    table = {_normal(k): v for k, v in (mapping or {}).items()}
    cats = [c for c in categories if c.strip()]
    keys = [k for k in keywords if k.strip()]
    seen: set[str] = set()
    out: list[str] = []

    def add(tag: str | None) -> None:
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)

    blocked = {k for k, v in table.items() if not v.strip()}
    for phrase in [*cats, *keys]:
        if _normal(phrase) in table:
            add(_mapped(table[_normal(phrase)]))
    for phrase in cats:
        norm = _normal(phrase)
        if norm not in GENERIC and norm not in blocked and norm not in table:
            add(to_hashtag(phrase))
    padded = f" {_normal(text)} "
    for key, value in table.items():
        if key and f" {key} " in padded:
            add(_mapped(value))
    for phrase in keys:
        norm = _normal(phrase)
        short = len(norm.split()) <= MAX_KEYWORD_WORDS
        if short and norm not in GENERIC and norm not in blocked and norm not in table:
            add(to_hashtag(phrase))
    return out
