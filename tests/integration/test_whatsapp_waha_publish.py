"""The WAHA channel against the fake gateway: sends, error classes, reserved ids, find."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.base import Publisher
from bot.clock import FixedClock
from bot.errors import BotError, ChannelPaused, PermanentError, TransientError, UnknownOutcome
from tests.fakes.fake_waha import FakeWaha
from tests.integration.whatsapp_waha_support import (
    CHAT,
    KEY,
    Stored,
    make_post,
    ops,
    publisher_for,
    running_waha,
)


@pytest.fixture
def waha() -> Iterator[FakeWaha]:
    yield from running_waha()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def publisher(waha: FakeWaha, clock: FixedClock) -> Publisher:
    return publisher_for(waha.url, clock)


def no_secret(error: BaseException) -> None:
    assert KEY not in str(error)
    assert KEY not in repr(error.args)


def test_text_post_goes_out_with_a_reserved_id_saved_first(
    waha: FakeWaha, publisher: Publisher
) -> None:
    stored = Stored()
    post = make_post(stored=stored)
    receipt = publisher.publish(post)
    [message] = waha.messages()
    assert message["type"] == "text"
    assert message["body"] == post.text
    assert message["linkPreview"] is True
    assert message["chatId"] == CHAT
    # the id was reserved and saved with the post before the send went out
    assert ops(waha) == ["new-message-id", "send"]
    assert stored.saves == 1
    assert message["reserved"] is True
    assert message["key"] == stored.data["waha_message_id"]
    assert receipt.remote_id == message["id"]
    assert receipt.response["chatId"] == CHAT


def test_image_post_carries_the_text_as_caption(waha: FakeWaha, publisher: Publisher) -> None:
    post = make_post(image_url="https://cdn.news.example/img/budget.png?w=1200")
    publisher.publish(post)
    [message] = waha.messages()
    assert message["type"] == "image"
    assert message["body"] == post.text
    assert message["file"]["url"] == "https://cdn.news.example/img/budget.png?w=1200"
    assert message["file"]["mimetype"] == "image/png"


def test_long_text_drops_the_image_and_says_so(waha: FakeWaha, publisher: Publisher) -> None:
    text = "*Headline*\n\n" + "word " * 300 + "\nhttps://news.example/a"
    receipt = publisher.publish(make_post(text, image_url="https://cdn.news.example/a.jpg"))
    [message] = waha.messages()
    assert message["type"] == "text"
    assert message["body"] == text
    assert any("image dropped" in note for note in receipt.notes)


def test_text_over_4096_is_refused_before_any_request(waha: FakeWaha, publisher: Publisher) -> None:
    with pytest.raises(PermanentError, match="4096"):
        publisher.publish(make_post("x" * 4097))
    assert waha.requests() == []


def test_wrong_api_key_is_permanent_with_the_gateway_message(
    waha: FakeWaha, clock: FixedClock
) -> None:
    wrong = publisher_for(waha.url, clock, waha_api_key="not-the-key-123")
    with pytest.raises(PermanentError, match=r"401.*Unauthorized") as caught:
        wrong.publish(make_post())
    assert "not-the-key-123" not in str(caught.value)
    assert waha.messages() == []


@pytest.mark.parametrize("status", [400, 404])
def test_400_and_404_are_permanent(waha: FakeWaha, publisher: Publisher, status: int) -> None:
    waha.set_faults({"plan": [{"kind": "status", "status": status}]})
    with pytest.raises(PermanentError, match=f"\\({status}\\)") as caught:
        publisher.publish(make_post())
    no_secret(caught.value)
    assert waha.messages() == []


def test_unknown_session_is_permanent_and_names_it(waha: FakeWaha, clock: FixedClock) -> None:
    other = publisher_for(waha.url, clock, waha_session="newsroom")
    with pytest.raises(PermanentError, match="didn't find a session with name 'newsroom'"):
        other.publish(make_post())


def test_session_not_working_pauses_the_channel(
    waha: FakeWaha, publisher: Publisher, clock: FixedClock
) -> None:
    waha.set_session_status("SCAN_QR_CODE")
    with pytest.raises(ChannelPaused) as caught:
        publisher.publish(make_post())
    assert "SCAN_QR_CODE" in caught.value.reason
    assert caught.value.until == clock.now() + timedelta(seconds=45)
    no_secret(caught.value)
    waha.set_session_status("WORKING")
    publisher.publish(make_post())
    assert len(waha.messages()) == 1


def test_missing_channel_id_pauses_and_points_to_check(waha: FakeWaha, clock: FixedClock) -> None:
    unset = publisher_for(waha.url, clock, channel_id=None)
    with pytest.raises(ChannelPaused, match="newsbot check"):
        unset.publish(make_post())
    assert waha.requests() == []


def test_429_is_transient_with_the_servers_delay(waha: FakeWaha, publisher: Publisher) -> None:
    waha.set_faults({"plan": [{"kind": "status", "status": 429, "retry_after": 7}]})
    with pytest.raises(TransientError) as caught:
        publisher.publish(make_post())
    assert not isinstance(caught.value, ChannelPaused)
    assert caught.value.retry_after == 7


def test_gateway_down_is_transient(clock: FixedClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = publisher_for(f"http://127.0.0.1:{port}", clock)
    with pytest.raises(TransientError) as caught:
        down.publish(make_post())
    assert not isinstance(caught.value, UnknownOutcome | ChannelPaused)


@pytest.mark.parametrize(
    ("fault", "stored"),
    [
        ({"kind": "status", "status": 500}, False),
        ({"kind": "hang", "seconds": 4}, False),
        ({"kind": "status_after_store", "status": 500}, True),
        ({"kind": "drop_after_store"}, True),
        ({"kind": "hang_after_store", "seconds": 4}, True),
    ],
    ids=["500", "timeout", "500-after-store", "dropped-after-store", "timeout-after-store"],
)
def test_unknown_outcome_is_resolved_by_find_and_never_doubles(
    waha: FakeWaha, publisher: Publisher, fault: dict[str, object], stored: bool
) -> None:
    saved = Stored()
    waha.set_faults({"plan": [fault]})
    with pytest.raises(UnknownOutcome) as caught:
        publisher.publish(make_post(stored=saved))
    no_secret(caught.value)
    assert len(waha.messages()) == (1 if stored else 0)
    # the engine asks before any resend, with what it persisted
    found = publisher.find(make_post(stored=saved))
    if stored:
        assert found is not None
        assert found.remote_id == waha.messages()[0]["id"]
        assert found.response["matched_by"] == "reserved id"
    else:
        assert found is None
        publisher.publish(make_post(stored=saved))  # the resend reuses the reserved id
        assert ops(waha).count("new-message-id") == 1
    assert len(waha.messages()) == 1


def test_without_reserved_ids_find_matches_the_text(waha: FakeWaha, publisher: Publisher) -> None:
    # engines without id pre-generation (WEBJS) answer 404 there
    waha.set_faults({"plan": [{"kind": "status", "status": 404, "on": "new-message-id"},
                              {"kind": "drop_after_store"}]})  # fmt: skip
    saved = Stored()
    post = make_post("*Only once*\n\nhttps://news.example/once", stored=saved)
    with pytest.raises(UnknownOutcome):
        publisher.publish(post)
    assert saved.data == {}
    assert waha.messages()[0]["reserved"] is False
    found = publisher.find(post)
    assert found is not None
    assert found.response["matched_by"] == "text"
    assert publisher.find(make_post("*Another post*\n\nhttps://news.example/other")) is None


def test_find_looks_only_since_the_first_attempt(waha: FakeWaha, publisher: Publisher) -> None:
    publisher.publish(make_post("*Same words*"))
    later = datetime.now(UTC) + timedelta(hours=1)
    assert publisher.find(make_post("*Same words*", first_attempt_at=later)) is None
    query = dict(waha.requests()[-1]["query"])
    assert query["filter.fromMe"] == "true"
    assert int(query["filter.timestamp.gte"]) == int((later - timedelta(minutes=5)).timestamp())


def test_find_when_the_session_is_down_pauses(waha: FakeWaha, publisher: Publisher) -> None:
    waha.set_session_status("STARTING")
    with pytest.raises(BotError) as caught:
        publisher.find(make_post())
    assert isinstance(caught.value, ChannelPaused)


def test_delete_takes_the_message_down_and_is_idempotent(
    waha: FakeWaha, publisher: Publisher
) -> None:
    receipt = publisher.publish(make_post())
    publisher.delete(receipt)
    assert [m["deleted"] for m in waha.messages()] == [True]
    publisher.delete(receipt)  # a withdrawal retried after a crash finds it gone: fine
    assert publisher.find(make_post()) is None


def test_delete_while_the_session_is_down_fails_loudly(
    waha: FakeWaha, publisher: Publisher
) -> None:
    receipt = publisher.publish(make_post())
    waha.set_session_status("FAILED")
    with pytest.raises(ChannelPaused):
        publisher.delete(receipt)
    assert [m["deleted"] for m in waha.messages()] == [False]
