"""From an article to its drafts: quotes, key quote, hashtags, one fitted post per channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.editorial.format import TextFormat
from bot.editorial.hashtags import hashtags_for, load_map
from bot.editorial.model import ArticleData, ChannelPost, Draft, Quote
from bot.editorial.quotes import find_quotes
from bot.editorial.render import Renderer, make_environment
from bot.editorial.scoring import rank

__all__ = ["Editor", "load_hashtag_map"]


def load_hashtag_map(path: Path | None) -> dict[str, str]:
    """The newsroom's hashtag map (``NEWSBOT_HASHTAGS_FILE``); a bad file is a UsageError."""
    return load_map(path)


class Editor:
    """Drafts for the channels whose text formats it is given (the registry's, in the app)."""

    def __init__(
        self,
        formats: Mapping[str, TextFormat],
        max_hashtags: Mapping[str, int] | None = None,
        hashtag_map: Mapping[str, str] | None = None,
        templates_dir: Path | None = None,
    ) -> None:
        defaults = {name: fmt.max_hashtags for name, fmt in formats.items()}
        self.max_hashtags = {**defaults, **(max_hashtags or {})}
        self.hashtag_map = dict(hashtag_map or {})
        self.renderer = Renderer(make_environment(templates_dir), formats)

    def draft(self, article: ArticleData, channels: Sequence[str]) -> Draft:
        quotes = find_quotes(article.body)
        candidates = rank(quotes, article.title, article.summary)
        key = candidates[0] if candidates else None
        tags = self.hashtags(article)
        posts = tuple(self.post(channel, article, key, candidates, tags) for channel in channels)
        return Draft(
            article=article,
            quotes=tuple(quotes),
            key_quote=key,
            hashtags=tuple(tags),
            posts=posts,
        )

    def hashtags(self, article: ArticleData) -> list[str]:
        keywords = set(article.keywords)
        categories = [t for t in article.tags if t not in keywords]
        return hashtags_for(
            categories,
            self.hashtag_map,
            keywords=article.keywords,
            text=f"{article.title}\n{article.summary or ''}",
            body=article.body or "",
            language=article.language,
        )

    def post(
        self,
        channel: str,
        article: ArticleData,
        key: Quote | None,
        quotes: Sequence[Quote],
        tags: Sequence[str],
    ) -> ChannelPost:
        """One channel's post: the key quote first, then the other eligible candidates
        (``quotes`` may be every quote of the article: only ranked candidates are used)."""
        ranked = [q for q in quotes if q.score] if any(q.score for q in quotes) else []
        if not ranked and quotes:
            ranked = rank(list(quotes), article.title, article.summary)
        candidates = [key, *(q for q in ranked if q != key)] if key else []
        limit = self.max_hashtags.get(channel, 2)
        return self.renderer.fit(channel, article, candidates, list(tags)[:limit])
