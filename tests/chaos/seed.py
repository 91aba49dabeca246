"""The chaos run's work: N articles with a post for X and for WhatsApp each, approved.

Written through the store and approved with the same review action the CLI and the
dashboard call (``bot.review.actions.approve``), which writes the ``approved`` audit
event; 400 CLI processes would only make the run slower, not truer. Every text is
unique, even without its link: the fakes' stores are counted by text, and X's own
lookup compares texts without links.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.review import actions
from bot.store.db import transaction
from bot.store.models import Article, Post

EDITOR = "chaos-editor"


def texts(i: int) -> dict[str, str]:
    url = f"https://news.example/chaos/{i}"
    title = f"Chaos story {i}: council votes on plan number {i}"
    return {
        "x": f"{title} #chaos{i} {url}",
        "whatsapp": f"*{title}*\n\n> “Plan {i} is ready,” the mayor said.\n\n{url}",
    }


def seed(sessions: sessionmaker[Session], articles: int) -> dict[int, tuple[str, str]]:
    """Post id → (channel, text) of every approved post."""
    now = datetime.now(UTC)
    made: dict[int, tuple[str, str]] = {}
    with transaction(sessions) as session:
        for i in range(articles):
            url = f"https://news.example/chaos/{i}"
            article = Article(
                guid=f"chaos-{i}",
                url=url,
                canonical_url=url,
                title=f"Chaos story {i}",
                tags=[],
                quotes=[],
                status="drafted",
                created_at=now,
                drafted_at=now,
            )
            session.add(article)
            session.flush()
            for channel, text in texts(i).items():
                post = Post(
                    article_id=article.id,
                    channel=channel,
                    state="pending_review",
                    text=text,
                    hashtags=[],
                    attempts=0,
                    channel_data={},
                    created_at=now,
                    updated_at=now,
                )
                session.add(post)
                session.flush()
                actions.approve(session, post, EDITOR, now)
                made[post.id] = (channel, text)
    return made
