"""The X backend over the fake X (tests/fakes/fake_x.py): a post is a tweet; a lost answer
is found again on the account's timeline, so exactly one post ends on X."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.contract.adapter import Lost
from tests.fakes.fake_x import FakeX
from tests.fakes.fake_x_fixtures import X_ENV, running_fake, x_values


class XBackend:
    id = "x"
    channel = "x"

    def __init__(self) -> None:
        self.fake: FakeX | None = None

    @contextmanager
    def running(self) -> Iterator[FakeX]:
        for fake in running_fake():
            self.fake = fake
            yield fake

    def _fake(self) -> FakeX:
        assert self.fake is not None, "the fake X is not running"
        return self.fake

    def settings(self, **overrides: Any) -> dict[str, Any]:
        return x_values(self._fake().base_url, **overrides)

    def env(self, **overrides: str) -> dict[str, str]:
        return {**X_ENV, "NEWSBOT_X__BASE_URL": self._fake().base_url, **overrides}

    def bad_credentials(self) -> dict[str, Any]:
        return {"access_token_secret": "not-the-right-one"}

    def bad_env(self) -> dict[str, str]:
        return {"NEWSBOT_X__ACCESS_TOKEN_SECRET": "not-the-right-one"}

    def prepare(self, sessions: sessionmaker[Session]) -> None:
        return None

    def stored(self) -> int:
        return len(self._fake().posts())

    def deleted(self) -> int:
        return sum(p.deleted for p in self._fake().posts(include_deleted=True))

    def transient(self) -> float:
        self._fake().fail("429")  # x-rate-limit-reset 120 s ahead
        return 120.0

    def permanent(self) -> str:
        self._fake().fail("403_forbidden")
        return "You are not permitted to perform this action."

    def lose_answer(self, stored: bool) -> Lost:
        self._fake().fail("hang_after_store" if stored else "hang")
        return Lost("unknown", 1)

    def at_limit(self) -> str:
        # 23 for the link (as X counts any link) + 1 + 128 CJK characters weighing 2 each
        return "https://news.example.com/at-limit " + "漢" * 128

    def withdraw_refused(self) -> str | None:
        return None
