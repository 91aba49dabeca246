"""Feed content (an HTML fragment) to paragraph text, with lxml alone.

A feed's own content is clean markup: paragraphs, headings, lists, quotes. Reading it
needs no boilerplate removal, so trafilatura (and its ~25 MB) is kept for article pages.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from bot.editorial.text import clean_body

#: elements whose text is a paragraph of its own
_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt",
     "figcaption", "td", "th", "div", "section", "article", "header", "footer", "aside"}
)  # fmt: skip
_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "form")


def _paragraphs(element: etree._Element, out: list[str], current: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    block = tag.lower() in _BLOCKS
    if block and current:
        out.append("".join(current))
        current.clear()
    if tag.lower() == "br":
        out.append("".join(current))
        current.clear()
    if element.text:
        current.append(element.text)
    for child in element:
        _paragraphs(child, out, current)
        if child.tail:
            current.append(child.tail)
    if block and current:
        out.append("".join(current))
        current.clear()


#: a feed's own call to action at the end of an excerpt ("Continue reading...", "Read more »")
_CALL_TO_ACTION = re.compile(
    r"^(?:continue reading|read more|read the (?:full|rest of the) (?:story|article)|"
    r"full story|related:.*)\W*$",
    re.IGNORECASE,
)


def fragment_to_text(html: str) -> str:
    """Paragraph text of an HTML fragment, a blank line between paragraphs."""
    if "<" not in html:
        return clean_body(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_body(html)
    for bad in root.iter(*_DROP):
        bad.drop_tree()
    out: list[str] = []
    current: list[str] = []
    _paragraphs(root, out, current)
    if current:
        out.append("".join(current))
    paragraphs = [" ".join(p.split()) for p in out]
    kept = [p for p in paragraphs if p and not _CALL_TO_ACTION.match(p)]
    return clean_body("\n\n".join(kept))
