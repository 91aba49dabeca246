"""The fake X itself: it must refuse what X's spec refuses and misbehave exactly as told.

Driven with plain requests + requests-oauthlib (not the bot), so these tests say what the
fake does independently of the code it is used to test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests
from requests_oauthlib import OAuth1

from tests.fakes.fake_x import CREDENTIALS, FakeX
from tests.fakes.fake_x_state import USER
from tests.paths import REPO

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fake() -> Iterator[FakeX]:
    with FakeX(hang_seconds=3) as server:
        yield server


@pytest.fixture
def auth() -> OAuth1:
    c = CREDENTIALS
    return OAuth1(c.api_key, c.api_secret, c.access_token, c.access_token_secret)


def post(fake: FakeX, auth: OAuth1, body: dict[str, object], **kwargs: object) -> requests.Response:
    return requests.post(f"{fake.base_url}/2/tweets", json=body, auth=auth, timeout=5, **kwargs)  # type: ignore[arg-type]


def test_a_valid_post_is_stored_and_links_come_back_as_tco(fake: FakeX, auth: OAuth1) -> None:
    answer = post(fake, auth, {"text": "Rates rise https://example.com/story?id=1 & more"})
    assert answer.status_code == 201
    data = answer.json()["data"]
    assert data["text"].startswith("Rates rise https://t.co/")
    assert "example.com" not in data["text"]
    assert data["text"].endswith("&amp; more")  # X escapes &, < and >
    assert answer.headers["x-user-limit-24hour-remaining"] == "99"
    assert int(answer.headers["x-rate-limit-reset"]) > time.time()
    assert [p.text for p in fake.posts()] == ["Rates rise https://example.com/story?id=1 & more"]
    assert fake.violations == []


def test_a_request_off_the_spec_is_refused_and_recorded(fake: FakeX, auth: OAuth1) -> None:
    answer = post(fake, auth, {"text": "hello", "thread": True})
    assert answer.status_code == 400
    assert fake.posts() == []
    assert len(fake.violations) == 1
    assert "thread" in fake.violations[0]


def test_an_unknown_query_parameter_is_refused(fake: FakeX, auth: OAuth1) -> None:
    url = f"{fake.base_url}/2/users/{USER['id']}/tweets"
    answer = requests.get(url, params={"tweet.fields": "created_at"}, auth=auth, timeout=5)
    assert answer.status_code == 400
    assert "tweet.fields" in fake.violations[0]


def test_a_request_without_oauth_is_a_violation(fake: FakeX) -> None:
    answer = requests.post(f"{fake.base_url}/2/tweets", json={"text": "hi"}, timeout=5)
    assert answer.status_code == 401
    assert fake.posts() == []
    assert "OAuth 1.0a header" in fake.violations[0]


def test_a_bearer_token_does_not_reach_the_user_context_endpoints(fake: FakeX) -> None:
    headers = {"Authorization": "Bearer AAAA"}
    answer = requests.post(
        f"{fake.base_url}/2/tweets", json={"text": "hi"}, headers=headers, timeout=5
    )
    assert answer.status_code == 401
    assert fake.violations


def test_a_wrong_secret_gets_401_like_x_and_is_not_a_violation(fake: FakeX) -> None:
    c = CREDENTIALS
    wrong = OAuth1(c.api_key, "not-the-secret", c.access_token, c.access_token_secret)
    answer = requests.get(f"{fake.base_url}/2/users/me", auth=wrong, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["title"] == "Unauthorized"
    assert fake.violations == []
    assert fake.state.auth_failures == ["GET /2/users/me"]


def test_a_signature_for_another_host_is_refused(fake: FakeX, auth: OAuth1) -> None:
    # sign for api.x.com, send to the fake: what a client that rewrites URLs after signing does
    prepared = requests.Request("GET", "https://api.x.com/2/users/me", auth=auth).prepare()
    prepared.url = f"{fake.base_url}/2/users/me"
    prepared.headers["Host"] = f"127.0.0.1:{fake.port}"
    answer = requests.Session().send(prepared, timeout=5)
    assert answer.status_code == 401


def test_the_same_text_twice_is_refused_as_duplicate_content(fake: FakeX, auth: OAuth1) -> None:
    assert post(fake, auth, {"text": "Same words"}).status_code == 201
    again = post(fake, auth, {"text": "Same words"})
    assert again.status_code == 403
    assert "duplicate content" in again.json()["detail"]
    assert len(fake.posts()) == 1


def test_the_24_hour_post_limit_answers_429_with_its_headers(auth: OAuth1) -> None:
    with FakeX(user_limit_24h=2) as fake:
        assert post(fake, auth, {"text": "one"}).status_code == 201
        second = post(fake, auth, {"text": "two"})
        assert second.headers["x-user-limit-24hour-remaining"] == "0"
        third = post(fake, auth, {"text": "three"})
        assert third.status_code == 429
        assert third.headers["x-user-limit-24hour-remaining"] == "0"
        assert int(third.headers["x-user-limit-24hour-reset"]) > time.time() + 86000
        assert [p.text for p in fake.posts()] == ["one", "two"]


@pytest.mark.parametrize(
    ("action", "status", "marker"),
    [
        ("401", 401, "Unauthorized"),
        ("402", 402, "CreditsDepleted"),
        ("403_duplicate", 403, "duplicate content"),
        ("403_forbidden", 403, "not permitted"),
        ("403_oauth1_permissions", 403, "oauth1 app permissions"),
        ("500", 500, "Internal Server Error"),
        ("503", 503, "Service Unavailable"),
    ],
)
def test_told_faults_answer_as_x_does_and_store_nothing(
    fake: FakeX, auth: OAuth1, action: str, status: int, marker: str
) -> None:
    fake.fail(action)
    answer = post(fake, auth, {"text": "faulty"})
    assert answer.status_code == status
    assert marker in answer.text
    assert fake.posts() == []
    assert post(fake, auth, {"text": "faulty"}).status_code == 201  # one time only


def test_a_told_429_carries_the_reset_time(fake: FakeX, auth: OAuth1) -> None:
    fake.plan({"reset_in": 42})
    fake.fail("429")
    answer = post(fake, auth, {"text": "later"})
    assert answer.status_code == 429
    assert answer.headers["x-rate-limit-remaining"] == "0"
    assert abs(int(answer.headers["x-rate-limit-reset"]) - (time.time() + 42)) < 3
    assert "x-user-limit-24hour-remaining" in answer.headers


def test_drop_after_store_stores_and_says_nothing(fake: FakeX, auth: OAuth1) -> None:
    fake.fail("drop_after_store")
    with pytest.raises(requests.ConnectionError):
        post(fake, auth, {"text": "stored then dropped"})
    assert [p.text for p in fake.posts()] == ["stored then dropped"]


def test_drop_before_store_says_nothing_and_stores_nothing(fake: FakeX, auth: OAuth1) -> None:
    fake.fail("drop_before_store")
    with pytest.raises(requests.ConnectionError):
        post(fake, auth, {"text": "never stored"})
    assert fake.posts() == []


def test_hang_outlasts_the_client_timeout_and_stores_nothing(fake: FakeX, auth: OAuth1) -> None:
    fake.fail("hang")
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{fake.base_url}/2/tweets", json={"text": "slow"}, auth=auth, timeout=(2, 0.5)
        )
    assert fake.posts() == []


def test_hang_after_store_stores(fake: FakeX, auth: OAuth1) -> None:
    fake.fail("hang_after_store")
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{fake.base_url}/2/tweets", json={"text": "slow"}, auth=auth, timeout=(2, 0.5)
        )
    assert [p.text for p in fake.posts()] == ["slow"]


def test_the_timeline_filters_by_time_and_pages(fake: FakeX, auth: OAuth1) -> None:
    for n in range(7):
        assert post(fake, auth, {"text": f"post {n}"}).status_code == 201
    url = f"{fake.base_url}/2/users/{USER['id']}/tweets"
    first = requests.get(url, params={"max_results": 5}, auth=auth, timeout=5).json()
    assert [p["text"] for p in first["data"]] == [f"post {n}" for n in (6, 5, 4, 3, 2)]
    params = {"max_results": 5, "pagination_token": first["meta"]["next_token"]}
    second = requests.get(url, params=params, auth=auth, timeout=5).json()
    assert [p["text"] for p in second["data"]] == ["post 1", "post 0"]
    future = requests.get(url, params={"start_time": "2099-01-01T00:00:00Z"}, auth=auth, timeout=5)
    assert future.json() == {"meta": {"result_count": 0}}
    assert fake.violations == []


def test_media_upload_then_post_with_it(fake: FakeX, auth: OAuth1) -> None:
    files = {"media": ("photo.png", PNG, "image/png")}
    upload = requests.post(
        f"{fake.base_url}/2/media/upload",
        files=files,
        data={"media_category": "tweet_image"},
        auth=auth,
        timeout=5,
    )
    assert upload.status_code == 200
    media_id = upload.json()["data"]["id"]
    answer = post(fake, auth, {"text": "with a photo", "media": {"media_ids": [media_id]}})
    assert answer.status_code == 201
    assert answer.json()["data"]["text"].startswith("with a photo https://t.co/")
    assert fake.posts()[0].media_ids == [media_id]
    unknown = post(fake, auth, {"text": "bad media", "media": {"media_ids": ["123"]}})
    assert unknown.status_code == 400
    assert fake.violations == []


def test_media_upload_refuses_what_is_not_an_image(fake: FakeX, auth: OAuth1) -> None:
    files = {"media": ("page.html", b"<html>", "text/html")}
    upload = requests.post(
        f"{fake.base_url}/2/media/upload",
        files=files,
        data={"media_category": "tweet_image"},
        auth=auth,
        timeout=5,
    )
    assert upload.status_code == 400


def test_delete_removes_then_404(fake: FakeX, auth: OAuth1) -> None:
    post_id = post(fake, auth, {"text": "to withdraw"}).json()["data"]["id"]
    first = requests.delete(f"{fake.base_url}/2/tweets/{post_id}", auth=auth, timeout=5)
    assert first.json() == {"data": {"deleted": True}}
    assert fake.posts() == []
    assert fake.posts(include_deleted=True)[0].deleted
    again = requests.delete(f"{fake.base_url}/2/tweets/{post_id}", auth=auth, timeout=5)
    assert again.status_code == 404


def test_a_random_plan_is_repeatable_with_its_seed(auth: OAuth1) -> None:
    def run() -> list[str]:
        with FakeX() as fake:
            fake.plan({"random": {"rate": 0.5, "actions": ["500", "503"], "seed": 7}})
            for n in range(12):
                post(fake, auth, {"text": f"n{n}"})
            return [r.get("action", "") for r in fake.requests("POST", "/2/tweets")]

    first, second = run(), run()
    assert first == second
    assert {"ok", "500", "503"} <= set(first)


@pytest.mark.slow
def test_runs_as_a_process_with_a_state_file(tmp_path: os.PathLike[str], auth: OAuth1) -> None:
    state = os.path.join(tmp_path, "x.json")
    plan = json.dumps({"rules": [{"action": "500", "method": "POST", "path": "/2/tweets"}]})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.fake_x",
            "--port",
            "0",
            "--state-file",
            state,
            "--plan",
            plan,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base = json.loads(process.stdout.readline())["base_url"]
        first = requests.post(
            f"{base}/2/tweets", json={"text": "from a process"}, auth=auth, timeout=5
        )
        assert first.status_code == 500
        second = requests.post(
            f"{base}/2/tweets", json={"text": "from a process"}, auth=auth, timeout=5
        )
        assert second.status_code == 201
        listed = requests.get(f"{base}/_control/posts", timeout=5).json()["posts"]
        assert [p["text"] for p in listed] == ["from a process"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    with open(state, encoding="utf-8") as handle:
        saved = json.load(handle)
    assert [p["text"] for p in saved["posts"]] == ["from a process"]


def test_the_control_api_changes_only_what_a_plan_names(fake: FakeX, auth: OAuth1) -> None:
    fake.fail("500")
    control = f"{fake.base_url}/_control/faults"
    assert requests.post(control, json={"access_level": "read"}, timeout=5).status_code == 200
    me = requests.get(f"{fake.base_url}/2/users/me", auth=auth, timeout=5)
    assert me.headers["x-access-level"] == "read"
    assert post(fake, auth, {"text": "still faulted"}).status_code == 500
    fake.fail("503", times=None)
    assert requests.delete(control, timeout=5).status_code == 200
    assert post(fake, auth, {"text": "no faults left"}).status_code == 201
    refused = requests.post(control, json={"rules": [{"action": "explode"}]}, timeout=5)
    assert refused.status_code == 400 and "explode" in refused.json()["error"]


def signed_post(fake: FakeX, auth: OAuth1, text: str) -> tuple[bytes, bytes]:
    """A signed ``POST /2/tweets`` as bytes on the wire: (request line and headers, body)."""
    prepared = requests.Request(
        "POST", f"{fake.base_url}/2/tweets", json={"text": text}, auth=auth
    ).prepare()
    assert isinstance(prepared.body, bytes)
    lines = ["POST /2/tweets HTTP/1.1", f"Host: 127.0.0.1:{fake.port}"]
    lines += [
        f"{name}: {value.decode() if isinstance(value, bytes) else value}"
        for name, value in prepared.headers.items()
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), prepared.body


def send_and_vanish(fake: FakeX, data: bytes) -> None:
    """Write ``data`` and close without reading: what a client killed mid-request leaves."""
    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as conn:
        conn.sendall(data)


def logged(fake: FakeX, n: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 30
    while len(fake.requests()) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    return fake.requests()


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_request_cut_short_by_a_dying_client_is_a_dropped_connection(
    fake: FakeX, auth: OAuth1, where: str
) -> None:
    head, body = signed_post(fake, auth, "cut short")
    send_and_vanish(fake, head + body[:5] if where == "body" else head[: len(head) // 2])
    [entry] = logged(fake, 1)
    assert entry["cut"] is True
    assert fake.violations == []  # nothing wrong with what the client meant to send
    assert fake.posts() == []


def test_a_complete_request_whose_client_vanishes_is_still_served(
    fake: FakeX, auth: OAuth1
) -> None:
    head, body = signed_post(fake, auth, "sent, then the client died")
    send_and_vanish(fake, head + body)
    [entry] = logged(fake, 1)
    assert "cut" not in entry
    deadline = time.monotonic() + 30
    while not fake.posts() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [p.text for p in fake.posts()] == ["sent, then the client died"]
    assert fake.violations == []


def test_a_complete_request_without_its_body_is_still_a_violation(
    fake: FakeX, auth: OAuth1
) -> None:
    answer = requests.post(
        f"{fake.base_url}/2/tweets",
        auth=auth,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert any("request body" in v for v in fake.violations), fake.violations
