"""What trafilatura leaves out of a page's metadata: the displayed headline, the language,
a precise publication time, the keywords; read from the HTML head and the first <h1>."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from bot.editorial.text import casefold_words, squash


@dataclass(frozen=True)
class PageMeta:
    headlines: tuple[str, ...] = ()  # the <h1> texts, in document order
    meta_titles: tuple[str, ...] = ()  # og:title, twitter:title, JSON-LD headline, <title>
    language: str | None = None
    published: str | None = None
    keywords: tuple[str, ...] = ()
    canonical: str | None = None
    authors: tuple[str, ...] = field(default_factory=tuple)


def _meta(doc: Any, *names: str) -> list[str]:
    found: list[str] = []
    for node in doc.iter("meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").lower()
        if key in names and node.get("content"):
            found.append(squash(node.get("content")))
    return found


def _jsonld(doc: Any) -> Iterator[dict[str, Any]]:
    for node in doc.iter("script"):
        if (node.get("type") or "").lower() != "application/ld+json" or not node.text:
            continue
        try:
            data = json.loads(node.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(v for k, v in item.items() if k == "@graph")
                yield item


def _split_keywords(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(k.strip() for k in re.split(r"[,;]", value) if k.strip())
    return list(dict.fromkeys(out))


def read_meta(html: str) -> PageMeta:
    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return PageMeta()
    headlines = tuple(squash(h.text_content()) for h in doc.iter("h1") if squash(h.text_content()))
    titles = _meta(doc, "og:title", "twitter:title")
    published = _meta(doc, "article:published_time", "datepublished", "date", "dc.date.issued")
    authors = _meta(doc, "author", "article:author", "dc.creator")
    keywords = _meta(doc, "news_keywords", "keywords", "article:tag")
    for item in _jsonld(doc):
        if isinstance(item.get("headline"), str):
            titles.append(squash(item["headline"]))
        if isinstance(item.get("datePublished"), str):
            published.insert(0, item["datePublished"])
        if isinstance(item.get("keywords"), str):
            keywords.append(item["keywords"])
    title_node = doc.find(".//title")
    if title_node is not None and title_node.text_content().strip():
        titles.append(squash(title_node.text_content()))
    lang = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = lang or next(iter(_meta(doc, "og:locale", "content-language", "language")), None)
    canonical = None
    for link in doc.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            canonical = link.get("href").strip()
            break
    canonical = canonical or next(iter(_meta(doc, "og:url")), None)
    return PageMeta(
        headlines=headlines,
        meta_titles=tuple(dict.fromkeys(titles)),
        language=primary_language(lang),
        published=published[0] if published else None,
        keywords=tuple(_split_keywords(keywords)),
        canonical=canonical,
        authors=tuple(authors),
    )


def primary_language(tag: str | None) -> str | None:
    """``en-AU`` and ``en_AU`` give ``en``."""
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def same_words(a: str, b: str) -> bool:
    """The same words in the same order, whatever the punctuation and quote styles."""
    return bool(casefold_words(a)) and casefold_words(a) == casefold_words(b)


def strip_site_suffix(title: str) -> str:
    """``Headline - Site`` and ``Headline | Site``: the headline without the site's name."""
    parts = re.split(r"\s+[|–—-]\s+|\s+[|·•»]\s*", title)
    return max(parts, key=len) if len(parts) > 1 else title


def displayed_headline(meta: PageMeta, extracted: str) -> str:
    """The <h1> when it is the article's headline (it is what readers see); otherwise the
    metadata title without a site suffix."""
    references = [strip_site_suffix(t) for t in (*meta.meta_titles, extracted) if t]
    for h1 in meta.headlines:
        if any(same_words(h1, ref) for ref in references):
            return h1
    return strip_site_suffix(extracted) if extracted else next(iter(references), "")
