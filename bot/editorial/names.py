"""Who a phrase names: a person, an organisation, a document, or a description.

Used by the attribution pass on the noun phrase next to a reporting verb ("Mr Obama",
"a senior Japanese diplomat", "chief inspector Jennifer Mattinson", "The Food Standards
Agency"). Names keep the article's spelling; titles are taken off, so "Mr Obama" and
"President Barack Obama" are the same person, named by the fullest form the article uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.editorial.text import word_set

#: words that stand before a name and are not part of it (any case; several languages)
TITLES = word_set(
    """mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor sir dame lord lady
    president vice prime minister secretary chancellor senator sen. rep. representative
    congressman congresswoman governor gov. mayor judge justice chief inspector superintendent
    detective officer constable sergeant sgt. commissioner general gen. colonel col. captain
    capt. lieutenant lt. major admiral commander director chairman chairwoman chair ceo
    spokesman spokeswoman spokesperson ambassador envoy leader opposition speaker king queen
    prince princess pope rev. reverend father sister brother coach premier deputy attorney
    foreign interior defence defense finance health justice home state press editor
    m. mme mme. mlle monsieur madame président présidente ministre premier première député
    sénateur maire porte-parole herr frau bundeskanzler kanzler kanzlerin minister
    ministerpräsident bundespräsident sprecher sprecherin señor señora presidente ministro
    pm ministra presidenta intendente alcalde alcaldesa portavoz jefe jefa secretario
    secretaria senador senadora diputado diputada gobernador gobernadora juez jueza
    prefeito prefeita governador governadora deputado deputada ministra senadora delegado
    delegada técnico treinador presidente porta-voz secretário
    sindaco governatore ministro premier portavoce segretario senatore deputato
    premiér prezident prezidentka ministr ministryně starosta starostka mluvčí hejtman
    poslanec senátor předseda předsedkyně trenér comandante capitán capitano entrenador
    allenatore jugador giocatore jogador dirigente funcionario funcionário"""
)
#: words that make a name an organisation
GROUP_WORDS = word_set(
    """agency ministry department office police council committee commission court party
    union association institute university bank company group government army navy
    organisation organization foundation service services authority board federation
    international corporation inc ltd corp news network parliament assembly senate house
    church club team society trust fund federation league ministère gouvernement
    commission ministerium regierung polizei partei"""
)
#: heads of phrases that name a text, not a speaker
DOCUMENT_WORDS = word_set(
    """report bill law statement notes note document documents letter text study survey
    judgment ruling decree order constitution treaty act paper memo guidelines
    rapport loi projet texte décret bericht gesetz entwurf"""
)
PARTICLES = word_set("de van von der den al bin ibn da di du la le del dos das y ten ter")
LEADING_JUNK = word_set(
    """and but or so as then however also yet while when because although though
    et mais donc alors und aber doch"""
)
TRAILING_JUNK = word_set(
    """also then later once again previously earlier now still has have had was is were
    would will could may might reportedly has also recently further later first
    finally simply just only"""
)
PRONOUNS = {
    "he": "m", "she": "f", "it": "n", "they": "p",
    "il": "m", "elle": "f", "ils": "p", "elles": "p",
    "er": "m", "sie": "f", "es": "n",
}  # fmt: skip
FEMININE = word_set("mrs ms miss mme mlle madame frau her she woman mother wife daughter")
MASCULINE = word_set("mr m. monsieur herr his he man father husband son")


def _bare(token: str) -> str:
    return token.strip('.,;:!?()[]"“”‘’«»').casefold()


def is_cap(token: str) -> bool:
    core = token.lstrip('("“‘«')
    return bool(core) and core[0].isupper()


@dataclass
class Entity:
    name: str  # as shown after a quote
    kind: str  # person | group | document | description
    gender: str | None = None
    words: set[str] = field(default_factory=set)  # casefolded name and title words

    def matches_head(self, head: str) -> bool:
        return head.casefold() in self.words


def clean_phrase(phrase: str) -> list[str]:
    """Tokens of a subject phrase without leading conjunctions or trailing adverbs."""
    tokens = phrase.replace("—", " ").replace("–", " ").split()
    while tokens and _bare(tokens[0]) in LEADING_JUNK:
        tokens.pop(0)
    while tokens and (_bare(tokens[-1]) in TRAILING_JUNK or tokens[-1].endswith("ly")):
        tokens.pop()
    return [t.strip(",;:()") for t in tokens if t.strip(",;:()")]


def name_run(tokens: list[str]) -> list[str]:
    """The capitalised run at the end of ``tokens`` (with inner particles and "of"/"and"
    in organisation names), or []."""
    run: list[str] = []
    i = len(tokens) - 1
    while i >= 0:
        token = tokens[i]
        inner = run and i > 0 and is_cap(tokens[i - 1])
        if is_cap(token) or (inner and _bare(token) in PARTICLES | {"of", "on", "and", "for"}):
            run.insert(0, token)
            i -= 1
            continue
        break
    while run and not is_cap(run[0]):
        run.pop(0)
    return run


#: German titles are compounds: Finanzministerin, Bürgermeister, Regierungssprecher
_TITLE_ENDINGS = tuple(
    word_set(
        """minister ministerin präsident präsidentin sprecher sprecherin meister meisterin
        kanzler kanzlerin direktor direktorin chef chefin korrespondent korrespondentin
        experte expertin wissenschaftler wissenschaftlerin"""
    )
)


def is_title(token: str) -> bool:
    bare = _bare(token)
    return bare in TITLES or (len(bare) > 8 and bare.endswith(_TITLE_ENDINGS))


def _person_name(run: list[str]) -> list[str]:
    """The name without the titles before it: "Tunisian Prime Minister Habib Essid" →
    "Habib Essid"; "Mr Obama" → "Obama"."""
    last_title = -1
    for i, token in enumerate(run[:-1]):
        if is_title(token):
            last_title = i
    return run[last_title + 1 :]


def _gender(tokens: list[str]) -> str | None:
    bare = {_bare(t) for t in tokens}
    if bare & FEMININE:
        return "f"
    if bare & MASCULINE:
        return "m"
    return None


PREPOSITIONS = word_set(
    """for of at from with in on by de du des von vom bei für en em ao à com para pelo pela
    ante tras sobre durante nel nella alla con per su tra dopo dans avec pour sur lors au aux
    im am auf aus mit nach gegenüber zum zur na ve při za ke od ze"""
)
ARTICLES = word_set("the a an la le les l un une der die das ein eine el los las o os as il lo gli")
#: "the coach", "la ministra", "o comandante": a definite role names someone already met
DEFINITE = word_set("the la le der die das el los las o os il lo gli")


@dataclass(frozen=True)
class NameIndex:
    """What the whole article says about names: full forms by word, and words it writes
    in lower case (so a capitalised common noun at a sentence start is not a name)."""

    full: dict[str, list[str]]
    lower: frozenset[str]


def _shown(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return text[0].lower() + text[1:] if _bare(tokens[0]) in ARTICLES else text


def entity_for(tokens: list[str], names: NameIndex) -> Entity | None:  # noqa: PLR0911
    """The entity a cleaned subject phrase names, or None when it names none."""
    if not tokens or len(tokens) > 9:
        return None
    words = {_bare(t) for t in tokens}
    run = name_run(tokens)
    lead = [_bare(t) for t in tokens[: len(tokens) - len(run)]]
    if run and set(lead) & PREPOSITIONS:
        run = []  # "a spokesman for the Foreign Office": the name is not the subject
    if len(run) == 1 and _bare(run[0]) in names.lower and _bare(run[0]) not in GROUP_WORDS:
        run = []  # "Officials said": a common noun at the start of a sentence
    if run:
        name = _person_name(run)
        while name and _bare(name[0]) in ARTICLES:
            name = name[1:]  # "The Guardian" aside, an article opens no name; "von der" stays
        if not name:
            return None
        if {_bare(t) for t in name} & GROUP_WORDS:
            return Entity(_shown(tokens[len(lead) :]), "group", None, words)
        full = expand(" ".join(name), names.full)
        return Entity(full, "person", _gender(tokens), words | {_bare(t) for t in full.split()})
    capitalised = lead and lead[0] not in ARTICLES and tokens[0][:1].isupper()
    if capitalised and lead[0] not in {"her", "his", "their", "its"}:
        return None  # a capitalised phrase that is not a name: not a subject we trust
    head = _bare(tokens[-1])
    if (
        len(tokens) == 1
        and tokens[0].islower()
        and not head.endswith("s")
        and head not in GROUP_WORDS
    ):
        return Entity(head, "bare")  # "president": only good if it names someone already met
    kind = (
        "document" if head in DOCUMENT_WORDS else "group" if head in GROUP_WORDS else "description"
    )
    return Entity(_shown(tokens), kind, _gender(tokens), words)


_NAME_SHAPE = r"(?:[^\W\d_][\w’'\-]*\.?)"


def build_index(text: str) -> NameIndex:
    """Every capitalised run of two or more words, titles removed, indexed by each word;
    and the words the text writes in lower case."""
    lower = frozenset(w for w in re.findall(r"\b[^\W\d_]+\b", text) if w.islower())
    index: dict[str, list[str]] = {}
    for chunk in re.split(r"[,;:()\n\"“”«»„.!?]", text):
        tokens = chunk.split()
        i = 0
        while i < len(tokens):
            if not is_cap(tokens[i]):
                i += 1
                continue
            j = i
            while j < len(tokens) and (is_cap(tokens[j]) or _bare(tokens[j]) in PARTICLES):
                j += 1
            name = _person_name([t for t in tokens[i:j] if re.fullmatch(_NAME_SHAPE, t)])
            name = [
                t for t in name if not is_title(t) and _bare(t) not in LEADING_JUNK | {"the", "a"}
            ]
            if len(name) >= 2 and not any(_bare(t) in GROUP_WORDS for t in name):
                full = " ".join(name).removesuffix("’s").removesuffix("'s")
                for token in name:
                    index.setdefault(_bare(token), [])
                    if full not in index[_bare(token)]:
                        index[_bare(token)].append(full)
            i = max(j, i + 1)
    return NameIndex(index, lower)


def expand(name: str, full_names: dict[str, list[str]]) -> str:
    """A one-word name given in full where the article gives a unique longer form
    ("Azzouz" → "Lotfi Azzouz")."""
    tokens = name.split()
    if len(tokens) != 1:
        return name
    options = [f for f in full_names.get(_bare(name), []) if len(f.split()) > 1]
    longest = {max(options, key=len)} if options else set()
    if options and all(set(o.split()) <= set(max(options, key=len).split()) for o in options):
        return longest.pop()
    return name


def leading_name(tokens: list[str]) -> list[str]:
    """The name at the start of a phrase after an inverted verb ("said chief inspector Jane
    Doe of the police", "a déclaré Emmanuel Macron mardi"): titles, then capitalised words."""
    out: list[str] = []
    for token in tokens:
        if is_cap(token) or is_title(token) or (out and _bare(token) in PARTICLES):
            out.append(token)
            continue
        break
    while out and (not is_cap(out[-1]) or is_title(out[-1])):
        out.pop()  # "Walter Artibani Segretario generale": the title after the name goes
    return out if any(is_cap(t) and not is_title(t) for t in out) else []
