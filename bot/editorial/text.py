"""Small text helpers shared by the editorial modules: whitespace, invisibles, sentences, words."""

from __future__ import annotations

import re
import unicodedata

#: invisible characters that carry no words; pages sprinkle them (soft hyphens in German,
#: zero-width spaces from CMS editors). ZWJ and ZWNJ are kept: they shape Indic, Persian and emoji.
INVISIBLES = "\u00ad\u200b\u2060\ufeff"
_INVISIBLE_RE = re.compile(f"[{INVISIBLES}]")
_SPACE_RE = re.compile(r"\s+")


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal list."""
    return frozenset(text.split())


#: tokens after which a full stop does not end a sentence
ABBREVIATIONS = word_set(
    """mr mrs ms dr prof st sr jr gen col capt lt sgt sen rep gov pres rev hon mt ft no nos vs
    etc inc ltd corp co jan feb mar apr jun jul aug sep sept oct nov dec mme mlle m me
    bzw ca dr. nr str u.s u.k e.g i.e"""
)


def strip_invisibles(text: str) -> str:
    return _INVISIBLE_RE.sub("", text)


def squash(text: str) -> str:
    """Runs of whitespace (newlines, no-break spaces) become one space; ends trimmed."""
    return _SPACE_RE.sub(" ", text).strip()


def clean_body(text: str) -> str:
    """NFC, no invisibles, one paragraph per block separated by a blank line."""
    text = strip_invisibles(unicodedata.normalize("NFC", text)).replace("\r\n", "\n")
    paragraphs = [squash(line) for line in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p)


def paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each non-empty line of ``body``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in body.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if stripped:
            start = pos + len(line) - len(line.lstrip())
            spans.append((start, start + len(stripped)))
        pos = end + 1
    return spans


def words(text: str) -> list[str]:
    return text.split()


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xAC00 <= code <= 0xD7AF  # hangul
        or 0x20000 <= code <= 0x2FA1F
    )


def word_count(text: str) -> int:
    """Whitespace tokens; a run of CJK characters counts one word per two characters."""
    count = 0
    for token in text.split():
        cjk = sum(1 for c in token if is_cjk(c))
        count += max(1, (cjk + 1) // 2 + (1 if len(token) > cjk else 0)) if cjk else 1
    return count


_SENTENCE_END = re.compile(r"[.!?…。！？]+[\"”’»」)]*(?=\s|$)|[。！？]")


def sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence end in ``text`` (abbreviations and initials skipped)."""
    ends: list[int] = []
    for match in _SENTENCE_END.finditer(text):
        if match.group().startswith("."):
            before = text[: match.start()].rsplit(None, 1)
            token = before[-1].lower().lstrip("(\"'“‘") if before else ""
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        ends.append(match.end())
    return ends


def casefold_words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())
