"""The Cloud API's plain decisions: keywords, callbacks, status order, error verdicts."""

from __future__ import annotations

import httpx
import pytest
from pywa.errors import WhatsAppError

from bot.channels.base import OutgoingPost
from bot.channels.whatsapp.cloud import template_values
from bot.channels.whatsapp.cloud_errors import judge, judge_transport
from bot.channels.whatsapp.cloud_events import (
    callback_data,
    keyword,
    parse,
    parse_callback,
    valid_signature,
)
from bot.channels.whatsapp.subscribers import advances
from tests.fakes.fake_cloud import sign


@pytest.mark.parametrize(
    ("text", "word"),
    [("STOP", "stop"), (" stop. ", "stop"), ("*Unsubscribe*", "stop"), ("Stop all", "stop"),
     ("start", "start"), ("please stop sending", None), ("stopping by", None), ("", None)],
)  # fmt: skip
def test_keyword(text: str, word: str | None) -> None:
    assert keyword(text) == word


def test_callback_round_trip() -> None:
    assert parse_callback(callback_data(12, 345)) == (12, 345)
    assert parse_callback("someone-else:1:2") is None
    assert parse_callback(None) is None


@pytest.mark.parametrize(
    ("current", "new", "moves"),
    [("sent", "delivered", True), ("delivered", "read", True), ("read", "delivered", False),
     ("unknown", "sent", True), ("sent", "failed", True), ("read", "failed", False),
     ("failed", "delivered", False), ("delivered", "sent", False)],
)  # fmt: skip
def test_statuses_only_move_forward(current: str, new: str, moves: bool) -> None:
    assert advances(current, new) is moves


def test_signature() -> None:
    body = b'{"object":"whatsapp_business_account"}'
    assert valid_signature("s3cret", body, sign(body, "s3cret"))
    assert not valid_signature("s3cret", body, sign(body, "other"))
    assert not valid_signature("s3cret", body + b" ", sign(body, "s3cret"))
    assert not valid_signature("s3cret", body, None)
    assert not valid_signature("", body, sign(body, ""))


def test_parse_ignores_what_it_does_not_know() -> None:
    stop = {"from": "2", "type": "text", "text": {"body": "STOP"}}
    messages = [{"from": "1", "type": "image"}, stop]
    value = {"statuses": [{"id": "w1"}], "messages": messages}
    update = parse({"entry": [{"changes": [{"value": value}]}]})
    assert update.statuses == []
    assert [(r.sender, r.wanted) for r in update.requests] == [("2", "stop")]
    assert parse("not a dict").requests == []


def post(**changes: object) -> OutgoingPost:
    values: dict[str, object] = {
        "post_id": 1, "article_id": 1, "channel": "whatsapp", "text": "*T*\n\nhttps://x.example",
        "title": "T", "url": "https://x.example", "key_quote": "Yes", "speaker": "Ana",
        "hashtags": ("#a", "#b"), **changes,
    }  # fmt: skip
    return OutgoingPost(**values)  # type: ignore[arg-type]


def test_template_values() -> None:
    assert template_values(post(), ["headline", "quote", "link", "hashtags"]) == [
        "T", "“Yes” — Ana", "https://x.example", "#a #b",
    ]  # fmt: skip
    assert template_values(post(speaker=None), ["quote"]) == ["“Yes”"]
    assert template_values(post(key_quote=None, hashtags=()), ["quote", "hashtags"]) == ["—", "—"]
    assert template_values(post(), ["text"]) == ["*T* https://x.example"]


def error(code: int, status: int) -> WhatsAppError:
    response = httpx.Response(status, request=httpx.Request("POST", "https://graph.facebook.com"))
    return WhatsAppError.from_dict({"code": code, "message": "m"}, response=response)


@pytest.mark.parametrize(
    ("code", "status", "scope"),
    [(190, 401, "post"), (132001, 404, "post"), (100, 400, "post"), (130429, 429, "retry"),
     (131000, 500, "unknown"), (131026, 400, "recipient"), (131050, 400, "recipient"),
     (999999, 400, "recipient")],
)  # fmt: skip
def test_error_verdicts(code: int, status: int, scope: str) -> None:
    assert judge(error(code, status)).scope == scope


def test_transport_verdicts() -> None:
    request = httpx.Request("POST", "https://graph.facebook.com")
    assert judge_transport(httpx.ConnectError("x", request=request)).scope == "retry"
    assert judge_transport(httpx.ReadTimeout("x", request=request)).scope == "unknown"
