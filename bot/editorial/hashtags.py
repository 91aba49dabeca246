"""Hashtags: the newsroom's map, the feed's categories, the page's keywords and the names
the article itself uses (places, countries, people, organisations, events: ``entities``).

Order of preference: a category or keyword the map knows (the newsroom's own spelling,
"India-Japan relations" → #IndiaJapan) and map entries whose phrase appears in the
headline or standfirst — the map may say anything; then names the headline uses; then
names of the feed's categories and the page's keywords; then the names the article uses
most; last, topic words of the categories and keywords. Every tag but a mapped one is
grounded: its words stand in the headline, standfirst or body (a category the article never
mentions is the section's, not the story's), or it is the country a word of the article
stands for ("Japanese" → #Japan). Each becomes one CamelCase tag of letters and digits in
any script, written as the article writes it (#NewYork, #SãoPaulo, #UNSecurityCouncil);
a word in capitals longer than an acronym is not shouted (#AWARDS → #Awards); generic
section names and words ("News", "Ties", "Said") are dropped; a tag that differs from an
earlier one only in case is a repeat. A map value "" blocks a tag.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.editorial.entities import Mention, capitalises_nouns, mentions
from bot.editorial.language import guess_language
from bot.editorial.text import word_set
from bot.errors import UsageError

GENERIC = word_set(
    """news latest world home uncategorized uncategorised general featured homepage misc
    other articles article blog live video videos photos pictures gallery story stories
    breaking headlines nachrichten aktuell meldung meldungen actualités actualité actu info
    infos noticias últimas notizie ultime zprávy domácí zahraničí said says ties upgrade
    update updates report reports opinion analysis sport sports economy politics society
    culture video"""
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


@dataclass(frozen=True)
class Hashtag:
    """A hashtag and what it stands for: plain data for the channel that places it (inline
    where ``word`` is in the headline, at the end otherwise; a facet on Bluesky)."""

    tag: str
    #: the article's own words the tag stands for ("Japanese" for #Japan); "" for a map tag
    #: whose phrase the article does not use
    word: str
    in_headline: bool
    #: "map", "name" (a name of the article or of a category/keyword it uses) or "topic"
    source: str


def _written(phrase: str, text: str) -> str | None:
    """How ``text`` writes ``phrase`` (case and accents as the article has them), or None
    when the article does not use it."""
    words = re.findall(r"[^\W_]+", phrase)
    if not words:
        return None
    pattern = r"[\W_]+".join(re.escape(w) for w in words)
    if any(c.isupper() or c.islower() for c in phrase):  # scripts without spaces: no edges
        pattern = r"(?<!\w)" + pattern + r"(?!\w)"
    match = re.search(pattern, text, re.IGNORECASE)
    return match.group(0) if match else None


def _unshout(phrase: str) -> str:
    """ "AWARDS" → "Awards"; acronyms (ASEAN, NATO, G7) keep their capitals."""
    return " ".join(
        w.capitalize() if w.isupper() and sum(c.isalpha() for c in w) > 5 else w
        for w in phrase.split()
    )


def _is_name(written: str) -> bool:
    return any(w[:1].isupper() for w in written.split())


def choose_hashtags(
    categories: Iterable[str],
    mapping: Mapping[str, str] | None = None,
    *,
    keywords: Iterable[str] = (),
    headline: str = "",
    standfirst: str = "",
    body: str = "",
    language: str | None = None,
) -> list[Hashtag]:
    """All hashtags for an article, best first (the caller keeps as many as the channel takes)."""
    table = {_normal(k): v for k, v in (mapping or {}).items()}
    blocked = {k for k, v in table.items() if not v.strip()}
    cats = [c for c in categories if c.strip()]
    keys = [k for k in keywords if k.strip()]
    text = f"{headline}\n{standfirst}\n{body}"
    language = language or guess_language(text)
    seen: set[str] = set()
    out: list[Hashtag] = []

    def add(tag: str | None, word: str, source: str, in_headline: bool = False) -> None:
        if tag and tag.casefold() not in seen and _normal(tag) not in GENERIC:
            seen.add(tag.casefold())
            in_headline = in_headline or (bool(word) and _written(word, headline) is not None)
            out.append(Hashtag(tag, word, in_headline, source))

    for phrase in [*cats, *keys]:
        if _normal(phrase) in table:
            add(_mapped(table[_normal(phrase)]), _written(phrase, text) or "", "map")
    padded = f" {_normal(headline + ' ' + standfirst)} "
    for key, value in table.items():
        if key and f" {key} " in padded:
            add(_mapped(value), _written(key, text) or "", "map")
    names = mentions(headline, standfirst, body, language)
    german = capitalises_nouns(f"{standfirst}\n{body}", language)
    wanted = [m for m in names if _normal(m.written) not in blocked]
    for mention in wanted:
        if mention.in_headline:
            add(_tag(mention), mention.written, "name", True)
    given = _given(cats, keys, table, blocked, names, headline, text, german)
    for written, kind in given:
        if kind == "name":
            add(to_hashtag(_unshout(written)), written, "name")
    for mention in wanted:
        add(_tag(mention), mention.written, "name", mention.in_headline)
    for written, kind in given:
        if kind == "topic":
            add(to_hashtag(_unshout(written)), written, "topic")
    return out


def _given(
    cats: list[str],
    keys: list[str],
    table: Mapping[str, str],
    blocked: set[str],
    names: list[Mention],
    headline: str,
    text: str,
    german: bool,
) -> list[tuple[str, str]]:
    """The categories and keywords the article uses, as it writes them, each a "name" (of
    a place, a person, an organisation: capitalised, or a name the article uses) or a
    "topic" (words of several: "climate change"); one common word is neither."""
    known = {f.casefold() for m in names for f in (*m.forms, " ".join(m.words))}
    given: list[tuple[str, str]] = []
    for phrase in [*cats, *keys]:
        norm = _normal(phrase)
        long_keyword = phrase in keys and len(norm.split()) > MAX_KEYWORD_WORDS
        if norm in GENERIC or norm in blocked or norm in table or long_keyword:
            continue
        written = _written(phrase, text)
        if written is None:
            continue
        if " " in written.strip():
            given.append((written, "name" if _is_name(written) else "topic"))
        elif (
            written.casefold() in known
            or any(c.isupper() for c in written[1:])  # iPhone, 1Password, PlayStation
            or not any(c.isupper() or c.islower() for c in written)  # 東京: no capitals
            or (german and _capitalised_in(phrase, headline))
        ):
            given.append((written, "name"))  # one word: a name the article uses as one
    return given


def _capitalised_in(phrase: str, text: str) -> bool:
    written = _written(phrase, text)
    return written is not None and written[:1].isupper()


def _tag(mention: Mention) -> str | None:
    return to_hashtag(_unshout(" ".join(mention.words)))


def hashtags_for(
    categories: Iterable[str],
    mapping: Mapping[str, str] | None = None,
    *,
    keywords: Iterable[str] = (),
    text: str = "",
    body: str = "",
    language: str | None = None,
) -> list[str]:
    """The tags of ``choose_hashtags``; ``text`` is the headline, a newline, the standfirst."""
    headline, _, standfirst = text.partition("\n")
    chosen = choose_hashtags(
        categories,
        mapping,
        keywords=keywords,
        headline=headline,
        standfirst=standfirst,
        body=body,
        language=language,
    )
    return [h.tag for h in chosen]
