"""The noun phrases next to a verb of saying: the name after an inverted verb ("a ajouté
Laurent Fabius", "píše na Twitter Gary Lineker", "erklärte der … zuständige Fed-Vizechef
Michael Barr"), and the name that opens a sentence ("Fiona Parry issued a plea")."""

from __future__ import annotations

import re

from bot.editorial.names import ARTICLES, PREPOSITIONS, clean_phrase, is_title, leading_name
from bot.editorial.verbs import ADVERBS

#: what stands in for quoted text while attribution is read
MASK = "\u2592"


def tokens_after(text: str, keep_of: bool = False) -> list[str]:
    """The noun phrase after an inverted verb or "according to": up to punctuation or a
    preposition that starts a description ("said Jane Doe from the police")."""
    phrase = re.split(r"[,.;:!?()" + MASK + r"]|\s[—–]\s", text, maxsplit=1)[0]
    tokens = clean_phrase(phrase)
    while tokens and tokens[0].casefold() in ADVERBS:
        tokens.pop(0)  # "ha twittato poi la premier"
    stops = PREPOSITIONS - {"of", "de", "du", "des"} if keep_of else PREPOSITIONS
    if tokens and tokens[0].casefold() not in ARTICLES and leading_name(tokens):
        return leading_name(tokens)
    inner = inner_name(tokens)
    if inner:
        return inner  # "der für die Aufsicht zuständige Fed-Vizechef Michael Barr"
    for i, token in enumerate(tokens):
        if i and token.casefold() in stops:
            return tokens[:i]
    return [] if tokens and tokens[0].casefold() in PREPOSITIONS else tokens


def inner_name(tokens: list[str]) -> list[str]:
    """A name of two capitalised words or more inside a description, before any
    preposition that follows it."""
    for i in range(len(tokens) - 1):
        if tokens[i].casefold() in PREPOSITIONS and i > 1:
            return []
        run = leading_name(tokens[i:])
        after_preposition = i > 0 and tokens[i - 1].casefold() in PREPOSITIONS
        if after_preposition and len(run) >= 3:
            run = run[1:]  # "píše na Twitter Gary Lineker": the place written on, then the name
        if len([t for t in run if t[:1].isupper()]) >= 2 and not is_title(run[-1]):
            return run
    return []


def opening_name(text: str) -> list[str]:
    """A sentence that opens with a name ("Fiona Parry issued a plea", "Mrs Helen Park, the
    head teacher, spoke", "The minister, Pedro Alves, defended"): the name, which a later
    "she" or an unattributed quote paragraph may refer to."""
    if MASK in text[:80]:
        return []
    chunks = [c.split() for c in text.split(",")[:3]]
    for i, tokens in enumerate(chunks[:2]):
        run: list[str] = []
        for token in tokens[:6]:
            if not token[:1].isupper():
                break
            run.append(token)
        whole = len(run) == len(tokens)
        if run and run[0].casefold() in ARTICLES:
            continue  # "The Quad summit …": a thing, not a person
        if len(run) >= 2 and (not whole or len(chunks) > i + 1):
            return run
    return []
