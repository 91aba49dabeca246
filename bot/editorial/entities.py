"""The places, people, organisations and events an article names: rules over proper nouns.

A name is a run of capitalised words ("Narendra Modi", "UN Security Council", "São
Paulo", with "de", "von der", "of" inside), an acronym ("ASEAN", "G7"), or a word of the
country gazetteer ("Japanese" → Japan, "japonés" → Japón). A capitalised word at the start
of a sentence, or anywhere in a Title Case headline, is a name only when the article also
writes it capitalised mid-sentence, or the gazetteer knows it. German capitalises every
noun: there a single word counts only as a place or an acronym, and a longer run only when
the article uses it twice or in its headline or standfirst. Roles before a name ("PM",
"la ministra") are not part of it; a run of more than four words is a phrase, not a name.

No model and no download: a few hundred lines of rules and a small data file, so drafting
costs nothing at idle and gives the same answer every time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from bot.editorial.names import TITLES
from bot.editorial.places import Place, place_for
from bot.editorial.text import paragraphs, sentence_ends, word_set

#: capitalised at the start of a sentence, never a name by themselves
STOP = word_set(
    """the a an and but or so if in on at to of for by with from as this that these those it
    its he she they we you i his her their our my your there here when where what who why how
    after before while during since until about over under new more most all some one two three
    four five six seven eight nine ten first last next today yesterday tomorrow mr mrs ms dr
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december
    el la los las un una unos unas y o en de del al con por para según sin sobre tras desde
    este esta estos estas ese esa eso lo le les se su sus nos mi tu pero aunque cuando como
    o os as um uma e em do da dos das no na nos nas ao aos pelo pela com sem mas segundo
    le la les un une des et ou en du au aux avec pour par sur dans selon mais quand comme
    ce cette ces il elle ils elles nous vous on
    der die das ein eine einen einem einer und oder in im am an auf aus bei mit nach von vom
    zu zum zur für über unter vor seit laut doch aber wie wenn als auch es er sie wir ihr
    il lo la gli le i un uno una e o di da del della dei delle in nel nella con per su tra
    fra ma se come secondo anche questo questa
    a i v ve na do od pro při po za se je to ten ta ale když jak podle
    zwei drei vier fünf dos tres cuatro cinco deux trois quatre cinq due tre quattro cinque
    lunes martes miércoles jueves viernes sábado domingo lundi mardi mercredi jeudi vendredi
    samedi dimanche montag dienstag mittwoch donnerstag freitag samstag sonntag lunedì
    martedì mercoledì giovedì venerdì sabato domenica segunda terça quarta quinta sexta"""
)
#: lower-case words that may stand inside a name ("Ursula von der Leyen", "Bank of England")
CONNECTORS = word_set("de da do dos das del della di von der van den of la le du des")
_PUNCT = "\"“”„‟«»‹›'‘’‚()[]{}<>,;:!?.…—–-·•*/|"
_BREAK = re.compile(r"[,;:!?…)\]”»\"]$|[.]$")
_ACRONYM = re.compile(r"^(?:[A-ZÀ-Ý]{2,5}|[A-Z]+\d+|[A-Z]\d+[A-Z]*)$")
MAX_WORDS = 4


@dataclass
class Mention:
    """One name of the article, with how often and where it appears."""

    words: tuple[str, ...]
    kind: str  # "place" | "name" | "acronym"
    place: Place | None = None
    count: int = 0
    in_headline: bool = False
    in_standfirst: bool = False
    #: how the article wrote it (the first time): the word a hashtag stands for
    written: str = ""
    forms: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return " ".join(self.words).casefold()


_ELISION = re.compile(r"^(?:[ldnsj]|dell|all|nell|dall|sull|quest|un)['’](?=\w)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"[’']s$")
#: a byline at the end of a standfirst ("Von Christin Jordan.", "By Jane Doe")
_BYLINE = re.compile(r"^(?:by|von|por|par|di|od|de)\s+(?:\S+\s*){1,4}$", re.IGNORECASE)


def _core(raw: str) -> str:
    core = _ELISION.sub("", raw.strip(_PUNCT))  # "l'Atlantique" → "Atlantique"
    return _POSSESSIVE.sub("", core)  # "India’s" → "India"


def _capitalised(token: str) -> bool:
    return bool(token) and token[0].isupper() and any(c.isalpha() for c in token)


def title_case(headline: str) -> bool:
    """A headline in Title Case ("Upgrade Around The Corner"): its capitals prove nothing."""
    long_words = [w for w in (_core(t) for t in headline.split()) if len(w) >= 4]
    return len(long_words) >= 3 and sum(_capitalised(w) for w in long_words) >= 0.7 * len(
        long_words
    )


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for start, end in paragraphs(text):
        para = text[start:end]
        begin = 0
        for cut in [*sentence_ends(para), len(para)]:
            if para[begin:cut].strip():
                out.append(para[begin:cut].strip())
            begin = cut
    return out


def _runs(sentence: str) -> list[tuple[list[str], bool]]:
    """Runs of capitalised words in a sentence, each with whether it opens the sentence."""
    runs: list[tuple[list[str], bool]] = []
    run: list[str] = []
    opens = False
    if _BYLINE.match(sentence):
        return runs
    tokens = sentence.split()
    for i, raw in enumerate(tokens):
        core = _core(raw)
        leading = raw[: len(raw) - len(raw.lstrip(_PUNCT))]
        if (leading or _ELISION.match(raw.strip(_PUNCT))) and run:
            runs.append((run, opens))
            run = []
        cap = _capitalised(core) and core.casefold() not in STOP
        if cap and not (core.isupper() and len(core) > 5):  # shouting, not a name
            if not run:
                quoted = any(c in leading for c in "\"“„«‘'")
                opens = i == 0 or quoted or (i == 1 and not _core(tokens[0]))
            run.append(core)
        elif run and core.casefold() in CONNECTORS and not leading and _joins(run, core):
            run.append(core)
        elif run:
            runs.append((run, opens))
            run = []
        dotted = raw.endswith(".") and bool(_ACRONYM.match(core))  # "U.S." goes on
        if run and (_BREAK.search(raw) or _POSSESSIVE.search(raw.strip(_PUNCT))) and not dotted:
            runs.append((run, opens))
            run = []
    if run:
        runs.append((run, opens))
    return runs


#: connectors that are also articles ("die Federal Reserve den Zusammenbruch"): only
#: after another connector ("von der Leyen", "Nobel de la Paz")
_SECOND_CONNECTORS = word_set("der den la le")


def _joins(run: list[str], word: str) -> bool:
    return word.casefold() not in _SECOND_CONNECTORS or run[-1].casefold() in CONNECTORS


def _trim(run: list[str]) -> list[str]:
    while run and (run[0].casefold() in TITLES or run[0].casefold() in CONNECTORS):
        run = run[1:]
    while run and run[-1].casefold() in CONNECTORS:
        run = run[:-1]
    return run


class _Collector:
    def __init__(self, language: str | None) -> None:
        self.language = language
        self.mentions: dict[str, Mention] = {}
        self.seen_inside: set[str] = set()  # words seen capitalised mid-sentence
        #: nouns are capitalised (German, or a text that reads like it)
        self.nouns_capitalised = language == "de"
        self.capitalised: dict[str, int] = {}  # word → times written capitalised
        self.after_article: set[str] = set()  # words seen after "der", "die", "ein" …

    def add(self, words: list[str], kind: str, where: str, place: Place | None = None) -> None:
        if place is not None:
            key = "place:" + place.name("en")
            name = place.name(self.language)
            if len(words) == 1 and words[0].isupper():
                name = words[0]  # the article writes "UK", "EU", "USA": so does the tag
            mention = self.mentions.setdefault(key, Mention(tuple(name.split()), "place", place))
        else:
            key = " ".join(words).casefold()
            mention = self.mentions.setdefault(key, Mention(tuple(words), kind))
        mention.count += 1
        mention.forms.add(" ".join(words))
        mention.written = mention.written or " ".join(words)
        mention.in_headline |= where == "headline"
        mention.in_standfirst |= where == "standfirst"


def _sure(collector: _Collector, word: str) -> bool:
    """A capitalised word that is a name wherever it stands."""
    parts = word.split("-")
    return (
        word.casefold() in collector.seen_inside
        or bool(_ACRONYM.match(word))
        or all(place_for(p) is not None for p in parts)
    )


def _accept(collector: _Collector, run: list[str], first: bool, every: bool, where: str) -> None:
    """Take a run of capitalised words; ``first``: its first word opens a sentence;
    ``every``: it stands in a Title Case headline. Unsure words split the run."""
    if not (first or every):
        _take(collector, run, where)
        return
    piece: list[str] = []
    for i, word in enumerate(run):
        connector = word.casefold() in CONNECTORS
        whole = i == 0 and len(run) > 1 and run[1].casefold() not in CONNECTORS
        whole = whole and (not collector.nouns_capitalised or len(run) >= 3)
        sure = (first and not every and i > 0) or connector or _sure(collector, word)
        sure = sure or (whole and first and not every)
        if sure and not (connector and not piece):
            piece.append(word)
            continue
        if _trim(piece):
            _take(collector, _trim(piece), where)
        piece = []
    if _trim(piece):
        _take(collector, _trim(piece), where)


def _take(collector: _Collector, run: list[str], where: str) -> None:  # noqa: PLR0911, PLR0912
    german = collector.nouns_capitalised
    if len(run) >= 3 and run[0].casefold() in collector.mentions and run[1] not in CONNECTORS:
        _take(collector, run[:1], where)  # "de Pilar Federico Achával": a place, then a name
        _take(collector, run[1:], where)
        return
    inner = [i for i, w in enumerate(run) if w.casefold() in CONNECTORS]
    if inner:
        right = run[inner[-1] + 1 :]
        left = run[: inner[0]]
        if left and len(right) >= 2:  # "Giorgia Meloni da Donald Trump": two names
            _take(collector, left, where)
            _take(collector, right, where)
            return
    parts = run[0].split("-") if len(run) == 1 else []
    if len(parts) > 1 and all(place_for(p) for p in parts):  # "India-Japan"
        for part in parts:
            collector.add([part], "place", where, place_for(part))
        return
    place = place_for(" ".join(run))
    if place is not None:
        collector.add(run, "place", where, place)
        return
    first = place_for(run[0]) if len(run) > 1 else None
    if first is not None and run[0] not in first.names.values():
        collector.add(run[:1], "place", where, first)  # "Japanese PM Shigeru Ishiba"
        if _trim(run[1:]):
            _take(collector, _trim(run[1:]), where)
        return
    if len(run) == 1:
        word = run[0].casefold()
        if _ACRONYM.match(run[0]):
            collector.add(run, "acronym", where)
        elif not german or (
            word not in collector.after_article and collector.capitalised.get(word, 0) >= 2
        ):
            collector.add(run, "name", where)  # a German noun goes with an article
        return
    if len([w for w in run if w.casefold() not in CONNECTORS]) > MAX_WORDS:
        return
    if german and where == "body" and len(run) > 3:
        return
    collector.add(run, "name", where)


def _lowercase_places(collector: _Collector, sentence: str, where: str) -> None:
    """Demonyms written in lower case ("el Gobierno italiano", "la premier italiana")."""
    for raw in sentence.split():
        core = _core(raw)
        if core and core[0].islower() and len(core) > 3:
            place = place_for(core)
            if place is not None:
                collector.add([core], "place", where, place)


def capitalises_nouns(text: str, language: str | None = None) -> bool:
    """German, or a text that writes like it: capitals prove less there."""
    collector = _Collector(language)
    _survey(collector, _sentences(text))
    return collector.nouns_capitalised


def mentions(
    headline: str, standfirst: str = "", body: str = "", language: str | None = None
) -> list[Mention]:
    """Every name of the article, most salient first: in the headline, then the
    standfirst, then by how often the article uses it."""
    collector = _Collector(language)
    parts = [
        ("headline", [headline]),
        ("standfirst", _sentences(standfirst)),
        ("body", _sentences(body)),
    ]
    _survey(collector, [s for _, sentences in parts[1:] for s in sentences])
    # a German headline capitalises its nouns, not every word
    # (Title Case is an English habit)
    english = language in (None, "en")
    headline_ambiguous = english and title_case(headline) and not collector.nouns_capitalised
    for where, sentences in parts:
        for sentence in sentences:
            for run, opens in _runs(sentence):
                every = where == "headline" and headline_ambiguous
                if not every:  # all but a sentence's first word are capitalised for a reason
                    collector.seen_inside.update(w.casefold() for w in run[int(opens) :])
    for where, sentences in parts:
        for sentence in sentences:
            for run, opens in _runs(sentence):
                trimmed = _trim(run)
                if trimmed:
                    every = where == "headline" and headline_ambiguous
                    _accept(collector, trimmed, opens and trimmed[0] == run[0], every, where)
            _lowercase_places(collector, sentence, where)
    found = _merge(list(collector.mentions.values()))
    return sorted(found, key=lambda m: (-m.in_headline, -m.in_standfirst, -m.count))


ARTICLES_DE = word_set(
    "der die das den dem des ein eine einen einem einer eines zum zur im am vom beim"
)


def _survey(collector: _Collector, sentences: list[str]) -> None:
    """How the text capitalises: nouns too (German), and which words follow an article."""
    inside = capitals = 0
    for sentence in sentences:
        tokens = [_core(t) for t in sentence.split()]
        for before, token in pairwise(tokens):
            if not token or not token[0].isalpha():
                continue
            inside += 1
            if _capitalised(token) and token.casefold() not in STOP:
                capitals += 1
                key = token.casefold()
                collector.capitalised[key] = collector.capitalised.get(key, 0) + 1
                if before.casefold() in ARTICLES_DE:
                    collector.after_article.add(key)
    if inside >= 12 and capitals > 0.28 * inside:
        collector.nouns_capitalised = True


def _merge(found: list[Mention]) -> list[Mention]:
    """ "Muratov" and "Von der Leyen" are the "Dmitry Muratov" and "Ursula von der Leyen"
    the article names in full: their mentions count for the full name."""
    found = _merge_endings(found)
    names = sorted((m for m in found if m.kind == "name"), key=lambda m: -len(m.words))
    kept: list[Mention] = [m for m in found if m.kind != "name"]
    for mention in names:
        words = [w.casefold() for w in mention.words]
        for longer in kept:
            if longer.kind != "name" or len(longer.words) <= len(words):
                continue
            lw = [w.casefold() for w in longer.words]
            if lw[-len(words) :] == words or lw[: len(words)] == words:
                longer.count += mention.count
                longer.in_headline |= mention.in_headline
                longer.in_standfirst |= mention.in_standfirst
                longer.forms |= mention.forms
                break
        else:
            kept.append(mention)
    return kept


def _merge_endings(found: list[Mention]) -> list[Mention]:
    """ "Babišova", "Hradě": a declined form of a one-word name the article also writes
    plainly ("Babiš", "Hrad") counts for it."""
    single = sorted((m for m in found if len(m.words) == 1), key=lambda m: len(m.words[0]))
    gone: set[int] = set()
    for i, longer in enumerate(single):
        word = longer.words[0].casefold()
        for shorter in single[:i]:
            stem = shorter.words[0].casefold()
            if len(stem) >= 4 and word.startswith(stem) and len(word) - len(stem) <= 4:
                shorter.count += longer.count
                shorter.in_headline |= longer.in_headline
                shorter.in_standfirst |= longer.in_standfirst
                gone.add(id(longer))
                break
    return [m for m in found if id(m) not in gone]
