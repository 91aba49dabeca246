"""Who said each quotation.

One pass over the article's sentences, in order, finds every reporting verb ("said",
"told", "added", "according to", "a déclaré", "sagte", 「…」と述べた) and the phrase that
names its subject, and keeps a list of who has been mentioned, so that "he said" resolves to
the last person who spoke before it ("A senior Japanese diplomat told …" … "he said") and
"the diplomat" to the diplomat already named. Then each quotation takes, in this order:
the reporting verb after it in its own sentence (“…,” he said), the one before it in its
sentence (She added: “…”), and only when the quotation opens its sentence, the speaker of
the quotation before it in the paragraph (“A,” he said. “B.”) or of the paragraph before
(a paragraph of quoted text with no attribution of its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.editorial.marks import Span
from bot.editorial.names import (
    DEFINITE,
    PRONOUNS,
    Entity,
    NameIndex,
    build_index,
    clean_phrase,
    entity_for,
    is_title,
    leading_name,
    name_run,
)
from bot.editorial.phrases import MASK, opening_name, tokens_after
from bot.editorial.text import paragraphs, sentence_ends
from bot.editorial.verbs import (
    ACCORDING,
    DE_SO,
    FR_INVERSION,
    FR_PAST,
    IT_PAST,
    JA_TOPIC,
    JA_VERB,
    PARTICIPLES,
    PT_ES_PAST,
    VERBS,
)

_VERB_RE = re.compile(
    rf"(?<![\w-])(?:(?P<acc>{ACCORDING})|(?P<part>{PARTICIPLES})|(?P<verb>{FR_PAST}|{IT_PAST}|"
    + f"{PT_ES_PAST}|"
    + "|".join(sorted(VERBS, key=len, reverse=True))
    + r"|pointed\s+out|points\s+out))(?![\w])",
    re.IGNORECASE,
)
_DETERMINER = re.compile(
    r"\b(?:the|a|an|his|her|its|their|our|my|your|these|those|this|le|la|les|un|une|der|die|das"
    r"|el|il|lo|o|os|los)\s+$",
    re.IGNORECASE,
)
_CHUNK_SPLIT = re.compile(r"[,;:]|\s[—–-]\s|\(|\)")
_RELATIVE = re.compile(
    r"^(?:who|which|whose|that|qui|dont|der|die|das|welche[rs]?)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Attribution:
    speaker: str | None
    kind: str  # direct | inherited | ""
    context: str
    speaker_kind: str = ""


@dataclass(frozen=True)
class _Verb:
    pos: int
    end: int
    entity: Entity | None


class _Reader:
    """The state of the pass: entities met so far, in order."""

    def __init__(self, names: NameIndex) -> None:
        self.names = names
        self.mentions: list[tuple[int, Entity, bool]] = []  # (position, entity, spoke)
        self.people: dict[str, Entity] = {}
        #: full names a sentence uses, where it uses them (not read for "he" and "she")
        self.named: list[tuple[int, Entity, bool]] = []

    def mention(self, pos: int, entity: Entity, spoke: bool) -> None:
        self.mentions.append((pos, entity, spoke))

    def resolve(self, tokens: list[str], pos: int) -> Entity | None:  # noqa: PLR0911
        if len(tokens) == 1 and tokens[0].casefold() in PRONOUNS:
            return self._pronoun(PRONOUNS[tokens[0].casefold()], pos)
        entity = entity_for(tokens, self.names)
        if entity is None:
            return None
        definite = tokens[0].casefold() in DEFINITE
        if entity.kind != "person" and (definite or entity.kind == "bare"):
            head = tokens[-1].casefold()
            for _, earlier, _ in reversed(self.mentions):
                if earlier.matches_head(head):
                    return earlier  # "the diplomat", "the president": someone already named
            if definite and len(tokens) <= 3 and any(is_title(t) for t in tokens[1:]):
                met = sorted([*self.mentions, *self.named], key=lambda m: m[0])
                for at, earlier, _ in reversed(met):
                    if earlier.kind == "person" and at < pos:
                        return earlier  # "o comandante", "la premier": the person met last
        if entity.kind == "bare":
            return None
        if entity.kind == "person":
            known = self.people.setdefault(entity.name.casefold(), entity)
            known.words |= entity.words
            known.gender = known.gender or entity.gender
            return known
        return entity

    def _pronoun(self, gender: str, pos: int) -> Entity | None:
        for at, entity, _ in reversed(self.mentions):
            if at >= pos:
                continue
            if gender in "mf" and entity.kind in ("person", "description"):
                if entity.gender in (None, gender):
                    entity.gender = gender
                    return entity
            elif _plural_or_thing(gender, entity.kind):
                return entity
        return None


def _plural_or_thing(gender: str, kind: str) -> bool:
    """ "it" names an organisation or a text; "they" an organisation or a group of people."""
    return (gender == "n" and kind in ("group", "document")) or (
        gender == "p" and kind in ("group", "description")
    )


def _mask(body: str, spans: list[Span]) -> tuple[str, set[int]]:
    """The body with every outer quotation blanked out (so its words are not read as
    attribution), and the offsets where a quotation ends its sentence."""
    chars = list(body)
    ends: set[int] = set()
    for span in spans:
        if span.depth:
            continue
        for k in range(span.open_at, span.close_at + 1):
            if chars[k] != "\n":
                chars[k] = MASK
        inner = body[span.parts[-1][0] : span.parts[-1][1]].rstrip()
        after = body[span.close_at + 1 : span.close_at + 3].lstrip()
        if inner[-1:] in ".!?…" and (not after or after[0].isupper() or after[0] in '“"«„‘'):
            ends.add(span.close_at + 1)
    return "".join(chars), ends


def _sentences(masked: str, extra_ends: set[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for start, end in paragraphs(masked):
        cuts = {start + e for e in sentence_ends(masked[start:end])}
        cuts |= {e for e in extra_ends if start < e < end}
        begin = start
        for cut in [*sorted(cuts), end]:
            if masked[begin:cut].strip():
                found.append((begin, cut))
            begin = cut
    return found


def _subject(reader: _Reader, segment: str, pos: int) -> Entity | None:
    """The subject of a verb: the phrase right before it, preferring a name in apposition
    ("Ajmi Lourimi, a member of …, said") and skipping relative clauses."""
    chunks = [c.strip() for c in _CHUNK_SPLIT.split(segment) if c.strip()]
    fallback: Entity | None = None
    for depth, chunk in enumerate(reversed(chunks[-3:])):
        if _RELATIVE.match(chunk):
            continue
        entity = reader.resolve(clean_phrase(chunk), pos)
        if entity is None and depth == 0:
            return None
        if entity is None:
            break
        known = any(entity is m[1] for m in reader.mentions)
        fresh_description = entity.kind == "description" and not known
        if not fresh_description or depth == len(chunks) - 1:
            return entity if fallback is None or entity.kind != "description" else fallback
        fallback = fallback or entity
    return fallback


def attribute(body: str, spans: list[Span]) -> dict[int, Attribution]:
    """Attribution of every quotation in ``spans``, keyed by the offset of its opening mark."""
    masked, extra_ends = _mask(body, spans)
    reader = _Reader(build_index(masked))
    sentences = _sentences(masked, extra_ends)
    verbs: list[_Verb] = []
    for start, end in sentences:
        text = masked[start:end]
        lead = opening_name(text)
        if lead:
            entity = reader.resolve(lead, start)
            if entity is not None and entity.kind == "person":
                reader.mention(start, entity, spoke=False)
        _mention_names(reader, text, start)
        for match in _VERB_RE.finditer(text):
            pos = start + match.start()
            if _DETERMINER.search(text[: match.start()]):
                continue  # "the notes", "his say": a noun, not a verb
            after = masked[start + match.end() : end]
            if match.group("acc"):
                entity = reader.resolve(tokens_after(after, keep_of=True), pos)
            elif match.group("part"):
                entity = _participle_subject(reader, masked[start:pos], pos)
            else:
                clause = masked[start:pos]
                cut = clause.rfind(MASK)
                segment = clause[cut + 1 :]
                named_after = tokens_after(after)
                if segment.rstrip().endswith(",") and leading_name(named_after):
                    # "…, sagt SWR-Korrespondent Matthias Zahn": verb, then its subject
                    entity = reader.resolve(named_after, pos)
                else:
                    entity = _subject(reader, segment, pos)
                if entity is None and not segment.strip(" ,"):
                    entity = reader.resolve(named_after, pos)
            if entity is not None:
                reader.mention(pos, entity, spoke=True)
            verbs.append(_Verb(pos, start + match.end(), entity))
    return _assign(body, masked, spans, sentences, verbs, reader)


def _mention_names(reader: _Reader, text: str, start: int) -> None:
    """Every full name a sentence uses, where it stands ("El primer ministro polaco, el
    liberal Donald Tusk, anunció …"): the people a later role or "he" may mean."""
    fulls = {f for forms in reader.names.full.values() for f in forms}
    found = sorted((m.start(), f) for f in fulls for m in re.finditer(re.escape(f), text))
    for at, full in found:
        entity = reader.resolve(full.split(), start + at)
        if entity is not None and entity.kind == "person":
            reader.named.append((start + at, entity, False))


def _participle_subject(reader: _Reader, clause: str, pos: int) -> Entity | None:
    """ ", saying …": the subject of the sentence, a name if the sentence opens with one."""
    chunks = [c.strip() for c in _CHUNK_SPLIT.split(clause.split(MASK, maxsplit=1)[0]) if c.strip()]
    for chunk in chunks[:3]:
        tokens = clean_phrase(chunk)
        if tokens and len(name_run(tokens)) == len(tokens):
            return reader.resolve(tokens, pos)
    return reader.resolve(clean_phrase(chunks[0]), pos) if chunks else None


def _special_after(reader: _Reader, body: str, masked: str, span: Span, end: int) -> Entity | None:
    """Attributions after a quote that are not a verb with a subject before it."""
    after = masked[span.close_at + 1 : end]
    french = FR_INVERSION.match(after)
    if french:
        return reader.resolve([french.group(1)], span.close_at)
    if DE_SO.match(after):
        return reader.resolve(tokens_after(DE_SO.sub("", after)), span.close_at)
    if JA_VERB.match(after):
        sentence_start = masked.rfind("。", 0, span.open_at) + 1
        topic = JA_TOPIC.search(masked[sentence_start : span.open_at].rsplit("\n", maxsplit=1)[-1])
        if topic:
            entity = Entity(topic.group(1).lstrip("、"), "person")
            reader.mention(span.close_at, entity, spoke=True)
            return entity
    return None


def _where(ranges: list[tuple[int, int]], pos: int) -> int:
    for i, (start, end) in enumerate(ranges):
        if start <= pos < end:
            return i
    return -1


_INCISE = re.compile(r"\s[-–—]\s+([^-–—]{3,80}?)\s+[-–—]\s")


def _incise(reader: _Reader, body: str, span: Span) -> Entity | None:
    """The attribution inside the marks, between dashes: «Non si va al lavoro … - commenta
    Walter Artibani - Questa alterazione …»."""
    inside = _INCISE.search(body[span.open_at + 1 : span.close_at])
    verb = _VERB_RE.match(inside.group(1)) if inside else None
    if inside is None or verb is None:
        return None
    return reader.resolve(tokens_after(inside.group(1)[verb.end() :]), span.open_at)


def _earlier_in(start: int, pos: int, verbs: list[_Verb], reader: _Reader) -> Entity | None:
    """A quote opening its sentence mid-paragraph, with no speaker of its own: the speaker
    of the last verb of saying before it in the paragraph ("…, sagt Matthias Zahn. „…“"),
    else the last person the paragraph named before it ("Der Politikwissenschaftler Uwe Jun
    stellt … aus. „…“")."""
    said = [v.entity for v in verbs if start <= v.pos < pos and v.entity is not None]
    if said:
        return said[-1]
    met = sorted([*reader.mentions, *reader.named], key=lambda m: m[0])
    named = [e for at, e, _ in met if start <= at < pos and e.kind == "person"]
    return named[-1] if named else None


def _assign(  # noqa: PLR0912
    body: str,
    masked: str,
    spans: list[Span],
    sentences: list[tuple[int, int]],
    verbs: list[_Verb],
    reader: _Reader,
) -> dict[int, Attribution]:
    paras = paragraphs(body)
    # the last speaker of each paragraph, by position: a quote paragraph with no
    # attribution of its own takes it from the paragraph before
    last: dict[int, tuple[int, Entity]] = {}
    for verb in verbs:
        if verb.entity is not None:
            last[_where(paras, verb.pos)] = (verb.pos, verb.entity)
    named: dict[int, tuple[int, Entity]] = {}  # the last person a paragraph names
    for pos, who, _ in reader.mentions:
        if who.kind == "person":
            named[_where(paras, pos)] = (pos, who)
    result: dict[int, Attribution] = {}
    previous: dict[int, Entity] = {}  # paragraph -> speaker of its last attributed quote
    for span in sorted(spans, key=lambda s: s.open_at):
        s_open = (
            sentences[_where(sentences, span.open_at)]
            if _where(sentences, span.open_at) >= 0
            else (span.open_at, span.open_at)
        )
        s_close = (
            sentences[_where(sentences, span.close_at)]
            if _where(sentences, span.close_at) >= 0
            else (span.close_at, span.close_at + 1)
        )
        before = masked[s_open[0] : span.open_at]
        limit = masked.find(MASK, span.close_at + 1, s_close[1])
        limit = s_close[1] if limit < 0 else limit
        context = re.sub(MASK + "+", "…", before + MASK + masked[span.close_at + 1 : s_close[1]])
        if span.depth:
            result[span.open_at] = Attribution(None, "", context)
            continue
        entity: Entity | None = None
        kind = "direct"
        trailing = [
            v for v in verbs
            if span.close_at < v.pos < limit and v.entity is not None
            and len(masked[span.close_at + 1 : v.pos].split()) <= 12
        ]  # fmt: skip
        leading = [v for v in verbs if s_open[0] <= v.pos < span.open_at and v.entity is not None]
        if trailing:
            entity = trailing[0].entity
        else:
            entity = _special_after(reader, body, masked, span, limit)
        if entity is None and leading:
            entity = leading[-1].entity
        if entity is None:
            entity = _incise(reader, body, span)
        para = _where(paras, span.open_at)
        if entity is None and not before.strip(" :—–-" + MASK):
            kind = "inherited"
            entity = previous.get(para)
            if entity is None and para >= 0 and span.open_at > paras[para][0]:
                entity = _earlier_in(paras[para][0], span.open_at, verbs, reader)
            if entity is None and para > 0 and span.open_at == paras[para][0]:
                earlier = last.get(para - 1) or named.get(para - 1)
                entity = earlier[1] if earlier else None
        if entity is None:
            result[span.open_at] = Attribution(None, "", context)
            continue
        result[span.open_at] = Attribution(entity.name, kind, context, entity.kind)
        close_para = _where(paras, span.close_at)
        previous[close_para] = entity
        last[close_para] = (span.close_at, entity)
    return result
