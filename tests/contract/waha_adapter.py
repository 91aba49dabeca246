"""WhatsApp through WAHA over the fake gateway (tests/fakes/fake_waha.py): a post is a
Channel message; its id is reserved before the send, so a lost answer is found again by
that id and exactly one message ends in the Channel."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.contract.adapter import Lost
from tests.fakes.fake_waha import FakeWaha
from tests.integration.whatsapp_waha_support import CHAT, KEY, running_waha

#: the wait a 429 from the gateway asks for
RETRY_AFTER = 7


class WahaBackend:
    id = "whatsapp-waha"
    channel = "whatsapp"

    def __init__(self) -> None:
        self.fake: FakeWaha | None = None

    @contextmanager
    def running(self) -> Iterator[FakeWaha]:
        for fake in running_waha():
            self.fake = fake
            yield fake

    def _fake(self) -> FakeWaha:
        assert self.fake is not None, "the fake WAHA is not running"
        return self.fake

    def settings(self, **overrides: Any) -> dict[str, Any]:
        values = {"waha_url": self._fake().url, "waha_api_key": KEY, "channel_id": CHAT}
        return {**values, "timeout": 1.0, **overrides}

    def env(self, **overrides: str) -> dict[str, str]:
        return {
            "NEWSBOT_WHATSAPP__WAHA_URL": self._fake().url,
            "NEWSBOT_WHATSAPP__WAHA_API_KEY": KEY,
            "NEWSBOT_WHATSAPP__CHANNEL_ID": CHAT,
            **overrides,
        }

    def bad_credentials(self) -> dict[str, Any]:
        return {"waha_api_key": "not-the-key-123"}

    def bad_env(self) -> dict[str, str]:
        return {"NEWSBOT_WHATSAPP__WAHA_API_KEY": "not-the-key-123"}

    def prepare(self, sessions: sessionmaker[Session]) -> None:
        return None

    def _messages(self) -> list[dict[str, Any]]:
        return self._fake().messages()

    def stored(self) -> int:
        return sum(not m.get("deleted") for m in self._messages())

    def deleted(self) -> int:
        return sum(bool(m.get("deleted")) for m in self._messages())

    def transient(self) -> float:
        fault = {"kind": "status", "status": 429, "retry_after": RETRY_AFTER}
        self._fake().set_faults({"plan": [fault]})
        return float(RETRY_AFTER)

    def permanent(self) -> str:
        self._fake().set_faults({"plan": [{"kind": "status", "status": 400}]})
        return "Bad Request"

    def lose_answer(self, stored: bool) -> Lost:
        kind = "hang_after_store" if stored else "hang"
        self._fake().set_faults({"plan": [{"kind": kind, "seconds": 2}]})
        return Lost("unknown", 1)

    def at_limit(self) -> str:
        # WhatsApp counts UTF-16 units: each of these emoji is two, 2,048 characters
        return "😀" * 2048

    def withdraw_refused(self) -> str | None:
        return None
