"""Shared by the WAHA channel tests: a fake gateway and a publisher aimed at it.

Plain helpers; each test module declares its own small fixtures from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import sessionmaker

from bot.channels.base import OutgoingPost, Publisher
from bot.channels.whatsapp.waha import build
from bot.clock import FixedClock
from bot.settings import Settings
from tests.fakes.fake_waha import FakeWaha, channel

CHAT = "120363400000000042@newsletter"
KEY = "waha-key-6f1c2d9e-secret"


def running_waha() -> Iterator[FakeWaha]:
    with FakeWaha(api_key=KEY, channels=[channel(CHAT, "Daily Desk")]) as fake:
        yield fake
        # whatever a test did, the bot never sent a request WAHA would refuse
        assert fake.violations() == []


def settings_for(url: str, **whatsapp: Any) -> Settings:
    values = {
        "waha_url": url, "waha_api_key": KEY, "channel_id": CHAT, "timeout": 1.0,
        "session_recheck": 45, **whatsapp,
    }  # fmt: skip
    return Settings(_env_file=None, whatsapp=values)


def publisher_for(url: str, clock: FixedClock, **whatsapp: Any) -> Publisher:
    return build(settings_for(url, **whatsapp), sessionmaker(), clock)


@dataclass
class Stored:
    """Stands in for the engine's ``channel_data`` column: what ``persist`` saved."""

    data: dict[str, Any] = field(default_factory=dict)
    saves: int = 0

    def persist(self, data: dict[str, Any]) -> None:
        self.data = dict(data)
        self.saves += 1


def make_post(
    text: str = "*Council approves budget*\n\nhttps://news.example/budget",
    *,
    image_url: str | None = None,
    stored: Stored | None = None,
    first_attempt_at: datetime | None = None,
    post_id: int = 7,
) -> OutgoingPost:
    stored = stored if stored is not None else Stored()
    return OutgoingPost(
        post_id=post_id, article_id=3, channel="whatsapp", text=text,
        title="Council approves budget", url="https://news.example/budget",
        image_url=image_url, idempotency_key=f"newsbot-post-{post_id}",
        first_attempt_at=first_attempt_at or datetime.now(UTC),
        channel_data=dict(stored.data), persist=stored.persist,
    )  # fmt: skip


def ops(fake: FakeWaha) -> list[str]:
    return [str(r.get("op")) for r in fake.requests()]
