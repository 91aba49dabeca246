"""The chaos run's work: N articles with a post for X and for WhatsApp each, approved.

Written through the store and approved with the same review action the CLI and the
dashboard call (``bot.desk.changes.approve``), which writes the ``approved`` audit
event; 400 CLI processes would only make the run slower, not truer. Every text is
unique, even without its link: the fakes' stores are counted by text, and X's own
lookup compares texts without links.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.store.db import transaction
from tests.posts import add_article, add_post

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
            title = f"Chaos story {i}"
            article = add_article(session, now, url, guid=f"chaos-{i}", title=title, drafted_at=now)
            for channel, text in texts(i).items():
                post = add_post(session, article, text, now, channel=channel, approved_by=EDITOR)
                made[post.id] = (channel, text)
    return made
