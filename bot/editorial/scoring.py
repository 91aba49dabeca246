"""Which quotation is the key quote: a documented score.

A quotation can be a key quote only if (gates):
  * it has a speaker the article names (no speaker, no key quote);
  * it has 8 to 45 words (shorter ones are scare quotes and fragments; longer ones do not
    fit a post and are rarely one thought);
  * it is not a quotation inside another quotation;
  * it does not repeat the headline (most of its words are the headline's words);
  * it is not the title of a work ("the film “…”", or Title Case words with no sentence in
    them);
  * it is not a fragment: a quotation starting in lower case right after a preposition or
    an article ("part of “a medical technique …”") is a noun phrase, not a statement.
Among those, the score adds up (higher is better):
  * attribution: +3 when the quotation's own sentence says who spoke, +1.5 when it takes
    the speaker from the sentence or paragraph before;
  * speaker: +1 a named person, +0.5 an organisation or a described person ("a senior
    diplomat"), -2 a document (a bill, a report: wording, not speech);
  * self-contained: +1 when it starts like a sentence (capital letter, or a bracketed
    editorial insertion); -1 when it starts in lower case (a fragment inside reported
    speech); -1 when it opens with a conjunction ("And", "But") that leans on what came
    before; +0.5 when it ends like a sentence (. ! ? or the comma before "he said");
  * length: +1 for 12-30 words, tapering to +0.3 at 8 and at 45;
  * newsworthy: up to +1 for sharing content words with the headline and standfirst
    (on topic, without repeating them), +0.3 for a number, +0.3 for first-person speech
    ("we", "I": someone speaking for themselves);
  * position: up to +0.5 for quotes early in the article (news puts the strongest first).
Nothing in it names a site, a person or a language's fixtures: the same weights apply to
every article.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.editorial.model import Quote
from bot.editorial.text import casefold_words, sentence_ends, word_count, word_set

MIN_WORDS = 8
MAX_WORDS = 45
#: words before a quotation that make it the title of a work
_WORK_BEFORE = re.compile(
    r"\b(?:film|movie|book|novel|song|album|single|show|series|programme|program|play|"
    r"documentary|booklet|report|titled|entitled|called|named|headlined|dubbed|"
    r"intitulée?|appelée?|titel|namens)\s*…?$",
    re.IGNORECASE,
)
_CONJUNCTIONS = word_set("and but or so yet then et mais ou donc und aber oder doch y pero e ma")
_FIRST_PERSON = word_set("i we our us my me nous je notre nos wir ich unser unsere nosotros yo")
_STOP = word_set(
    """the a an of to in on for and or but is are was were be been it its this that with as at by
    from has have had not no will would can could should he she they we i you his her their our
    le la les de des du et est un une que qui dans pour sur pas au aux ce cette il elle
    der die das und ist nicht mit den von zu ein eine auf für sich dem des"""
)


def _content(text: str) -> set[str]:
    return {w for w in casefold_words(text) if w not in _STOP and len(w) > 2}


def _is_title_of_work(quote: Quote) -> bool:
    before = quote.context.split("…")[0].rstrip()
    if _WORK_BEFORE.search(before):
        return True
    tokens = [t for t in quote.text.split() if t[:1].isalpha()]
    capitalised = sum(1 for t in tokens if t[:1].isupper())
    has_sentence = re.search(r"[.!?,;:]", quote.text) is not None
    return len(tokens) >= 3 and capitalised >= 0.7 * len(tokens) and not has_sentence


#: words that, right before a lower-case quotation, make it a noun phrase ("part of “a
#: medical technique …”", "de « l’indépendance nationale »"): a fragment, not a statement
_FRAGMENT_BEFORE = re.compile(
    r"\b(?:of|for|to|in|as|on|at|with|by|from|about|the|a|an|de|du|des|à|la|le|les|un|une|"
    r"d’|l’|von|vom|zu|für|mit|der|die|das|als|del|al|el|di|della)\s*…?$",
    re.IGNORECASE,
)


def _is_fragment(quote: Quote) -> bool:
    before = quote.context.split("…")[0].rstrip()
    return quote.text[:1].islower() and _FRAGMENT_BEFORE.search(before) is not None


def _repeats_headline(quote: Quote, title: str) -> bool:
    words = _content(quote.text)
    return bool(words) and len(words & _content(title)) >= 0.7 * len(words)


def eligible(quote: Quote, title: str) -> bool:
    count = word_count(quote.text)
    return (
        quote.speaker is not None
        and MIN_WORDS <= count <= MAX_WORDS
        and not quote.nested
        and not _repeats_headline(quote, title)
        and not _is_title_of_work(quote)
        and not _is_fragment(quote)
    )


_SPEAKER_POINTS = {"person": 1.0, "group": 0.5, "description": 0.5, "document": -2.0}


def _length(count: int) -> float:
    if 12 <= count <= 30:
        return 1.0
    if count < 12:
        return 0.3 + 0.7 * (count - MIN_WORDS) / (12 - MIN_WORDS)
    return 1.0 - 0.7 * (count - 30) / (MAX_WORDS - 30)


def score(quote: Quote, title: str, summary: str | None, position: float) -> float:
    """The score of an eligible quote; ``position`` is 0 for the first quote, 1 for the last."""
    text = quote.text
    first = text.split()[0] if text.split() else ""
    total = 3.0 if quote.attribution == "direct" else 1.5
    total += _SPEAKER_POINTS.get(quote.speaker_kind, 0.0)
    opener = first.lstrip("[(¿¡")[:1]
    if first.startswith("[") or opener.isupper():
        total += 1.0
    elif opener.islower():
        total -= 1.0
    if first.casefold().strip(",") in _CONJUNCTIONS:
        total -= 1.0
    if text.rstrip()[-1:] in ".!?…,":
        total += 0.5
    total += _length(word_count(text))
    topic = _content(f"{title} {summary or ''}")
    words = _content(text)
    if words and topic:
        total += min(1.0, 3 * len(words & topic) / len(words))
    if re.search(r"\d", text):
        total += 0.3
    if set(casefold_words(text)) & _FIRST_PERSON:
        total += 0.3
    total += 0.5 * (1 - position)
    return round(total, 3)


def excerpt(quote: Quote, max_words: int = MAX_WORDS) -> Quote | None:
    """A quotation too long for a post, cut at sentence boundaries only: its first whole
    sentences, verbatim, up to ``max_words`` (the excerpt is a part of the quotation, in
    quote marks and attributed as the whole is); None when even its first sentence is too
    long or the quotation already fits."""
    if word_count(quote.text) <= max_words or quote.parts:
        return None
    ends = [end for end in sentence_ends(quote.text) if end < len(quote.text.rstrip())]
    fitting = [end for end in ends if word_count(quote.text[:end]) <= max_words]
    if not fitting:
        return None
    return replace(quote, text=quote.text[: fitting[-1]].rstrip())


def rank(quotes: list[Quote], title: str, summary: str | None = None) -> list[Quote]:
    """The eligible quotes, best first, each with its score; a quotation too long for a
    post competes with its excerpt (see ``excerpt``)."""
    outer = [q for q in quotes if not q.nested]
    scored: list[Quote] = []
    for i, whole in enumerate(outer):
        quote = excerpt(whole) or whole if whole.speaker else whole
        if not eligible(quote, title):
            continue
        position = i / max(1, len(outer) - 1)
        scored.append(_with_score(quote, score(quote, title, summary, position)))
    scored.sort(key=lambda q: -q.score)
    return scored


def _with_score(quote: Quote, value: float) -> Quote:
    return replace(quote, score=value)
