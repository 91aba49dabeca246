"""Signing in and out: argon2 accounts, cookie flags, rate limits, no page without a session."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.runtime import Runtime
from tests.browser.webapp import PASSWORD, csrf_of, make_client, make_user, sign_in

PAGES = [
    "/",
    "/posts/1",
    "/published",
    "/failures",
    "/audit",
    "/audit/export.csv",
    "/overview",
    "/admin",
    "/account",
    "/posts/1/withdraw",
]


def _try(client, name: str, password: str):  # type: ignore[no-untyped-def]
    page = client.get("/signin")
    return client.post(
        "/signin", data={"name": name, "password": password, "csrf": csrf_of(page.text)}
    )


def test_first_run_shows_how_to_make_an_admin(runtime: Runtime) -> None:
    client = make_client(runtime)
    first = client.get("/")
    assert first.status_code == 303 and first.headers["location"] == "/signin"
    page = client.get("/signin")
    assert page.status_code == 200
    assert "newsbot users add NAME --role admin" in page.text
    make_user(runtime, "ana", "admin")
    assert "newsbot users add" not in client.get("/signin").text


@pytest.mark.parametrize("path", PAGES)
def test_no_page_without_signing_in(runtime: Runtime, path: str) -> None:
    make_user(runtime, "ana", "admin")
    answer = make_client(runtime).get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin")


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session(runtime: Runtime) -> None:
    make_user(runtime, "ana", "editor")
    client = make_client(runtime)
    page = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"name": "ana", "password": PASSWORD, "csrf": csrf_of(page.text), "next": "/audit"},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/audit"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "newsbot_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    token = client.cookies["newsbot_session"]
    assert client.get("/").status_code == 200
    csrf = csrf_of(client.get("/").text)
    assert client.post("/signout", data={"csrf": csrf}).status_code == 303
    # the old cookie is dead on the server, not only forgotten by this browser
    client.cookies.set("newsbot_session", token)
    assert client.get("/").status_code == 303


def test_cookie_is_secure_behind_https(runtime: Runtime) -> None:
    make_user(runtime, "ana", "editor")
    client = make_client(runtime, base_url="https://desk.example")
    page = client.get("/signin")
    answer = client.post(
        "/signin", data={"name": "ana", "password": PASSWORD, "csrf": csrf_of(page.text)}
    )
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "newsbot_session=" in c)
    assert "Secure" in cookie
    assert answer.headers["strict-transport-security"].startswith("max-age=")


def test_wrong_passwords_lock_the_account_for_a_while(runtime: Runtime, clock: FixedClock) -> None:
    make_user(runtime, "ana", "editor")
    client = make_client(runtime)
    for _ in range(5):
        answer = _try(client, "ana", "wrong password!")
        assert answer.status_code == 401 and "Wrong name or password" in answer.text
    locked = _try(client, "ana", PASSWORD)  # even the right password, for now
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "newsbot_session" not in client.cookies
    clock.advance(timedelta(minutes=16))
    assert _try(client, "ana", PASSWORD).status_code == 303


def test_many_failures_from_one_address_are_refused(runtime: Runtime) -> None:
    make_user(runtime, "ana", "editor")
    client = make_client(runtime)
    for i in range(20):
        assert _try(client, f"nobody{i}", "wrong password!").status_code == 401
    assert _try(client, "ana", PASSWORD).status_code == 429


def test_a_disabled_account_cannot_sign_in(runtime: Runtime) -> None:
    make_user(runtime, "ana", "admin")
    make_user(runtime, "bo", "editor")
    admin = make_client(runtime)
    csrf = sign_in(admin, "ana")
    bo = make_client(runtime)
    sign_in(bo, "bo")
    page = admin.get("/admin").text
    user_id = page.split('data-user="bo"')[1].split("/admin/users/")[1].split("/")[0]
    admin.post(f"/admin/users/{user_id}/disabled", data={"csrf": csrf, "disabled": "yes"})
    assert bo.get("/").status_code == 303  # signed out everywhere
    assert _try(make_client(runtime), "bo", PASSWORD).status_code == 401


def test_sign_in_form_needs_its_csrf_token_and_never_redirects_off_site(runtime: Runtime) -> None:
    make_user(runtime, "ana", "editor")
    client = make_client(runtime)
    client.get("/signin")
    refused = client.post("/signin", data={"name": "ana", "password": PASSWORD, "csrf": "x"})
    assert refused.status_code == 403 and "newsbot_session" not in client.cookies
    page = client.get("/signin?next=//evil.example/")
    answer = client.post(
        "/signin",
        data={
            "name": "ana",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
            "next": "//evil.example/",
        },
    )
    assert answer.headers["location"] == "/"
