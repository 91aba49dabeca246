"""A rough language guess for text without metadata: script first, then common words."""

from __future__ import annotations

import re

from bot.editorial.text import word_set

# The most frequent short words of each language; overlap between languages is fine,
# the language with the most hits wins.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": word_set("the and of to in is that for with was on are as by from has have it"),
    "fr": word_set("le la les des et est un une du que dans pour pas sur qui au avec ce"),
    "de": word_set("der die das und ist nicht mit den von zu ein eine auf für sich dem des"),
    "es": word_set("el la los las y es de que en un una por con para del se no al"),
    "it": word_set("il la le gli di che e è un una per con del della non sono al"),
    "pt": word_set("o a os as e de que em um uma para com do da não por se ao"),
    "nl": word_set("de het een en van is dat op te in niet met voor zijn er"),
}


def guess_language(text: str) -> str | None:
    sample = text[:5000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    share = {
        "ja": sum(1 for c in letters if "\u3040" <= c <= "\u30ff"),
        "zh": sum(1 for c in letters if "\u4e00" <= c <= "\u9fff"),
        "ko": sum(1 for c in letters if "\uac00" <= c <= "\ud7af"),
        "ru": sum(1 for c in letters if "\u0400" <= c <= "\u04ff"),
        "ar": sum(1 for c in letters if "\u0600" <= c <= "\u06ff"),
        "el": sum(1 for c in letters if "\u0370" <= c <= "\u03ff"),
        "he": sum(1 for c in letters if "\u0590" <= c <= "\u05ff"),
    }
    if share["ja"] > 0.05 * len(letters):
        return "ja"  # kana: Japanese, even when kanji outnumber it
    script, count = max(share.items(), key=lambda kv: kv[1])
    if count > 0.3 * len(letters):
        return script
    tokens = re.findall(r"[^\W\d_]+", sample.lower())
    hits = {lang: sum(1 for t in tokens if t in words) for lang, words in _STOPWORDS.items()}
    lang, best = max(hits.items(), key=lambda kv: kv[1])
    return lang if best >= 3 else None
