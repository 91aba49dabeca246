"""Checks the editorial evaluation makes against the page itself, not against our extraction.

Quotes are compared as the fixtures' README says: whitespace collapsed, soft hyphens
removed, surrounding quotation marks stripped, a trailing , . ; or : ignored. A speaker is
right when it equals the label's speaker or one of its aliases (case, a leading article and
punctuation aside). A key quote is *verbatim* when each of its parts occurs in the page's
visible text, and *complete* when a quotation mark stands right before its first part and
right after its last (or, for an excerpt, when its last sentence ends where it
stops). A hashtag is *grounded* when its letters stand in a row in the
article's headline, standfirst or body (spaces and punctuation aside: #NewYork in "New
York"), or when it names a country of places.tsv whose words the article uses ("Japanese").
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import lxml.html

from bot.editorial.model import Quote

OPENING = "“\"‘'«»„‚‹›「『"
CLOSING = "”\"’'»«“‘›‹」』"
PLACES = Path(__file__).resolve().parents[1] / "bot" / "editorial" / "places.tsv"
#: tags no editor would post: the issue's examples and section names
GENERIC = {
    "news",
    "ties",
    "upgrade",
    "said",
    "world",
    "latest",
    "breaking",
    "home",
    "video",
    "live",
    "update",
    "noticias",
    "notizie",
    "nachrichten",
    "actualités",
    "zprávy",
}


def norm_quote(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()
    text = text.strip(OPENING + CLOSING + " ")
    return text[:-1] if text[-1:] in ",.;:" else text


def norm_speaker(name: str) -> str:
    words = re.findall(r"[^\W_]+", name.casefold().replace("’", "'"))
    while words and words[0] in {"the", "a", "an", "le", "la", "les", "l", "el", "o", "il"}:
        words.pop(0)
    return " ".join(words)


def visible_text(path: Path) -> str:
    raw = path.read_bytes().decode("utf-8", "replace")
    if path.suffix.lower() in (".html", ".htm"):
        doc = lxml.html.document_fromstring(raw)
        for node in doc.xpath("//script|//style|//noscript"):
            node.drop_tree()
        raw = html.unescape(doc.text_content())
    return re.sub(r"\s+", " ", raw.replace("\u00ad", ""))


def verbatim(quote: Quote, source: str) -> bool:
    return all(re.sub(r"\s+", " ", part) in source for part in quote.pieces)


def complete(quote: Quote, source: str) -> bool:
    first = re.sub(r"\s+", " ", quote.pieces[0])
    last = re.sub(r"\s+", " ", quote.pieces[-1])
    for match in re.finditer(re.escape(first), source):
        before = source[: match.start()].rstrip()[-1:]
        if before and before in OPENING:
            break
    else:
        return False
    if last.rstrip()[-1:] in ".!?…" and len(quote.pieces) == 1:
        return True  # an excerpt: whole sentences from the quotation's start
    return any(
        source[m.end() :].lstrip()[:1] in CLOSING and source[m.end() :].lstrip()[:1] != ""
        for m in re.finditer(re.escape(last), source)
    )


def same_quote(ours: str, label: str) -> bool:
    """Our quote is the labelled one, or an excerpt of it: its first whole sentences."""
    a, b = norm_quote(ours), norm_quote(label)
    return a == b or (len(a) > 20 and b.startswith(a) and ours.rstrip()[-1:] in ".!?…")


def _letters(text: str) -> str:
    return "".join(re.findall(r"[^\W_]+", text.casefold()))


@cache
def _countries() -> dict[str, list[str]]:
    """Country name (letters only) → the words that stand for it, in any language."""
    out: dict[str, list[str]] = {}
    for line in PLACES.read_text(encoding="utf-8").splitlines()[7:]:
        for cell in line.split("\t"):
            name, *words = cell.split("|")
            out.setdefault(_letters(name), []).extend([name, *words])
    return out


def grounded(tag: str, text: str) -> bool:
    letters = _letters(tag)
    if letters and letters in _letters(text):
        return True
    words = re.findall(r"[^\W_]+", text.casefold())
    padded = f" {' '.join(words)} "
    for form in _countries().get(letters, []):
        stem = form.casefold().rstrip("*")
        if form.endswith("*") and any(w.startswith(stem) for w in words):
            return True
        phrase = " ".join(re.findall(r"[^\W_]+", stem))
        if phrase and f" {phrase} " in padded:
            return True
    return False


def generic(tag: str) -> bool:
    return tag.lstrip("#").casefold() in GENERIC


def shouting(tag: str) -> bool:
    body = tag.lstrip("#")
    return len(body) > 5 and body.isupper()
