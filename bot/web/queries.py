"""The reads behind the queue and the post lists: filtered, paged, a fixed number of queries.

The queue is one card per article (its posts side by side), newest article first. Paging
is by article, so a page costs three queries whatever the size of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, defer, joinedload

from bot.store.models import Article, Post, Source

PER_PAGE = 20
#: a list shows the article's headline, never its full text: the body stays in the database
LOAD_ARTICLE = joinedload(Post.article).options(defer(Article.body), joinedload(Article.source))
T = TypeVar("T", bound=Any)


@dataclass(frozen=True)
class PostFilter:
    state: str | None = None
    channel: str | None = None
    source_id: int | None = None
    #: 0 = no source (pushed by the CMS)
    states: tuple[str, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.state:
            found.append(Post.state == self.state)
        if self.states:
            found.append(Post.state.in_(self.states))
        if self.channel:
            found.append(Post.channel == self.channel)
        if self.source_id is not None:
            found.append(
                Article.source_id.is_(None)
                if self.source_id == 0
                else Article.source_id == self.source_id
            )
        return found

    def _needs_article(self) -> bool:
        return self.source_id is not None

    def apply(self, stmt: Select[T]) -> Select[T]:
        if self._needs_article():
            stmt = stmt.join(Article, Article.id == Post.article_id)
        return stmt.where(*self.conditions())


@dataclass
class Card:
    article: Article
    posts: list[Post] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    cards: list[Card]
    total: int
    page: int
    pages: int


def queue_page(session: Session, flt: PostFilter, page: int, per_page: int = PER_PAGE) -> Page:
    total = session.scalar(flt.apply(select(func.count(func.distinct(Post.article_id))))) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    ids: list[int] = list(
        session.scalars(
            flt.apply(select(Post.article_id))
            .group_by(Post.article_id)
            .order_by(Post.article_id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    if not ids:
        return Page([], total, page, pages)
    # the article conditions were met by choosing ``ids``; only the post's own remain
    own = PostFilter(state=flt.state, channel=flt.channel, states=flt.states)
    posts = session.scalars(
        select(Post)
        .options(LOAD_ARTICLE)
        .where(Post.article_id.in_(ids), *own.conditions())
        .order_by(Post.article_id.desc(), Post.channel.desc())
    ).unique()
    cards: dict[int, Card] = {}
    for post in posts:
        cards.setdefault(post.article_id, Card(post.article)).posts.append(post)
    return Page([cards[i] for i in ids if i in cards], total, page, pages)


def post_list(
    session: Session, flt: PostFilter, before: int | None, limit: int, order_by_update: bool = False
) -> list[Post]:
    """Posts newest first, keyset-paged by id (``before``): cheap at any depth."""
    stmt = flt.apply(select(Post)).options(LOAD_ARTICLE)
    if before is not None:
        stmt = stmt.where(Post.id < before)
    order = Post.updated_at.desc() if order_by_update else Post.id.desc()
    return list(session.scalars(stmt.order_by(order, Post.id.desc()).limit(limit)).unique())


def sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.id)))


def state_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Post.state, func.count()).group_by(Post.state))
    return {str(state): int(count) for state, count in rows}
