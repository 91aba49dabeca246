"""The fake WAHA itself: it must refuse what WAHA refuses and fail the way it is told."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.fake_waha import WAHA_SPEC, FakeWaha, channel
from tests.fakes.fake_waha_process import WahaProcess
from tests.fakes.openapi_validation import SpecValidator

CHAT = "120363000000000001@newsletter"


@pytest.fixture
def waha() -> Iterator[FakeWaha]:
    with FakeWaha(api_key="k", channels=[channel(CHAT)]) as fake:
        yield fake


@pytest.fixture
def http(waha: FakeWaha) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=waha.url, headers={"X-Api-Key": "k"}, timeout=1.0) as client:
        yield client


def send(http: httpx.Client, text: str = "hello", **extra: object) -> httpx.Response:
    body = {"session": "default", "chatId": CHAT, "text": text, "linkPreview": True, **extra}
    return http.post("/api/sendText", json=body)


def test_a_request_waha_would_refuse_is_refused_and_recorded(
    waha: FakeWaha, http: httpx.Client
) -> None:
    response = http.post("/api/sendText", json={"session": "default", "text": "no chat id"})
    assert response.status_code == 400
    assert "'chatId' is a required property" in json.dumps(response.json())
    assert len(waha.violations()) == 1
    assert waha.messages() == []


def test_wrong_type_in_query_is_a_violation(waha: FakeWaha, http: httpx.Client) -> None:
    response = http.get(f"/api/default/chats/{CHAT}/messages", params={"limit": "many"})
    assert response.status_code == 400
    assert waha.violations()[0]["path"].endswith("/messages")


def test_wrong_api_key_is_401_and_nothing_is_stored(waha: FakeWaha) -> None:
    with httpx.Client(base_url=waha.url, headers={"X-Api-Key": "wrong"}) as client:
        response = send(client)
    assert response.status_code == 401
    assert waha.messages() == []


def test_text_and_image_are_stored_listed_and_deleted(waha: FakeWaha, http: httpx.Client) -> None:
    reserved = http.get("/api/default/new-message-id").json()["id"]
    text = send(http, "first", id=reserved)
    assert text.status_code == 201
    assert text.json()["id"] == f"true_{CHAT}_{reserved}"
    image = http.post(
        "/api/sendImage",
        json={
            "session": "default", "chatId": CHAT, "caption": "second",
            "file": {"url": "https://example.org/a.jpg", "mimetype": "image/jpeg"},
        },
    )  # fmt: skip
    assert image.status_code == 201
    listed = http.get(
        f"/api/default/chats/{CHAT}/messages", params={"filter.fromMe": "true", "limit": 10}
    )
    assert [m["body"] for m in listed.json()] in (["second", "first"], ["first", "second"])
    assert http.delete(f"/api/default/chats/{CHAT}/messages/{text.json()['id']}").status_code == 200
    listed = http.get(f"/api/default/chats/{CHAT}/messages", params={"limit": 10}).json()
    assert [m["body"] for m in listed] == ["second"]
    assert [m["deleted"] for m in waha.messages()] == [True, False]
    assert waha.violations() == []


def test_session_not_working_answers_422(waha: FakeWaha, http: httpx.Client) -> None:
    waha.set_session_status("SCAN_QR_CODE")
    response = send(http)
    assert response.status_code == 422
    assert response.json()["status"] == "SCAN_QR_CODE"
    assert http.get("/api/sessions/default").json()["status"] == "SCAN_QR_CODE"
    assert waha.messages() == []


def test_status_fault_before_storing(waha: FakeWaha, http: httpx.Client) -> None:
    waha.set_faults({"plan": [{"kind": "status", "status": 500}]})
    assert send(http).status_code == 500
    assert waha.messages() == []
    assert send(http).status_code == 201  # the fault hit once


def test_429_carries_retry_after(waha: FakeWaha, http: httpx.Client) -> None:
    waha.set_faults({"plan": [{"kind": "status", "status": 429, "retry_after": 7}]})
    response = send(http)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_drop_after_store_keeps_the_message(waha: FakeWaha, http: httpx.Client) -> None:
    waha.set_faults({"plan": [{"kind": "drop_after_store"}]})
    with pytest.raises(httpx.RemoteProtocolError):
        send(http, "stored")
    assert [m["body"] for m in waha.messages()] == ["stored"]


def test_hang_before_storing_times_out_and_stores_nothing(
    waha: FakeWaha, http: httpx.Client
) -> None:
    waha.set_faults({"plan": [{"kind": "hang", "seconds": 3}]})
    with pytest.raises(httpx.ReadTimeout):
        send(http)
    assert waha.messages() == []


def test_hang_after_store_times_out_with_the_message_stored(
    waha: FakeWaha, http: httpx.Client
) -> None:
    waha.set_faults({"plan": [{"kind": "hang_after_store", "seconds": 3}]})
    with pytest.raises(httpx.ReadTimeout):
        send(http, "kept")
    assert [m["body"] for m in waha.messages()] == ["kept"]


def test_random_faults_hit_about_the_rate_asked(waha: FakeWaha, http: httpx.Client) -> None:
    waha.set_faults(
        {"random": {"rate": 0.3, "seed": 11, "faults": [{"kind": "status", "status": 500}]}}
    )
    statuses = [send(http, f"n{i}").status_code for i in range(200)]
    failed = statuses.count(500)
    assert 40 <= failed <= 80, failed
    assert len(waha.messages()) == 200 - failed
    assert waha.violations() == []


def test_unknown_fault_kind_is_refused_by_the_control_api(waha: FakeWaha) -> None:
    response = httpx.post(f"{waha.url}/_control/faults", json={"plan": [{"kind": "explode"}]})
    assert response.status_code == 400


def test_response_validation_catches_a_bad_answer() -> None:
    validator = SpecValidator(WAHA_SPEC)
    bad = json.dumps({"id": 1, "timestamp": "yesterday"}).encode()
    errors = validator.response_errors(
        "POST", "/api/sendText", 201, bad, headers={"X-Api-Key": "k"}
    )
    assert any("timestamp" in line for line in errors)


@pytest.mark.slow
def test_as_a_separate_process_with_control_api() -> None:
    with WahaProcess.start(api_key="k", channels=[f"{CHAT}:Desk:ADMIN"]) as waha:
        waha.set_faults({"plan": [{"kind": "drop_after_store"}]})
        with httpx.Client(base_url=waha.url, headers={"X-Api-Key": "k"}, timeout=2.0) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                send(http, "via process")
            assert http.get("/api/default/channels").json()[0]["role"] == "ADMIN"
        assert [m["body"] for m in waha.messages()] == ["via process"]
        assert waha.faults()["applied"] == [["send", "drop_after_store"]]
        assert waha.violations() == []
        errors = waha.stop()
    assert errors == ""
