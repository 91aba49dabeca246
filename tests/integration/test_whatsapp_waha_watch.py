"""The worker looks at the WAHA session while nothing is sent: a session that stops is on the
dashboard and alerted before any post waits on it, and the look costs one request a period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.health import mark_channel_health
from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import ChannelState
from tests.conftest import make_settings
from tests.fakes.fake_waha import FakeWaha
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.integration.whatsapp_waha_support import CHAT, KEY, running_waha


@pytest.fixture
def waha() -> Iterator[FakeWaha]:
    yield from running_waha()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


def desk(
    db_url: str, tmp_path: Path, clock: FixedClock, waha: FakeWaha, url: str, **wa: object
) -> Runtime:
    whatsapp = {"waha_url": waha.url, "waha_api_key": KEY, "channel_id": CHAT, "timeout": 1.0, **wa}
    settings = make_settings(
        db_url, tmp_path, channels=["whatsapp"], whatsapp=whatsapp, alerts={"webhook_url": url}
    )
    return Runtime(settings, clock=clock)


def session_looks(waha: FakeWaha) -> int:
    return sum(1 for r in waha.requests() if str(r.get("path", "")).startswith("/api/sessions/"))


def healthy(rt: Runtime) -> bool | None:
    with rt.sessions() as session:
        state = session.get(ChannelState, "whatsapp")
        return None if state is None else state.healthy


def test_a_session_that_stops_while_nothing_is_sent_alerts_and_recovers(
    db_url: str, tmp_path: Path, clock: FixedClock, waha: FakeWaha, receiver: WebhookReceiver
) -> None:
    rt = desk(db_url, tmp_path, clock, waha, receiver.url)
    try:
        assert rt.maintenance_round()["watched"] == 1
        assert healthy(rt) is True

        waha.set_session_status("SCAN_QR_CODE")
        clock.advance(timedelta(minutes=1))
        assert rt.maintenance_round()["watched"] == 0  # looked a minute ago: not yet
        assert healthy(rt) is True
        clock.advance(timedelta(minutes=4))
        assert rt.maintenance_round()["watched"] == 1
        assert healthy(rt) is False
        [alert] = receiver.wait_for(1)
        assert alert["kind"] == "channel_unhealthy" and alert["channel"] == "whatsapp"
        assert "SCAN_QR_CODE" in alert["error"]

        waha.set_session_status("WORKING")
        clock.advance(timedelta(minutes=5))
        rt.maintenance_round()
        assert healthy(rt) is True
        assert receiver.wait_for(2)[1]["kind"] == "channel_recovered"
        assert session_looks(waha) == 3  # one look per period, not one per maintenance tick
    finally:
        rt.close()


def test_watching_can_be_turned_off(
    db_url: str, tmp_path: Path, clock: FixedClock, waha: FakeWaha, receiver: WebhookReceiver
) -> None:
    rt = desk(db_url, tmp_path, clock, waha, receiver.url, session_watch=0)
    try:
        waha.set_session_status("STOPPED")
        assert rt.maintenance_round()["watched"] == 0
        assert session_looks(waha) == 0 and healthy(rt) is None
    finally:
        rt.close()


def test_a_look_corrects_what_another_replica_recorded(
    db_url: str, tmp_path: Path, clock: FixedClock, waha: FakeWaha, receiver: WebhookReceiver
) -> None:
    rt = desk(db_url, tmp_path, clock, waha, receiver.url)
    try:
        rt.maintenance_round()
        with transaction(rt.sessions) as session:  # a replica that saw the session stopped
            mark_channel_health(session, "whatsapp", False, {"error": "STOPPED"}, clock.now())
        clock.advance(timedelta(minutes=5))
        rt.maintenance_round()
        assert healthy(rt) is True  # this look saw it WORKING, and says so
    finally:
        rt.close()
