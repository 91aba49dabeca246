"""What the X channel's tests share: the fake, settings pointing at it, posts in the
store, and the X publisher wired to an outbox. Test modules wrap ``now_clock`` in their own
``clock`` fixture; ``running_fake`` is the conftest's ``fake_x``."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot import audit
from bot.channels.health import health_recorder
from bot.channels.x.publisher import XPublisher
from bot.clock import FixedClock
from bot.desk import changes
from bot.outbox.engine import Outbox, OutboxConfig
from bot.runtime import Runtime
from bot.settings import Settings
from bot.store.db import transaction
from bot.store.models import ChannelState, ChannelUsage, Post
from tests.conftest import make_settings
from tests.fakes.fake_x import CREDENTIALS, FakeX
from tests.posts import add_article, add_post

CONFIG = OutboxConfig(
    max_attempts=5,
    backoff_base=timedelta(seconds=10),
    backoff_cap=timedelta(minutes=5),
    lease=timedelta(seconds=60),
    stale_after=timedelta(hours=2),
)

X_ENV = {
    "NEWSBOT_X__API_KEY": CREDENTIALS.api_key,
    "NEWSBOT_X__API_SECRET": CREDENTIALS.api_secret,
    "NEWSBOT_X__ACCESS_TOKEN": CREDENTIALS.access_token,
    "NEWSBOT_X__ACCESS_TOKEN_SECRET": CREDENTIALS.access_token_secret,
}
_ARTICLES = itertools.count(1)
SECRETS = (CREDENTIALS.api_secret, CREDENTIALS.access_token_secret, CREDENTIALS.access_token)


def x_values(base_url: str, **overrides: Any) -> dict[str, Any]:
    c = CREDENTIALS
    values: dict[str, Any] = {
        "api_key": c.api_key,
        "api_secret": c.api_secret,
        "access_token": c.access_token,
        "access_token_secret": c.access_token_secret,
        "base_url": base_url,
        "timeout": 1.0,
    }
    values.update(overrides)
    return values


def now_clock() -> FixedClock:
    """Real time, held still: X's reset headers are real epoch seconds."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


def running_fake(**options: Any) -> Iterator[FakeX]:
    """A fake X for one test; the test fails if the bot sent anything X's spec refuses."""
    with FakeX(**{"hang_seconds": 2.5, "reset_in": 120, **options}) as fake:
        yield fake
        assert fake.violations == [], "requests X's spec refuses"


def settings_for(db_url: str, tmp_path: Path, fake: FakeX, **x: Any) -> Settings:
    return make_settings(db_url, tmp_path, channels=["x"], x={**x_values(fake.base_url), **x})


def publisher(
    runtime: Runtime, fake: FakeX, db_url: str, tmp_path: Path, clock: FixedClock, **x: Any
) -> XPublisher:
    """The X publisher, its settings pointing at ``fake`` (with ``x`` on top)."""
    return XPublisher(
        settings_for(db_url, tmp_path, fake, **x),
        runtime.sessions,
        clock,
        on_health=health_recorder(runtime.sessions, clock, "x"),
    )


def outbox(sessions: Any, channel: XPublisher, clock: FixedClock) -> Outbox:
    return Outbox(sessions, {"x": channel}, clock, CONFIG, "w1", random.Random(5))


def make_posts(
    sessions: Any,
    clock: FixedClock,
    texts: list[str],
    image_url: str | None = None,
    approve_order: list[int] | None = None,
) -> list[int]:
    """Approved X posts with these texts; approved in ``approve_order`` (indexes) if given."""
    ids: list[int] = []
    with transaction(sessions) as session:
        for text in texts:
            n = next(_ARTICLES)
            article = add_article(
                session, clock.now(), f"https://news.example.com/{n}",
                guid=f"g{n}", title=f"Story {n}", image_url=image_url,
            )  # fmt: skip
            ids.append(add_post(session, article, text, clock.now()).id)
    for index in approve_order or list(range(len(texts))):
        with transaction(sessions) as session:
            changes.approve(session, session.get_one(Post, ids[index]), "editor", clock.now())
        clock.advance(timedelta(seconds=1))
    return ids


def get_post(sessions: Any, post_id: int) -> Post:
    with sessions() as session:
        post: Post = session.get_one(Post, post_id)
        return post


def events(sessions: Any, post_id: int) -> list[tuple[str, dict[str, Any]]]:
    with sessions() as session:
        return [(e.action, e.detail) for e in audit.query(session, post_id=post_id)]


def channel_state(sessions: Any) -> ChannelState | None:
    with sessions() as session:
        state: ChannelState | None = session.get(ChannelState, "x")
        return state


def usage_rows(sessions: Any) -> list[tuple[str, int, float]]:
    with sessions() as session:
        rows = session.scalars(select(ChannelUsage).where(ChannelUsage.channel == "x"))
        return [(r.day, r.posts, round(r.cost, 6)) for r in rows]
