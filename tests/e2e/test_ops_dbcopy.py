"""`newsbot db copy --to URL`: a desk on SQLite moves to PostgreSQL whole, ids and all."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.store.db import make_engine
from tests.conftest import PG_ADMIN_URL, Cli, _pg_admin, cli_env, jsonl, migrated
from tests.feeds import guardian_server

pytestmark = [pytest.mark.e2e, pytest.mark.pg, pytest.mark.slow]


@pytest.fixture
def empty_pg() -> Iterator[str]:
    """A new, empty PostgreSQL database (not migrated), reached with a password in its URL."""
    name = f"newsbot_copy_{uuid.uuid4().hex[:10]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    server = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgres@", "postgres:copy-pw-4711@")
    yield f"{server}/{name}"
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_desk(tmp_path: Path) -> Cli:
    """A desk on SQLite with a history: sources, articles, posts in several states, audit."""
    url = migrated(f"sqlite:///{tmp_path / 'desk.db'}")
    work = tmp_path / "cwd"
    work.mkdir()
    cli = Cli(work, cli_env(url, tmp_path / "data"))
    with guardian_server(fresh=3) as feeds:
        cli.ok("sources", "add", feeds.url("/feed.rss"))
        cli.ok("sources", "add", feeds.url("/gone.rss"))  # a source that fails: 404
        cli.ok("poll", "--once")
        drafts = jsonl(cli.ok("drafts", "list", "--json").stdout)
        cli.ok("drafts", "approve", str(drafts[0]["id"]))
        cli.ok("drafts", "edit", str(drafts[1]["id"]), "--text", "Edited text https://e.example")
        cli.ok("drafts", "reject", str(drafts[2]["id"]), "--note", "not ours")
        cli.ok("publish", "--once")
        cli.ok("users", "add", "maria", "--role", "editor", input="a long passphrase\n")
    return cli


def snapshot(cli: Cli) -> dict[str, list[dict[str, Any]]]:
    return {
        "drafts": jsonl(cli.ok("drafts", "list", "--json").stdout),
        "log": jsonl(cli.ok("log", "--json").stdout),
        "sources": jsonl(cli.ok("sources", "list", "--json").stdout),
    }


def test_copy_sqlite_to_postgresql_keeps_everything(sqlite_desk: Cli, empty_pg: str) -> None:
    before = snapshot(sqlite_desk)
    assert len(before["drafts"]) == 6 and len(before["sources"]) == 2

    result = sqlite_desk.ok("db", "copy", "--to", empty_pg)
    assert "copy-pw-4711" not in result.stdout + result.stderr  # the password is not shown
    assert "postgres:***@" in result.stdout
    counts = {
        line.split()[0]: int(line.split()[1])
        for line in result.stdout.splitlines()
        if len(line.split()) == 2
    }
    assert counts["posts"] == 6 and counts["sources"] == 2 and counts["users"] == 1
    assert counts["articles"] == 55 and counts["audit_events"] == len(before["log"])

    pg = Cli(sqlite_desk.cwd, {**sqlite_desk.env, "NEWSBOT_DATABASE_URL": empty_pg})
    after = snapshot(pg)
    assert after == before  # same rows, same ids, same times, same texts

    # the sequences moved past the copied ids: new rows get the next id, not 1
    pg.ok("sources", "add", "https://new.example/feed.rss")
    sources = jsonl(pg.ok("sources", "list", "--json").stdout)
    assert sorted(s["id"] for s in sources) == [1, 2, 3]
    pending = next(d for d in after["drafts"] if d["state"] == "pending_review")
    pg.ok("drafts", "approve", str(pending["id"]))
    log = jsonl(pg.ok("log", "--json").stdout)
    # `sources add` is audited too (source_added), then the approval
    assert [e["action"] for e in log[-2:]] == ["source_added", "approved"]
    assert log[-2]["id"] == max(e["id"] for e in before["log"]) + 1
    assert pg.ok("drafts", "show", str(before["drafts"][0]["id"])).returncode == 0

    # a second copy into the same (now non-empty) database is refused
    again = sqlite_desk("db", "copy", "--to", empty_pg)
    assert again.returncode == 2
    assert again.stderr.strip().startswith("newsbot: the target is not empty (table ")


def test_copy_refuses_a_target_at_another_revision(sqlite_cli: Cli, empty_pg: str) -> None:
    from alembic import command

    from bot.store.db import alembic_config

    engine = make_engine(empty_pg)
    command.upgrade(alembic_config(engine), "0001")
    engine.dispose()
    refused = sqlite_cli("db", "copy", "--to", empty_pg)
    assert refused.returncode == 2
    assert "the target is at revision 0001" in refused.stderr
    assert "run `newsbot db upgrade` on both first" in refused.stderr


def test_copy_refuses_bad_or_same_targets(sqlite_cli: Cli) -> None:
    bad = sqlite_cli("db", "copy", "--to", "mysql://x@y/z")
    assert bad.returncode == 2 and bad.stderr.startswith("newsbot: --to: expected a URL")
    same = sqlite_cli("db", "copy", "--to", sqlite_cli.env["NEWSBOT_DATABASE_URL"])
    assert same.returncode == 2 and "the configured database itself" in same.stderr
