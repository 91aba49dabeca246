"""Fixtures of the channel contract suite: a backend's fake, a runtime whose one channel
is that backend (built by the registry, as the app builds it), an outbox over it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.outbox.engine import Outbox, OutboxConfig
from bot.runtime import Runtime
from tests.conftest import make_settings, migrated
from tests.contract.adapter import Backend
from tests.contract.backends import BACKENDS

CONFIG = OutboxConfig(
    max_attempts=5,
    backoff_base=timedelta(seconds=10),
    backoff_cap=timedelta(minutes=5),
    lease=timedelta(seconds=60),
    stale_after=timedelta(hours=2),
)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the contract is about the platform; the store's two engines are the
    integration suite's business."""
    return migrated(f"sqlite:///{tmp_path / 'newsbot.db'}")


@pytest.fixture
def clock() -> FixedClock:
    """Real time, held still: platforms' reset headers and message times are real."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture(params=BACKENDS, ids=lambda kind: kind.id)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    found: Backend = request.param()
    with found.running():
        yield found


def contract_runtime(
    backend: Backend, db_url: str, tmp_path: Path, clock: FixedClock, **group: Any
) -> Runtime:
    settings = make_settings(
        db_url,
        tmp_path,
        channels=[backend.channel],
        **{backend.channel: backend.settings(**group)},
    )
    return Runtime(settings, clock=clock)


@pytest.fixture
def runtime(backend: Backend, db_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Runtime]:
    rt = contract_runtime(backend, db_url, tmp_path, clock)
    backend.prepare(rt.sessions)
    yield rt
    rt.close()


@pytest.fixture
def outbox(runtime: Runtime, clock: FixedClock) -> Outbox:
    return Outbox(runtime.sessions, runtime.channels, clock, CONFIG, "w1", random.Random(5))
