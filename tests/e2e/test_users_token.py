"""`newsbot users token`: an API token for a CMS, issued without a browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.store.db import make_engine
from bot.store.models import ApiToken
from tests.conftest import Cli

pytestmark = pytest.mark.e2e


def test_a_token_is_printed_once_and_stored_hashed(sqlite_cli: Cli) -> None:
    sqlite_cli.ok("users", "add", "cms-bot", "--role", "editor", input="a-long-password-1\n")
    token = sqlite_cli.ok("users", "token", "cms-bot", "--label", "cms").stdout.strip()
    assert token.startswith("nbt_") and len(token) > 30
    engine = make_engine(sqlite_cli.env["NEWSBOT_DATABASE_URL"])
    with engine.connect() as connection:
        stored = connection.execute(select(ApiToken.name, ApiToken.token_hash)).all()
    engine.dispose()
    assert [name for name, _ in stored] == ["cms"]
    assert all(token not in value for _, value in stored)
    refused = sqlite_cli("users", "token", "nobody")
    assert refused.returncode == 2
    assert (
        refused.stderr.strip() == "newsbot: no active user nobody; add one with `newsbot users add`"
    )
