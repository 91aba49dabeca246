"""Changing a password: on the account page (the current one first, the new one twice) and
with `newsbot users passwd`; the other sessions end. Before, there was no way to change one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.store.models import AuditEvent
from tests.browser.webapp import PASSWORD, csrf_of, make_client, make_user, sign_in
from tests.conftest import Cli, cli_env, make_settings

NEW = "a much longer passphrase"


def can_sign_in(runtime: Runtime, name: str, password: str) -> bool:
    client = make_client(runtime)
    page = client.get("/signin")
    answer = client.post(
        "/signin", data={"name": name, "password": password, "csrf": csrf_of(page.text)}
    )
    return bool(answer.status_code == 303) and signed_in(client)


def signed_in(client: TestClient) -> bool:
    status: int = client.get("/account").status_code
    return status == 200


def test_password_change_on_the_account_page(runtime: Runtime) -> None:
    make_user(runtime, "ana", "editor")
    laptop, phone = make_client(runtime), make_client(runtime)
    csrf = sign_in(laptop, "ana")
    sign_in(phone, "ana")
    assert 'action="/account/password"' in laptop.get("/account").text
    answer = laptop.post(
        "/account/password", data={"current": PASSWORD, "new": NEW, "again": NEW, "csrf": csrf}
    )
    assert answer.status_code == 303
    assert "Password changed" in laptop.get(answer.headers["location"]).text
    assert signed_in(laptop)  # the session that changed it stays
    assert not signed_in(phone)  # every other one is signed out
    assert not can_sign_in(runtime, "ana", PASSWORD)
    assert can_sign_in(runtime, "ana", NEW)
    with runtime.sessions() as session:
        [event] = session.scalars(select(AuditEvent)).all()
    assert (event.action, event.actor, event.detail["user"]) == ("password_changed", "ana", "ana")
    assert PASSWORD not in str(event.detail) and NEW not in str(event.detail)


@pytest.mark.parametrize(
    ("current", "new", "again", "says"),
    [
        ("not my password", NEW, NEW, "current password is wrong"),
        (PASSWORD, NEW, NEW + "x", "do not match"),
        (PASSWORD, "short", "short", "at least 10 characters"),
    ],
    ids=["wrong-current", "mismatch", "too-short"],
)
def test_a_refused_change_changes_nothing(
    runtime: Runtime, current: str, new: str, again: str, says: str
) -> None:
    make_user(runtime, "ana", "editor")
    laptop, phone = make_client(runtime), make_client(runtime)
    csrf = sign_in(laptop, "ana")
    sign_in(phone, "ana")
    answer = laptop.post(
        "/account/password", data={"current": current, "new": new, "again": again, "csrf": csrf}
    )
    assert answer.status_code == 303
    assert says in laptop.get(answer.headers["location"]).text
    assert signed_in(phone)
    assert can_sign_in(runtime, "ana", PASSWORD)
    with runtime.sessions() as session:
        assert session.scalars(select(AuditEvent)).all() == []


def test_a_change_without_the_csrf_token_is_refused(runtime: Runtime) -> None:
    make_user(runtime, "ana", "editor")
    laptop = make_client(runtime)
    sign_in(laptop, "ana")
    answer = laptop.post("/account/password", data={"current": PASSWORD, "new": NEW, "again": NEW})
    assert answer.status_code == 403
    assert can_sign_in(runtime, "ana", PASSWORD)


@pytest.mark.e2e
def test_users_passwd_sets_it_and_signs_the_account_out(
    db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    cli = Cli(work, cli_env(db_url, tmp_path / "data"))
    runtime = Runtime(make_settings(db_url, tmp_path), clock=clock)
    try:
        make_user(runtime, "ana", "admin")
        browser = make_client(runtime)
        sign_in(browser, "ana")
        assert cli("users", "passwd", "ana", input="short\n").returncode == 2
        assert cli("users", "passwd", "nobody", input=f"{NEW}\n").returncode == 2
        done = cli.ok("users", "passwd", "ana", input=f"{NEW}\n")
        assert "password changed for ana" in done.stdout
        assert not signed_in(browser)
        assert not can_sign_in(runtime, "ana", PASSWORD)
        assert can_sign_in(runtime, "ana", NEW)
    finally:
        runtime.close()
