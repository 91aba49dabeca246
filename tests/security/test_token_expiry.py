"""API tokens may expire: an expired one is refused with 401 like a revoked one; the
account page shows each token's expiry and last use. Before, a token lived forever.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.store.models import ApiToken
from tests.browser.webapp import make_client, make_user, sign_in
from tests.conftest import Cli, cli_env, make_settings


def me(runtime: Runtime, token: str) -> int:
    client = make_client(runtime, headers={"Authorization": f"Bearer {token}"})
    status: int = client.get("/api/v1/me").status_code
    return status


@pytest.mark.e2e
def test_a_cli_token_with_expires_is_refused_after_it(db_url: str, tmp_path: Path) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    cli = Cli(work, cli_env(db_url, tmp_path / "data"))
    cli.ok("users", "add", "cms-bot", "--role", "editor", input="a-long-password-1\n")
    issued = datetime.now(UTC)  # the CLI runs on the system clock
    token = cli.ok("users", "token", "cms-bot", "--expires", "1d").stdout.strip()
    forever = cli.ok("users", "token", "cms-bot", "--label", "forever").stdout.strip()
    bad = cli("users", "token", "cms-bot", "--expires", "soon")
    assert bad.returncode == 2
    assert "--expires: expected a duration such as 90d" in bad.stderr
    clock = FixedClock(issued + timedelta(hours=23))
    runtime = Runtime(make_settings(db_url, tmp_path), clock=clock)
    try:
        assert me(runtime, token) == 200
        clock.advance(timedelta(hours=2))  # a day and an hour after it was issued
        assert me(runtime, token) == 401
        assert me(runtime, forever) == 200
    finally:
        runtime.close()


def test_a_dashboard_token_expires_and_the_page_says_so(
    runtime: Runtime, clock: FixedClock
) -> None:
    make_user(runtime, "ana", "editor")
    browser = make_client(runtime)
    csrf = sign_in(browser, "ana")
    page = browser.post("/account/tokens", data={"name": "cms", "expires_days": "7", "csrf": csrf})
    token = page.text.split("data-new-token>")[1].split("<")[0]
    assert me(runtime, token) == 200
    clock.advance(timedelta(days=7))
    answer = make_client(runtime, headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    csrf = sign_in(browser, "ana")  # the dashboard session itself ran out meanwhile
    row = browser.get("/account").text.split("<td>cms</td>")[1].split("</tr>")[0]
    assert "expired" in row
    refused = browser.post(
        "/account/tokens", data={"name": "x", "expires_days": "100000", "csrf": csrf}
    )
    assert refused.status_code in (303, 422)


def test_last_use_is_recorded_at_most_once_a_minute_and_shown(
    runtime: Runtime, clock: FixedClock
) -> None:
    make_user(runtime, "ana", "editor")
    browser = make_client(runtime)
    csrf = sign_in(browser, "ana")
    page = browser.post("/account/tokens", data={"name": "cms", "csrf": csrf})
    token = page.text.split("data-new-token>")[1].split("<")[0]

    def last_used() -> datetime | None:
        with runtime.sessions() as session:
            return session.scalars(select(ApiToken.last_used_at)).one()

    assert "<td data-last-used>never</td>" in browser.get("/account").text
    first = clock.now()
    assert me(runtime, token) == 200
    assert last_used() == first
    clock.advance(30)
    assert me(runtime, token) == 200
    assert last_used() == first  # not written again within the minute
    clock.advance(31)
    assert me(runtime, token) == 200
    assert last_used() == clock.now()
    shown = clock.now().astimezone(runtime.settings.tz).strftime("%Y-%m-%d %H:%M")
    assert f"<td data-last-used>{shown}" in browser.get("/account").text
