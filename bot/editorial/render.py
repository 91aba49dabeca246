"""Posts rendered from Jinja2 templates and fitted to each channel's limit.

Each channel's text format (its limit, its count, its escaping: ``bot.editorial.format``)
is handed in; a channel without one is an error, never another channel's rules.
Templates live in ``templates/posts/<channel>.txt.j2``; a newsroom overrides them with
``NEWSBOT_TEMPLATES_DIR`` (same relative names). They run sandboxed with StrictUndefined,
so a typo in a variable name is an error that names the template file and line, not an
empty line in a published post.

Fitting, when a post is over the channel's limit: drop hashtags one by one (last first), then
try the shorter candidate quotes, then no quote; as a last resort shorten the headline at a
word boundary and end it with "…". The link is never dropped and a quote is never cut.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from bot.editorial.format import TextFormat
from bot.editorial.model import ArticleData, ChannelPost, Quote
from bot.editorial.standfirst import standfirst
from bot.editorial.templates import template_dirs
from bot.editorial.text import is_cjk
from bot.errors import UsageError

ELLIPSIS = "…"

#: the quotation marks a post puts around a quote, by the article's language
QUOTE_MARKS = {
    "fr": ("« ", " »"),
    "de": ("„", "“"),
    "ja": ("「", "」"),
    "zh": ("「", "」"),
    "ru": ("«", "»"),
    "pl": ("„", "”"),
}
DEFAULT_MARKS = ("“", "”")


def make_environment(override: Path | None = None) -> SandboxedEnvironment:
    if override is not None and not override.is_dir():
        raise UsageError(f"NEWSBOT_TEMPLATES_DIR: {override} is not a directory")
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(override)]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain-text posts; each channel's markup is escaped before rendering
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["standfirst"] = standfirst  # {{ summary | standfirst }}: its first paragraph
    return env


def _template_line(exc: BaseException, filename: str | None) -> int | None:
    """The template line an error was raised on (Jinja2 rewrites tracebacks to point there)."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if filename and frame.filename == filename:
            line = frame.lineno
    return line


@dataclass(frozen=True)
class Fitted:
    text: str
    length: int
    quote: Quote | None
    hashtags: tuple[str, ...]


class Renderer:
    def __init__(self, env: SandboxedEnvironment, formats: Mapping[str, TextFormat]) -> None:
        self.env = env
        self.formats = dict(formats)

    def format(self, channel: str) -> TextFormat:
        try:
            return self.formats[channel]
        except KeyError:
            raise UsageError(f"no text format for channel {channel!r}") from None

    def _template(self, channel: str) -> jinja2.Template:
        name = f"posts/{channel}.txt.j2"
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or name
            raise UsageError(f"template {where}, line {exc.lineno}: {exc.message}") from None
        except jinja2.TemplateNotFound:
            raise UsageError(f"template {name} not found (NEWSBOT_TEMPLATES_DIR)") from None

    def render(
        self,
        channel: str,
        article: ArticleData,
        quote: Quote | None,
        hashtags: Sequence[str],
        title: str | None = None,
    ) -> str:
        template = self._template(channel)
        values = _values(self.format(channel), article, quote, hashtags, title)
        try:
            text = template.render(**values)
        except jinja2.TemplateError as exc:
            line = _template_line(exc, template.filename)
            where = template.filename or f"posts/{channel}.txt.j2"
            at = f", line {line}" if line else ""
            raise UsageError(f"template {where}{at}: {exc}") from None
        lines = [line.rstrip() for line in text.strip().splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))

    def fit(
        self,
        channel: str,
        article: ArticleData,
        quotes: Sequence[Quote],
        hashtags: Sequence[str],
    ) -> ChannelPost:
        """The first version that fits, in the order: all hashtags → fewer → shorter
        quotes → no quote → shortened headline."""
        fmt = self.format(channel)
        limit = fmt.limit
        shorter: list[Quote] = []
        for candidate in quotes:  # the key quote, then each one shorter than the last tried
            if not shorter or len(candidate.text) < len(shorter[-1].text):
                shorter.append(candidate)
        options: list[Quote | None] = [*shorter, None]
        for quote in options:
            for keep in range(len(hashtags), -1, -1):
                tags = tuple(hashtags[:keep])
                text = self.render(channel, article, quote, tags)
                length = fmt.measure(text)
                if length <= limit:
                    return ChannelPost(channel, text, length, limit, quote, tags)
        if article.summary:  # a long standfirst goes before the headline is touched
            return self.fit(channel, replace(article, summary=None), [], ())
        return self._shorten_headline(channel, article, limit)

    def _shorten_headline(self, channel: str, article: ArticleData, limit: int) -> ChannelPost:
        cuts = word_cuts(article.title)
        best = self.render(channel, article, None, (), title="")
        low, high = 0, len(cuts) - 1
        while low <= high:  # the longest prefix that fits; length grows with the prefix
            middle = (low + high) // 2
            short = article.title[: cuts[middle]].rstrip(" ,;:–—-") + ELLIPSIS
            text = self.render(channel, article, None, (), title=short)
            if self.format(channel).measure(text) <= limit:
                best, low = text, middle + 1
            else:
                high = middle - 1
        return ChannelPost(channel, best, self.format(channel).measure(best), limit, None, ())


def word_cuts(title: str) -> list[int]:
    """Offsets where a headline may be cut: before a space, or between two CJK characters
    (those scripts do not separate words). A headline with neither is cut nowhere but after
    its first character, so a post always fits."""
    cuts = [i for i in range(1, len(title)) if title[i].isspace() and not title[i - 1].isspace()]
    cuts += [i for i in range(1, len(title)) if is_cjk(title[i - 1]) and is_cjk(title[i])]
    return sorted(set(cuts)) or ([1] if len(title) > 1 else [])


def quote_in_post(text: str) -> str:
    """The quote as a post shows it: the article's characters, less one trailing comma,
    semicolon or colon that belonged to the sentence around it (“…,” he said). No word is
    touched, so the post's quote is still a substring of the article."""
    return text[:-1] if text[-1:] in ",;:" and len(text) > 1 else text


def _values(
    fmt: TextFormat,
    article: ArticleData,
    quote: Quote | None,
    hashtags: Sequence[str],
    title: str | None,
) -> dict[str, Any]:
    esc = fmt.escape
    opening, closing = QUOTE_MARKS.get(article.language or "", DEFAULT_MARKS)
    return {
        "channel": fmt.name,
        "title": esc(title if title is not None else article.title),
        "url": article.canonical_url or article.url,
        "summary": esc(article.summary or ""),
        "author": esc(article.author or ""),
        "quote": esc(quote_in_post(quote.text)) if quote else None,
        "speaker": esc(quote.speaker) if quote and quote.speaker else None,
        "open_quote": opening,
        "close_quote": closing,
        "hashtags": [esc(t) for t in hashtags],
        "language": article.language or "",
    }
