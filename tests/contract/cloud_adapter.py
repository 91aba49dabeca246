"""WhatsApp through Meta's Cloud API over the fake Graph API (tests/fakes/fake_cloud.py).

A post is one template message to each opted-in subscriber (here: one). The Cloud API has
no idempotency key and no way to read back what was sent, so exactly-once is *at most once
per subscriber*: each send is recorded before it goes, and one whose answer was lost is
never sent again. The post is published with that subscriber counted ``unknown``; the
platform holds one message if it stored it, none if not — never two. Withdrawing is
refused: the Cloud API cannot take back a delivered message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.contract.adapter import Lost
from tests.fakes.fake_cloud import PHONE_ID, FakeCloud, running_cloud
from tests.integration.whatsapp_cloud_support import (
    APP_SECRET,
    TOKEN,
    VERIFY,
    add_subscribers,
)

#: Meta sends no Retry-After: the channel waits a minute after "rate limit hit"
THROTTLE_WAIT = 60.0


class CloudBackend:
    id = "whatsapp-cloud"
    channel = "whatsapp"

    def __init__(self) -> None:
        self.fake: FakeCloud | None = None

    @contextmanager
    def running(self) -> Iterator[FakeCloud]:
        for fake in running_cloud(TOKEN):
            self.fake = fake
            yield fake

    def _fake(self) -> FakeCloud:
        assert self.fake is not None, "the fake Cloud API is not running"
        return self.fake

    def settings(self, **overrides: Any) -> dict[str, Any]:
        values = {
            "backend": "cloud", "cloud_base_url": self._fake().url, "cloud_token": TOKEN,
            "cloud_phone_id": PHONE_ID, "cloud_app_secret": APP_SECRET,
            "cloud_verify_token": VERIFY, "timeout": 1.0,
        }  # fmt: skip
        return {**values, **overrides}

    def env(self, **overrides: str) -> dict[str, str]:
        return {
            "NEWSBOT_WHATSAPP__BACKEND": "cloud",
            "NEWSBOT_WHATSAPP__CLOUD_BASE_URL": self._fake().url,
            "NEWSBOT_WHATSAPP__CLOUD_TOKEN": TOKEN,
            "NEWSBOT_WHATSAPP__CLOUD_PHONE_ID": PHONE_ID,
            "NEWSBOT_WHATSAPP__CLOUD_APP_SECRET": APP_SECRET,
            "NEWSBOT_WHATSAPP__CLOUD_VERIFY_TOKEN": VERIFY,
            **overrides,
        }

    def bad_credentials(self) -> dict[str, Any]:
        return {"cloud_token": "EAAwrong-token-9"}

    def bad_env(self) -> dict[str, str]:
        return {"NEWSBOT_WHATSAPP__CLOUD_TOKEN": "EAAwrong-token-9"}

    def prepare(self, sessions: sessionmaker[Session]) -> None:
        add_subscribers(sessions, reader="in")

    def stored(self) -> int:
        return len(self._fake().messages())

    def deleted(self) -> int:
        return 0  # nothing can be taken back

    def transient(self) -> float:
        self._fake().set_faults({"plan": [{"kind": "status", "status": 429}]})
        return THROTTLE_WAIT

    def permanent(self) -> str:
        self._fake().set_faults({"plan": [{"kind": "status", "status": 404, "code": 132001}]})
        return "Template name does not exist in the translation"

    def lose_answer(self, stored: bool) -> Lost:
        kind = "hang_after_store" if stored else "hang"
        self._fake().set_faults({"plan": [{"kind": kind, "seconds": 2}]})
        return Lost("approved", 1 if stored else 0)

    def at_limit(self) -> str:
        return "😀" * 2048

    def withdraw_refused(self) -> str | None:
        return "cannot take back a message delivered to subscribers"
