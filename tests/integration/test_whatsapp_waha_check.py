"""``check()`` against the fake gateway: session health and finding the channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from tests.fakes.fake_waha import FakeWaha, channel
from tests.integration.whatsapp_waha_support import CHAT, KEY, publisher_for, running_waha

OTHER = "120363400000000099@newsletter"


@pytest.fixture
def waha() -> Iterator[FakeWaha]:
    yield from running_waha()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


def test_working_session_and_admin_channel_is_healthy(waha: FakeWaha, clock: FixedClock) -> None:
    health = publisher_for(waha.url, clock).check()
    assert health.ok, health.detail
    assert "WORKING" in health.detail
    assert f'{CHAT} "Daily Desk" (OWNER)' in health.detail
    assert health.data["me"]["pushName"] == "Newsroom Desk"


@pytest.mark.parametrize("status", ["SCAN_QR_CODE", "STARTING", "STOPPED", "FAILED"])
def test_session_not_working_is_unhealthy_with_the_status_shown(
    waha: FakeWaha, clock: FixedClock, status: str
) -> None:
    waha.set_session_status(status)
    health = publisher_for(waha.url, clock).check()
    assert not health.ok
    assert f"is {status}, not WORKING" in health.detail
    assert health.data["status"] == status


def test_qr_code_advice_says_how_to_link(waha: FakeWaha, clock: FixedClock) -> None:
    waha.set_session_status("SCAN_QR_CODE")
    assert "scan the QR code" in publisher_for(waha.url, clock).check().detail


def test_missing_channel_id_lists_the_channels_to_choose_from(
    waha: FakeWaha, clock: FixedClock
) -> None:
    rival = channel("120363400000000777@newsletter", "Rival", role="SUBSCRIBER")
    waha.set_channels([channel(CHAT, "Daily Desk"), channel(OTHER, "Sport", role="ADMIN"), rival])
    health = publisher_for(waha.url, clock, channel_id=None).check()
    assert not health.ok
    assert "NEWSBOT_WHATSAPP__CHANNEL_ID is not set" in health.detail
    assert CHAT in health.detail
    assert OTHER in health.detail
    assert "Rival" not in health.detail  # only channels this number can post to
    assert "\n" not in health.detail


def test_wrong_channel_id_is_named_and_the_right_ones_listed(
    waha: FakeWaha, clock: FixedClock
) -> None:
    health = publisher_for(waha.url, clock, channel_id="999@newsletter").check()
    assert not health.ok
    assert "NEWSBOT_WHATSAPP__CHANNEL_ID=999@newsletter is not known" in health.detail
    assert CHAT in health.detail


def test_channel_the_number_only_follows_is_unhealthy(waha: FakeWaha, clock: FixedClock) -> None:
    waha.set_channels([channel(CHAT, "Daily Desk", role="SUBSCRIBER")])
    health = publisher_for(waha.url, clock).check()
    assert not health.ok
    assert "make it an admin" in health.detail


def test_no_channel_at_all_says_to_create_or_be_made_admin(
    waha: FakeWaha, clock: FixedClock
) -> None:
    waha.set_channels([])
    health = publisher_for(waha.url, clock, channel_id=None).check()
    assert "administers no channel" in health.detail


def test_unknown_session_lists_the_gateways_sessions(waha: FakeWaha, clock: FixedClock) -> None:
    health = publisher_for(waha.url, clock, waha_session="newsroom").check()
    assert not health.ok
    assert "no session 'newsroom'" in health.detail
    assert "default" in health.detail


def test_wrong_key_is_reported_without_the_key(waha: FakeWaha, clock: FixedClock) -> None:
    health = publisher_for(waha.url, clock, waha_api_key="wrong-key-42").check()
    assert not health.ok
    assert "401" in health.detail
    assert "wrong-key-42" not in health.detail
    assert KEY not in health.detail
