"""What trafilatura leaves out of a page's metadata: the displayed headline, the language,
a precise publication time, the keywords; read from the HTML head and the first <h1>."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

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
    #: the site's own names: og:site_name, application-name, twitter:site, the publisher
    site_names: tuple[str, ...] = ()


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
    sites = _meta(doc, "og:site_name", "application-name", "twitter:site")
    for item in _jsonld(doc):
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            sites.append(squash(publisher["name"]))
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
        site_names=tuple(dict.fromkeys(n.lstrip("@") for n in sites if n.strip("@ "))),
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


_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s+[|·•»]\s*|\s*::\s*")


def _letters(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in plain if c.isalnum())


def _is_site(part: str, sites: Iterable[str]) -> bool:
    """ "Aktuálně.cz" for aktualne.cz, "Seznam Zprávy" for seznamzpravy.cz, "BBC News"."""
    letters = _letters(part)
    if not letters:
        return False
    for site in sites:
        name = _letters(site)
        if name and (letters == name or (len(name) >= 4 and letters.startswith(name))):
            return True
        if name and len(letters) >= 4 and name.startswith(letters):
            return True
    return False


def site_names(meta: PageMeta, url: str = "") -> list[str]:
    """The site's names from the page, and its host ("www.tagesschau.de" → "tagesschau")."""
    names = list(meta.site_names)
    host = urlsplit(url or meta.canonical or "").hostname or ""
    labels = [p for p in host.split(".") if p not in ("www", "m", "amp", "mobile")]
    if len(labels) >= 2:
        names.extend([labels[-2], "".join(labels[:-1]), ".".join(labels)])
    return names


def strip_site_suffix(title: str, sites: Iterable[str] = ()) -> str:
    """``Headline - Site`` and ``Site | Headline``: the headline without the site's own
    name. Only a part that names the site goes: a place, a dateline or a section before a
    dash is part of the headline ("Zwei Rücktritte - und viele offene Fragen")."""
    sites = list(sites)
    parts = _SEPARATOR.split(title)
    if len(parts) < 2 or not sites:
        return title
    if _is_site(parts[-1], sites):
        return title[: title.rfind(parts[-1])].rstrip(" |–—-·•»:")
    if _is_site(parts[0], sites):
        return title[len(parts[0]) :].lstrip(" |–—-·•»:")
    return title


def _kicker_kept(h1: str, reference: str) -> str:
    """The <h1> as shown, unless its kicker and headline run together where the metadata
    title separates them ("Ausschuss zur Ahrtal-Flut Zwei Rücktritte" on the page, with a
    colon in og:title): then the title with its separator."""
    if ":" in reference and ":" not in h1:
        return reference
    return h1


def displayed_headline(meta: PageMeta, extracted: str, url: str = "") -> str:
    """The <h1> when it is the article's headline (it is what readers see); otherwise the
    metadata title without the site's name."""
    sites = site_names(meta, url)
    references = [strip_site_suffix(t, sites) for t in (*meta.meta_titles, extracted) if t]
    for h1 in meta.headlines:
        for ref in references:
            if same_words(h1, ref):
                return _kicker_kept(h1, ref)
    return strip_site_suffix(extracted, sites) if extracted else next(iter(references), "")
