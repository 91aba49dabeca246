"""Editorial quality on real articles and feeds: ``python -m bench.editorial_eval``.

Runs the real entry points (``articles_from_source`` → ``Editor.draft``) over the labelled
fixtures in ``tests/data/fixtures``: the first set (``labels.json`` and ``feeds.json``)
and the multilingual set (``labels-multilingual.json``: Spanish, Portuguese, German,
French, Czech and Italian pages from open-source extraction test suites). Prints the
overall table, then one line per language. How quotes, speakers and hashtags are judged:
``bench/editorial_checks.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.editorial_checks import (
    complete,
    generic,
    grounded,
    norm_quote,
    norm_speaker,
    same_quote,
    shouting,
    verbatim,
    visible_text,
)
from bot.channels.registry import FORMATS
from bot.editorial.compose import Editor
from bot.editorial.model import Draft
from bot.http import make_client
from bot.sources.articles import articles_from_source
from tests.paths import FIXTURES

PAGE_LIMIT = 10 * 1024 * 1024
CHANNELS = ("x", "whatsapp")


@dataclass
class Case:
    label: dict[str, Any] | None
    draft: Draft
    source: str
    language: str


def _labelled(folder: Path, name: str) -> Iterator[tuple[dict[str, Any], Path]]:
    path = folder / name
    if path.is_file():
        for label in json.loads(path.read_text(encoding="utf-8")):
            yield label, (folder / label["file"]).resolve()


def _drafts(editor: Editor) -> Iterator[Case]:
    feeds = json.loads((FIXTURES / "feeds.json").read_text(encoding="utf-8"))
    labelled = [
        *_labelled(FIXTURES, "labels.json"),
        *_labelled(FIXTURES, "labels-multilingual.json"),
    ]
    with make_client() as client:
        for label, path in labelled:
            (article,) = articles_from_source(str(path), client, "never", PAGE_LIMIT)
            draft = editor.draft(article, list(CHANNELS))
            yield Case(label, draft, visible_text(path), label["language"])
        for feed in feeds:
            path = (FIXTURES / feed["file"]).resolve()
            for article in articles_from_source(str(path), client, "never", PAGE_LIMIT):
                source = re.sub(r"\s+", " ", article.body)
                yield Case(None, editor.draft(article, list(CHANNELS)), source, "feeds")


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


def _names(quote: dict[str, Any]) -> set[str]:
    return {norm_speaker(n) for n in [quote["speaker"], *quote.get("speaker_aliases", [])]}


def measure(cases: list[Case]) -> dict[str, tuple[int, int]]:
    """Each metric as (hits, total) over ``cases``."""
    m: dict[str, list[int]] = {}

    def add(name: str, hit: bool, total: int = 1) -> None:
        pair = m.setdefault(name, [0, 0])
        pair[0] += int(hit)
        pair[1] += total

    for case in cases:
        draft, label = case.draft, case.label
        key = draft.key_quote
        if key is not None:
            ok = verbatim(key, case.source)
            add("verbatim", ok and complete(key, case.source))
            add("invented", not ok)
        ground = f"{draft.article.title}\n{draft.article.summary or ''}\n{draft.article.body}"
        for post in draft.posts:
            add("hashtags on posts", bool(post.hashtags))
            for tag in post.hashtags:
                add("hashtags grounded", grounded(tag, ground))
                add("hashtags generic or shouting", generic(tag) or shouting(tag))
            m.setdefault("hashtags per post", [0, 0])
            m["hashtags per post"][0] += len(post.hashtags)
            m["hashtags per post"][1] += 1
        if label is None:
            continue
        title = re.sub(r"\s+", " ", draft.article.title).strip()
        add("title", title in {label["title"], *label.get("title_alternatives", [])})
        quotes = label["quotes"]
        by_text = {norm_quote(q["text"]): q for q in quotes}
        ours = {norm_quote(q.text): q for q in draft.quotes}
        for text, q in by_text.items():
            add("labelled quotes found", text in ours)
            if text in ours:
                add("speaker, all quotes", norm_speaker(ours[text].speaker or "") in _names(q))
        best = [quotes[i]["text"] for i in label["best_quote_candidates"]]
        if not best:
            add("no key quote where none is usable", key is None)
            continue
        hit = next((q for q in quotes if key and same_quote(key.text, q["text"])), None)
        add("quote chosen", hit is not None)
        add("editor's pick", key is not None and any(same_quote(key.text, b) for b in best))
        if key is not None and hit is not None:
            add("speaker", norm_speaker(key.speaker or "") in _names(hit))
    return {k: (v[0], v[1]) for k, v in m.items()}


#: metric → (target as printed, test on the share or count)
TARGETS: dict[str, tuple[str, Any]] = {
    "title": (">= 95", lambda v: v >= 95),
    "quote chosen": (">= 95", lambda v: v >= 95),
    "editor's pick": (">= 80", lambda v: v >= 80),
    "speaker": (">= 95", lambda v: v >= 95),
    "hashtags on posts": (">= 95", lambda v: v >= 95),
    "hashtags grounded": ("100", lambda v: v >= 100),
    "verbatim": ("100", lambda v: v >= 100),
    "invented": ("0", lambda v: v == 0),
    "no key quote where none is usable": ("100", lambda v: v >= 100),
}
COLUMNS = [
    "title",
    "quote chosen",
    "editor's pick",
    "speaker",
    "speaker, all quotes",
    "labelled quotes found",
    "no key quote where none is usable",
    "hashtags on posts",
    "hashtags per post",
    "hashtags grounded",
    "hashtags generic or shouting",
    "verbatim",
    "invented",
]


def _value(name: str, hits: int, total: int) -> tuple[float, str]:
    if name == "invented":
        return float(hits), "count"
    if name == "hashtags per post":
        return round(hits / total, 2) if total else 0.0, "count"
    return _share(hits, total), "%"


def evaluate() -> list[dict[str, Any]]:
    cases = list(_drafts(Editor(FORMATS, {"x": 2, "whatsapp": 3})))
    rows = []
    overall = measure(cases)
    for name in COLUMNS:
        if name not in overall:
            continue
        value, unit = _value(name, *overall[name])
        target, test = TARGETS.get(name, (None, None))
        rows.append(_row(name, value, unit, target, test(value) if test else None))
    for ch in CHANNELS:
        posts = [p for c in cases for p in c.draft.posts if p.channel == ch]
        share = _share(sum(p.fits for p in posts), len(posts))
        rows.append(_row(f"{ch} posts that fit", share, "%", "100", share >= 100))
    rows.append(_row("articles drafted (labelled + feed items)", len(cases), "count", None, None))
    for lang in sorted({c.language for c in cases}):
        for name, (hits, total) in measure([c for c in cases if c.language == lang]).items():
            value, unit = _value(name, hits, total)
            rows.append(_row(f"{lang}: {name}", value, unit, None, None))
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'metric':46} {'value':>9}  {'target':>7}  pass"]
    for r in rows:
        if ": " in r["name"]:
            continue
        value = f"{r['value']}{' %' if r['unit'] == '%' else ''}"
        ok = "" if r["pass"] is None else ("yes" if r["pass"] else "NO")
        lines.append(f"{r['name']:46} {value:>9}  {r['target'] or '':>7}  {ok}")
    return "\n".join(lines)


SHORT = {
    "title": "title",
    "quote chosen": "quote",
    "editor's pick": "pick",
    "speaker": "speaker",
    "speaker, all quotes": "spk all",
    "labelled quotes found": "found",
    "no key quote where none is usable": "none ok",
    "hashtags on posts": "#on",
    "hashtags per post": "#/post",
    "hashtags grounded": "#grnd",
    "hashtags generic or shouting": "#bad",
    "verbatim": "verb",
    "invented": "inv",
}


def language_table(rows: list[dict[str, Any]]) -> str:
    """One line per language: the per-language rows of ``evaluate`` side by side."""
    cells: dict[str, dict[str, str]] = {}
    for r in rows:
        if ": " in r["name"]:
            lang, name = r["name"].split(": ", 1)
            cells.setdefault(lang, {})[name] = str(r["value"])
    head = f"{'lang':6}" + "".join(f"{SHORT[c]:>8}" for c in COLUMNS)
    lines = [head]
    for lang, values in cells.items():
        lines.append(f"{lang:6}" + "".join(f"{values.get(c, '-'):>8}" for c in COLUMNS))
    return "\n".join(lines)


def main() -> int:
    rows = evaluate()
    print(table(rows))
    print()
    print(language_table(rows))
    return 0 if all(r["pass"] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
