"""Where the quotation marks of a text open and close.

One scanner for the marks of many languages: “…” and "…" (English), ‘…’ (British, or inside
double quotes), « … » and ‹ … › (French), „…“ and »…« (German), „…” (Polish, Dutch), ”…”
(Swedish), 「…」 and 『…』 (Japanese, Chinese). Marks nest; a quote that runs over several
paragraphs follows the usual convention (no closing mark at the end of a paragraph, a new
opening mark at the start of the next). An opening mark that never closes is not a quote:
it is skipped and the paragraph is read again without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.editorial.text import paragraphs

# opening mark -> the marks that may close it
_CLOSERS: dict[str, str] = {
    "“": "”",
    "„": "“”",
    "«": "»",
    "‹": "›",
    "»": "«",
    "›": "‹",
    "「": "」",
    "『": "』",
    '"': '"',
    "‘": "’",
    "‚": "‘’",
    "'": "'",
    "”": "”",
}
_ALL_MARKS = set(_CLOSERS) | set("".join(_CLOSERS.values()))
_DOUBLE = set('“„«»”"「')
_OPEN_BEFORE = set("([{—–-/:") | set("“„«»‹›「『\"‘‚'")


@dataclass(frozen=True)
class Span:
    """One quotation: the offsets of its text (marks excluded) in each paragraph it spans."""

    parts: tuple[tuple[int, int], ...]
    mark: str
    open_at: int  # offset of the opening mark
    close_at: int  # offset of the closing mark
    depth: int = 0

    @property
    def start(self) -> int:
        return self.parts[0][0]


def _opens(text: str, i: int, char: str) -> bool:
    """Is ``char`` at ``i`` placed like an opening mark (boundary before, text after)?"""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace() and char not in "«‹":
        return False
    if char in "「『„‚«‹":
        return True
    return before.isspace() or before in _OPEN_BEFORE


def _closes(text: str, i: int, char: str) -> bool:
    """Is ``char`` at ``i`` placed like a closing mark (text before, boundary after)?"""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if char in "」』»«›‹“”":
        return True
    if before.isspace():
        return False
    if char in "’'" and (after.isalnum() or _plural_possessive(text, i)):
        return False
    return not after.isalnum()


def _plural_possessive(text: str, i: int) -> bool:
    """``workers’ union``: an apostrophe after -s, followed by a lower-case word."""
    rest = text[i + 1 : i + 3]
    return text[i - 1 : i] == "s" and len(rest) == 2 and rest[0] == " " and rest[1].islower()


@dataclass(frozen=True)
class _Open:
    mark: str
    at: int  # absolute offset of the opening mark
    depth: int
    start: int  # absolute offset where the quoted text (of the current paragraph) starts
    para: int  # index of the paragraph where the quote opened
    parts: tuple[tuple[int, int], ...] = ()


def _trimmed(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def _scan(
    body: str, para: tuple[int, int], index: int, carried: _Open | None, skip: set[int]
) -> tuple[list[Span], _Open | None, int | None]:
    """Scan one paragraph. Returns the closed spans, the outer quote left open, and the
    offset of a failed inner opening mark (to skip on a second reading), if any."""
    start, end = para
    text = body[start:end]
    spans: list[Span] = []
    stack: list[_Open] = [carried] if carried else []
    first = carried.start if carried else start
    for i, char in enumerate(text):
        pos = start + i
        if pos < first or pos in skip or char not in _ALL_MARKS:
            continue
        top = stack[-1] if stack else None
        if top and char in _CLOSERS[top.mark] and _closes(text, i, char):
            stack.pop()
            part = _trimmed(body, top.start, pos)
            spans.append(Span((*top.parts, part), top.mark, top.at, pos, top.depth))
            continue
        if char not in _CLOSERS or not _opens(text, i, char):
            continue
        if char == "'" and not (top and top.mark in _DOUBLE):
            continue  # straight single quotes only as quotes inside quotes
        if char in "»›”" and top and top.mark not in "»›”":
            continue  # a closing mark of another style, not a reversed opener
        stack.append(_Open(char, pos, len(stack), pos + 1, index))
    if not stack:
        return spans, None, None
    if len(stack) > 1:
        return spans, None, stack[1].at  # an inner mark never closed: read again without it
    outer = stack[0]
    left = _Open(
        outer.mark,
        outer.at,
        0,
        outer.start,
        outer.para,
        (*outer.parts, _trimmed(body, outer.start, end)),
    )
    return spans, left, None


def find_spans(body: str) -> list[Span]:
    """Every quotation in ``body``, outer and nested, in reading order."""
    paras = paragraphs(body)
    skip: set[int] = set()
    found: dict[int, list[Span]] = {}
    carried_in: dict[int, _Open | None] = {}
    index = 0
    carried: _Open | None = None
    while index < len(paras):
        carried_in[index] = carried
        spans, left, failed = _scan(body, paras[index], index, carried, skip)
        if failed is not None:
            skip.add(failed)  # same paragraph again, without that mark
            continue
        if left is not None and index + 1 < len(paras):
            nxt = paras[index + 1][0]
            if _reopens(left.mark, body[nxt]):
                # the quote goes on: the next paragraph's opening mark is not a new quote
                found[index] = spans
                carried = _Open(left.mark, left.at, 0, nxt + 1, left.para, left.parts)
                index += 1
                continue
        if left is not None:
            # never closed: not a quote; read again from where it opened, without that mark
            skip.add(left.at)
            for k in range(left.para, index + 1):
                found.pop(k, None)
            index = left.para
            carried = carried_in[index]
            continue
        found[index] = spans
        carried = None
        index += 1
    result = [span for k in sorted(found) for span in found[k]]
    result.sort(key=lambda s: (s.open_at, s.depth))
    return result


def _reopens(mark: str, char: str) -> bool:
    """A paragraph that opens with the same mark continues the quote (French may use »)."""
    return char == mark or (mark, char) in {("«", "»"), ("„", "»")}
