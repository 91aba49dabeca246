"""Posts rendered from Jinja2 templates and fitted to each channel's limit."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from bot.editorial.length import LIMITS, measure
from bot.editorial.model import ArticleData, ChannelPost, Quote
from bot.errors import UsageError

REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def wa_escape(text: str) -> str:
    """Keep article text from switching on WhatsApp markup (*bold*, _italic_, ~strike~)."""
    # U+2063 (invisible separator) after a marker stops it pairing up; the words stay intact.
    for mark in ("*", "_", "~", "`"):
        text = text.replace(mark, mark + "\u2063")
    return text


def template_dirs(override: Path | None) -> list[Path]:
    dirs = [override] if override else []
    dirs += [Path.cwd() / "templates", REPO_TEMPLATES]
    return [d for d in dirs if d.is_dir()]


def make_environment(override: Path | None = None) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(override)]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain-text posts; WhatsApp markup is escaped by wa_escape
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wa_escape"] = wa_escape
    return env


class Renderer:
    def __init__(self, env: SandboxedEnvironment) -> None:
        self.env = env

    def render(
        self,
        channel: str,
        article: ArticleData,
        quote: Quote | None,
        hashtags: Sequence[str],
        title: str | None = None,
    ) -> str:
        name = f"posts/{channel}.txt.j2"
        try:
            template = self.env.get_template(name)
            text = template.render(
                channel=channel,
                title=title if title is not None else article.title,
                url=article.canonical_url or article.url,
                summary=article.summary or "",
                quote=quote.text if quote else None,
                speaker=quote.speaker if quote else None,
                hashtags=list(hashtags),
            )
        except jinja2.TemplateSyntaxError as exc:
            raise UsageError(
                f"template {exc.filename or name}, line {exc.lineno}: {exc.message}"
            ) from None
        except jinja2.TemplateNotFound:
            raise UsageError(f"template {name} not found (NEWSBOT_TEMPLATES_DIR)") from None
        except jinja2.UndefinedError as exc:
            raise UsageError(f"template {name}: {exc.message}") from None
        return "\n".join(line.rstrip() for line in text.strip().splitlines())

    def fit(
        self,
        channel: str,
        article: ArticleData,
        quotes: Sequence[Quote],
        hashtags: Sequence[str],
    ) -> ChannelPost:
        """Render and fit: drop hashtags, then shorter quotes, then no quote, then cut the title."""
        limit = LIMITS[channel]
        candidates: list[Quote | None] = [*quotes, None]
        for quote in candidates:
            for keep in range(len(hashtags), -1, -1):
                tags = tuple(hashtags[:keep])
                text = self.render(channel, article, quote, tags)
                length = measure(channel, text)
                if length <= limit:
                    return ChannelPost(channel, text, length, limit, quote, tags)
        title = article.title
        words = title.split()
        while words:
            words.pop()
            short = " ".join(words).rstrip(",;:") + "…"
            text = self.render(channel, article, None, (), title=short)
            length = measure(channel, text)
            if length <= limit:
                return ChannelPost(channel, text, length, limit, None, ())
        text = self.render(channel, article, None, (), title="")
        return ChannelPost(channel, text, measure(channel, text), limit, None, ())
