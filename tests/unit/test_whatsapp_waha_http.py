"""Error classification and the small WAHA helpers, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.channels.whatsapp.waha import image_file, message_key
from bot.channels.whatsapp.waha_http import (
    Answer,
    classify,
    gateway_message,
    retry_after,
    transport_error,
)
from bot.channels.whatsapp.waha_setup import session_report
from bot.errors import ChannelPaused, PermanentError, TransientError, UnknownOutcome

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def answer(status: int, body: object = None, **headers: str) -> Answer:
    return Answer(status, body, httpx.Headers(headers))


def classified(status: int, body: object = None, sending: bool = True, **headers: str) -> Exception:
    return classify(
        answer(status, body, **headers),
        sending=sending, session="default", now=NOW, recheck=timedelta(seconds=30),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "sending", "expected"),
    [
        (400, True, PermanentError),
        (401, True, PermanentError),
        (403, True, PermanentError),
        (404, True, PermanentError),
        (422, True, ChannelPaused),
        (429, True, TransientError),
        (500, True, UnknownOutcome),
        (502, True, UnknownOutcome),
        (500, False, TransientError),
        (503, False, TransientError),
    ],
)
def test_status_classes(status: int, sending: bool, expected: type[Exception]) -> None:
    error = classified(status, {"message": "x"}, sending=sending)
    assert type(error) is expected


def test_422_pauses_until_the_recheck_with_the_status() -> None:
    error = classified(422, {"error": "Session status is not as expected", "status": "STOPPED"})
    assert isinstance(error, ChannelPaused)
    assert error.until == NOW + timedelta(seconds=30)
    assert "STOPPED" in error.reason


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "12"}, 12.0),
        ({"Retry-After": "Sun, 29 Mar 2026 01:31:00 GMT"}, 60.0),
        ({"X-RateLimit-Reset": str(int(NOW.timestamp()) + 90)}, 90.0),
        ({}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_retry_after(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after(httpx.Headers(headers), NOW) == seconds


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"statusCode": 400, "message": ["chatId must be a string"]}, "chatId must be a string"),
        ({"error": "Session status is not as expected"}, "Session status is not as expected"),
        ({"exception": {"message": "boom"}}, "boom"),
        ("plain text", "plain text"),
        (None, ""),
    ],
)
def test_gateway_message(body: object, said: str) -> None:
    assert gateway_message(body) == said


def test_gateway_message_is_bounded() -> None:
    assert len(gateway_message({"message": "x" * 5000})) == 500


def test_transport_errors_before_and_after_the_request_left() -> None:
    request = httpx.Request("POST", "http://gw/api/sendText")
    refused = httpx.ConnectError("refused", request=request)
    timed_out = httpx.ReadTimeout("slow", request=request)
    assert type(transport_error(refused, sending=True)) is TransientError
    assert type(transport_error(timed_out, sending=True)) is UnknownOutcome
    assert type(transport_error(timed_out, sending=False)) is TransientError


def test_message_key_and_image_file() -> None:
    assert message_key("true_120363@newsletter_3EB0ABC") == "3EB0ABC"
    assert message_key("3EB0ABC") == "3EB0ABC"
    assert image_file("https://x.example/a/b.webp?x=1")["mimetype"] == "image/webp"
    assert image_file("https://x.example/render")["mimetype"] == "image/jpeg"


def test_unknown_session_status_still_names_it() -> None:
    ok, detail = session_report("default", "SOMETHING_NEW")
    assert not ok
    assert "SOMETHING_NEW" in detail
