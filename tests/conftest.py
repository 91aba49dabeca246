"""Shared fixtures: real SQLite and PostgreSQL databases, a runtime, the CLI in a subprocess."""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.settings import Settings
from bot.store.db import make_engine, upgrade
from tests.paths import REPO

if TYPE_CHECKING:
    from tests.fakes.fake_x import FakeX

PG_ADMIN_URL = os.environ.get(
    "NEWSBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


#: the fakes all live on loopback, which content fetches may not reach by default
LOOPBACK_ALLOW = "127.0.0.0/8,::1"


#: the longest files, first: `make test` hands whole files to its two xdist workers in
#: collection order, two files each to begin with. Chaos and the image then start at once on
#: different workers (the browser joins chaos), instead of the image queueing behind chaos
#: and the run ending on them.
LONGEST_FIRST = ("tests/chaos/", "tests/container/test_image.py", "tests/browser/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        prefixes = [i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)]
        return prefixes[0] if prefixes else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's NEWSBOT_* variables must not leak into tests; the fakes are allowed."""
    for key in list(os.environ):
        if key.startswith("NEWSBOT_") and key != "NEWSBOT_TEST_PG":
            monkeypatch.delenv(key)
    monkeypatch.setenv("NEWSBOT_FETCH_ALLOW", LOOPBACK_ALLOW)


def _pg_admin() -> Any:
    import psycopg

    url = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated template database; each test clones it (cheap) instead of migrating."""
    name = f"newsbot_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = _pg_admin()
    except Exception as exc:  # the tests that need it fail loudly, with the reason
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    migrated(pg_database_url(name))
    yield name
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_database_url(name: str) -> str:
    """The URL of database ``name`` on the test PostgreSQL server."""
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@functools.cache
def _sqlite_template() -> Path:
    """An SQLite database migrated once per test process (per xdist worker)."""
    folder = Path(tempfile.mkdtemp(prefix="newsbot-sqlite-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL: the file alone is whole
    return path


def migrated(url: str) -> str:
    """``url``, its database migrated to head. A new SQLite file is a copy of one migrated
    once per process: running the migrations for each of hundreds of tests took minutes."""
    if url.startswith("sqlite:///"):
        target = Path(url.removeprefix("sqlite:///"))
        if not target.exists():
            shutil.copyfile(_sqlite_template(), target)
            return url
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def new_pg_database(template: str) -> str:
    name = f"newsbot_test_{uuid.uuid4().hex[:10]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def drop_pg_database(name: str) -> None:
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite in a temp folder, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield migrated(f"sqlite:///{tmp_path / 'newsbot.db'}")
        return
    template = request.getfixturevalue("pg_template")
    name = new_pg_database(template)
    yield pg_database_url(name)
    drop_pg_database(name)


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    """A migrated, empty PostgreSQL database only: for what SQLite's single writer makes moot."""
    name = new_pg_database(pg_template)
    yield pg_database_url(name)
    drop_pg_database(name)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    """A fake X for one test; the test fails if the bot sent anything X's spec refuses."""
    # imported here: the OpenAPI tooling loads only for the tests that use the fake
    from tests.fakes.fake_x_fixtures import running_fake

    yield from running_fake()


def make_settings(db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "data_dir": tmp_path / "data",
        "channels": ["x", "whatsapp"],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def runtime(db_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Runtime]:
    rt = Runtime(make_settings(db_url, tmp_path), clock=clock)
    yield rt
    rt.close()


class Cli:
    """The real `newsbot` command in a subprocess, in its own folder and environment."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.env = env

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        timeout: float = 60,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        merged = {**self.env, **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=self.cwd,
            env=merged,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def ok(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        result = self(*args, **kwargs)
        assert result.returncode == 0, (
            f"newsbot {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
        return result


def jsonl(text: str) -> list[dict[str, Any]]:
    """``newsbot ... --json`` output: one JSON object a line."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def cli_env(db_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(
        {
            "NEWSBOT_DATABASE_URL": db_url,
            "NEWSBOT_DATA_DIR": str(data_dir),
            "NEWSBOT_LOG_FORMAT": "json",
            "NEWSBOT_FETCH_ALLOW": LOOPBACK_ALLOW,
            "PYTHONPATH": str(REPO),
        }
    )
    env.update(extra)
    return env


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    work = tmp_path / "cwd"
    work.mkdir()
    return Cli(work, cli_env(db_url, tmp_path / "data"))


@pytest.fixture
def sqlite_cli(tmp_path: Path) -> Cli:
    """The CLI on a migrated SQLite database only: for what does not depend on the database."""
    url = migrated(f"sqlite:///{tmp_path / 'cli.db'}")
    work = tmp_path / "cwd"
    work.mkdir()
    return Cli(work, cli_env(url, tmp_path / "data"))
