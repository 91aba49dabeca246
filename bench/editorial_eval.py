"""Editorial quality on real articles and feeds: ``python -m bench.editorial_eval``.

Runs the real entry points (``articles_from_source`` → ``Editor.draft``) over the labelled
fixtures in ``tests/data/fixtures`` (labels.json: articles with every quotation labelled;
feeds.json: real feeds, drafted from the feed's own text) and prints one table. Quotes are
compared as the fixtures' README says: whitespace collapsed, soft hyphens removed,
surrounding quotation marks stripped, a trailing , . ; or : ignored. A speaker is right when
it equals the label's speaker or one of its aliases (case, a leading article and
punctuation aside).

Checks made against the page itself, not against our own extraction: a key quote is
*verbatim* when each of its parts occurs in the page's visible text, and *complete* when a
quotation mark stands right before its first part and right after its last.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html

from bot.editorial.compose import Editor
from bot.editorial.model import Draft, Quote
from bot.http import make_client
from bot.sources.articles import articles_from_source
from tests.paths import FIXTURES

OPENING = "“\"‘'«»„‚‹›「『"
CLOSING = "”\"’'»«“‘›‹」』"
PAGE_LIMIT = 10 * 1024 * 1024


def norm_quote(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()
    text = text.strip(OPENING + CLOSING + " ")
    return text[:-1] if text[-1:] in ",.;:" else text


def norm_speaker(name: str) -> str:
    words = re.findall(r"[^\W_]+", name.casefold().replace("’", "'"))
    while words and words[0] in {"the", "a", "an", "le", "la", "les", "l"}:
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
    return any(
        source[m.end() :].lstrip()[:1] in CLOSING and source[m.end() :].lstrip()[:1] != ""
        for m in re.finditer(re.escape(last), source)
    )


@dataclass
class Case:
    label: dict[str, Any] | None
    draft: Draft
    source: str


def _drafts(editor: Editor) -> Iterator[Case]:
    labels = json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8"))
    feeds = json.loads((FIXTURES / "feeds.json").read_text(encoding="utf-8"))
    with make_client() as client:
        for label in labels:
            path = (FIXTURES / label["file"]).resolve()
            (article,) = articles_from_source(str(path), client, "never", PAGE_LIMIT)
            yield Case(label, editor.draft(article, ["x", "whatsapp"]), visible_text(path))
        for feed in feeds:
            path = (FIXTURES / feed["file"]).resolve()
            for article in articles_from_source(str(path), client, "never", PAGE_LIMIT):
                source = re.sub(r"\s+", " ", article.body)
                yield Case(None, editor.draft(article, ["x", "whatsapp"]), source)


def _row(name: str, value: float, unit: str, target: str | None, ok: bool | None) -> dict[str, Any]:
    return {
        "name": name,
        "value": round(value, 1) if unit == "%" else value,
        "unit": unit,
        "baseline": None,
        "ratio": None,
        "target": target,
        "pass": ok,
    }


def _share(hits: int, total: int) -> float:
    return 100.0 * hits / total if total else 100.0


def evaluate() -> list[dict[str, Any]]:
    cases = list(_drafts(Editor({"x": 2, "whatsapp": 3})))
    labelled = [c for c in cases if c.label is not None]
    titles = sum(
        re.sub(r"\s+", " ", c.draft.article.title).strip()
        in {c.label["title"], *c.label.get("title_alternatives", [])}
        for c in labelled
        if c.label
    )
    keyed = [c for c in cases if c.draft.key_quote is not None]
    verbatim_ok = [c for c in keyed if c.draft.key_quote and verbatim(c.draft.key_quote, c.source)]
    complete_ok = [
        c for c in verbatim_ok if c.draft.key_quote and complete(c.draft.key_quote, c.source)
    ]
    matched = best = speaker_ok = labelled_keys = 0
    found = speakers_right = total_quotes = 0
    for case in labelled:
        assert case.label is not None
        quotes = case.label["quotes"]
        by_text = {norm_quote(q["text"]): q for q in quotes}
        best_texts = {norm_quote(quotes[i]["text"]) for i in case.label["best_quote_candidates"]}
        ours = {norm_quote(q.text): q for q in case.draft.quotes}
        for text, q in by_text.items():
            total_quotes += 1
            if text in ours:
                found += 1
                names = {norm_speaker(n) for n in [q["speaker"], *q.get("speaker_aliases", [])]}
                speakers_right += norm_speaker(ours[text].speaker or "") in names
        key = case.draft.key_quote
        if key is None:
            continue
        labelled_keys += 1
        hit = by_text.get(norm_quote(key.text))
        matched += hit is not None
        best += norm_quote(key.text) in best_texts
        if hit is not None:
            names = {norm_speaker(n) for n in [hit["speaker"], *hit.get("speaker_aliases", [])]}
            speaker_ok += norm_speaker(key.speaker or "") in names
    no_quote = [c for c in labelled if c.label and not c.label["best_quote_candidates"]]
    no_quote_ok = sum(c.draft.key_quote is None for c in no_quote)
    posts = {
        ch: [p for c in cases for p in c.draft.posts if p.channel == ch] for ch in ("x", "whatsapp")
    }
    invented = len(keyed) - len(verbatim_ok)
    return [
        _row(
            "title accuracy",
            _share(titles, len(labelled)),
            "%",
            ">= 95",
            _share(titles, len(labelled)) >= 95,
        ),
        _row(
            "key quotes verbatim and complete",
            _share(len(complete_ok), len(keyed)),
            "%",
            "100",
            len(complete_ok) == len(keyed),
        ),
        _row("invented key quotes", invented, "count", "0", invented == 0),
        _row("key quote matches a labelled quote", _share(matched, labelled_keys), "%", None, None),
        _row(
            "key quote is a labelled best candidate", _share(best, labelled_keys), "%", None, None
        ),
        _row(
            "key quote speaker accuracy",
            _share(speaker_ok, matched),
            "%",
            ">= 80",
            _share(speaker_ok, matched) >= 80,
        ),
        _row(
            "speaker accuracy, all labelled quotes found",
            _share(speakers_right, found),
            "%",
            ">= 80",
            _share(speakers_right, found) >= 80,
        ),
        _row("labelled quotes found", _share(found, total_quotes), "%", None, None),
        _row(
            "no key quote where none is usable",
            _share(no_quote_ok, len(no_quote)),
            "%",
            "100",
            no_quote_ok == len(no_quote),
        ),
        _row(
            "X posts that fit",
            _share(sum(p.fits for p in posts["x"]), len(posts["x"])),
            "%",
            "100",
            all(p.fits for p in posts["x"]),
        ),
        _row(
            "WhatsApp posts that fit",
            _share(sum(p.fits for p in posts["whatsapp"]), len(posts["whatsapp"])),
            "%",
            "100",
            all(p.fits for p in posts["whatsapp"]),
        ),
        _row("articles drafted (labelled + feed items)", len(cases), "count", None, None),
    ]


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'metric':46} {'value':>9}  {'target':>7}  pass"]
    for r in rows:
        value = f"{r['value']}{' %' if r['unit'] == '%' else ''}"
        ok = "" if r["pass"] is None else ("yes" if r["pass"] else "NO")
        lines.append(f"{r['name']:46} {value:>9}  {r['target'] or '':>7}  {ok}")
    return "\n".join(lines)


def main() -> int:
    rows = evaluate()
    print(table(rows))
    return 0 if all(r["pass"] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
