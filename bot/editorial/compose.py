"""From an article to its drafts: quotes, key quote, hashtags, one fitted post per channel."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from bot.editorial.hashtags import hashtags_for
from bot.editorial.model import ArticleData, ChannelPost, Draft, Quote
from bot.editorial.quotes import choose_key_quote, find_quotes
from bot.editorial.render import Renderer, make_environment
from bot.errors import UsageError


def load_hashtag_map(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"NEWSBOT_HASHTAGS_FILE: {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"NEWSBOT_HASHTAGS_FILE: {path} is not valid TOML ({exc})") from None
    table = data.get("hashtags", data)
    return {str(k): str(v) for k, v in table.items() if isinstance(v, str)}


class Editor:
    def __init__(
        self,
        max_hashtags: dict[str, int],
        hashtag_map: dict[str, str] | None = None,
        templates_dir: Path | None = None,
    ) -> None:
        self.max_hashtags = max_hashtags
        self.hashtag_map = hashtag_map or {}
        self.renderer = Renderer(make_environment(templates_dir))

    def draft(self, article: ArticleData, channels: Sequence[str]) -> Draft:
        quotes = find_quotes(article.body)
        key = choose_key_quote(quotes, article.title)
        tags = hashtags_for(article.tags, self.hashtag_map)
        posts = tuple(self.post(channel, article, key, quotes, tags) for channel in channels)
        return Draft(
            article=article, quotes=tuple(quotes), key_quote=key, hashtags=tuple(tags), posts=posts
        )

    def post(
        self,
        channel: str,
        article: ArticleData,
        key: Quote | None,
        quotes: Sequence[Quote],
        tags: Sequence[str],
    ) -> ChannelPost:
        # fitting falls back to shorter quotes in order of length, never to non-quotes
        shorter = sorted(
            (q for q in quotes if key and len(q.text) < len(key.text)), key=lambda q: -len(q.text)
        )
        candidates = [key, *shorter] if key else []
        limit = self.max_hashtags.get(channel, 2)
        return self.renderer.fit(channel, article, candidates, list(tags)[:limit])
