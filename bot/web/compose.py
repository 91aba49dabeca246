"""Re-rendering a post from an editor's choices: another of the article's quotes, hashtags on
or off. The channel's own template does it, so the result reads like a fresh draft."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.drafting import article_data
from bot.editorial.hashtags import to_hashtag
from bot.editorial.model import Quote
from bot.store.models import Article, Post

if TYPE_CHECKING:
    from bot.editorial.compose import Editor


def quotes_of(article: Article) -> list[dict[str, Any]]:
    return [q for q in (article.quotes or []) if isinstance(q, dict) and q.get("text")]


def hashtag_choices(article: Article, posts: Sequence[Post]) -> list[str]:
    """The hashtags any of the article's posts carries, then its tags made into hashtags."""
    found: list[str] = []
    for post in posts:
        found += [str(h) for h in post.hashtags or []]
    for tag in article.tags or []:
        made = to_hashtag(str(tag))
        if made:
            found.append(made)
    return list(dict.fromkeys(found))


def quote_index(article: Article, key_quote: dict[str, Any] | None) -> int | None:
    if not key_quote:
        return None
    for i, quote in enumerate(quotes_of(article)):
        if quote["text"] == key_quote.get("text"):
            return i
    return None


def compose(
    editor: Editor, post: Post, quote: int | None, hashtags: Sequence[str]
) -> tuple[str, dict[str, Any] | None]:
    """The post's text with quote number ``quote`` (None: no quote) and these hashtags."""
    article = post.article
    quotes = quotes_of(article)
    chosen = quotes[quote] if quote is not None and 0 <= quote < len(quotes) else None
    key = Quote(chosen["text"], chosen.get("speaker")) if chosen else None
    text = editor.renderer.render(post.channel, article_data(article), key, list(hashtags))
    return text, key.to_json() if key else None
