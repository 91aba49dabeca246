"""Exactly once, under kill -9 and a faulty network: the newsroom's promise, tested whole.

200 articles, each approved for X and for WhatsApp (400 posts). Real `newsbot worker`
processes — 3 on PostgreSQL, 2 on SQLite, one database each run — publish them to the
fake X and fake WAHA servers, which fail 30 % of sends at random. A supervisor kill -9s
a random worker every few seconds and starts another. At the end every post is on its
platform exactly once, none is missing, none is left ``publishing`` or ``unknown``, and
the store and the audit agree with what the platforms hold.

The figures are printed at the end of the pytest run and written to
``tests/artifacts/chaos-<database>.json``.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.store.db import make_engine, make_sessionmaker
from bot.store.models import Post
from tests.chaos import FIGURES
from tests.chaos.cluster import WORKER_ENV, Supervisor, Workers, wait_until
from tests.chaos.fakes import Platforms
from tests.chaos.seed import seed
from tests.chaos.verify import Figures, check_store, copies
from tests.conftest import cli_env, drop_pg_database, migrated, new_pg_database, pg_database_url
from tests.paths import REPO

# one file, so `make test` (xdist, --dist loadfile) runs the SQLite and PostgreSQL runs one
# after the other on one worker: neither races the other's kills and restarts for the CPU
pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(900)]

ARTICLES = int(os.environ.get("CHAOS_ARTICLES", "200"))
#: faults and kills are random; a run's seed is in its figures, CHAOS_SEED replays them
SEED = int(os.environ.get("CHAOS_SEED") or random.SystemRandom().randrange(1 << 31))
# seconds between two kills, at random, counted from when the new worker runs: it must get
# some work done before it is killed in turn
KILL_EVERY = (3.0, 6.0)
DEADLINE = 480.0  # seconds for everything to be published
ARTIFACTS = REPO / "tests" / "artifacts"


@dataclass
class Database:
    name: str
    url: str
    workers: int


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield Database("sqlite", migrated(f"sqlite:///{tmp_path / 'chaos.db'}"), 2)
        return
    name = new_pg_database(request.getfixturevalue("pg_template"))
    yield Database("postgresql", pg_database_url(name), 3)
    drop_pg_database(name)


def published(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).where(Post.state == "published")) or 0)


def tick_failures(folder: Path) -> Counter[str]:
    """Ticks that raised, by error, across every worker's log."""
    found: Counter[str] = Counter()
    for log in folder.glob("worker-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "tick.failed":
                error = str(event.get("exception", "")).strip().splitlines()
                found[(error[-1] if error else "?")[:160]] += 1
    return found


def test_every_post_goes_out_exactly_once_through_kills_and_faults(
    database: Database, tmp_path: Path
) -> None:
    engine = make_engine(database.url)
    sessions = make_sessionmaker(engine)
    posts = seed(sessions, ARTICLES)
    figures = Figures(database.name, database.workers, SEED, posts=len(posts))
    platforms = Platforms.start(SEED, tmp_path)
    env = cli_env(database.url, tmp_path / "data", **platforms.env(), **WORKER_ENV)
    started = time.monotonic()
    workers = Workers(database.workers, env, tmp_path)
    supervisor = Supervisor(workers, KILL_EVERY, SEED)
    supervisor.start()
    try:
        done = wait_until(lambda: published(sessions) == len(posts), DEADLINE, every=0.25)
        supervisor.stop()
        figures.kills = supervisor.kills
        figures.worker_exit_codes = workers.stop()
        figures.wall_seconds = round(time.monotonic() - started, 1)
        # counted only now: a send still in flight had the workers' grace to land
        x_posts = platforms.x.posts(deleted=True)
        messages = platforms.waha.messages()
        figures.injected_faults = platforms.injected()
        x_requests = platforms.x.requests()
        figures.x_duplicate_refusals = sum(
            1 for r in x_requests if r.get("path") == "/2/tweets" and r.get("status") == 403
        )
        # a request a kill cut short is a dropped connection to the fakes, not a violation
        figures.cut_requests = sum(
            1 for r in x_requests + platforms.waha.requests() if r.get("cut")
        )
        figures.violations = platforms.x.violations() + [
            str(v) for v in platforms.waha.violations()
        ]
    finally:
        supervisor.stop()
        workers.stop()
        platforms.stop()
    counted = {
        "x": copies([p["text"] for p in x_posts if not p["deleted"]], posts, "x"),
        "whatsapp": copies([m["body"] for m in messages if not m["deleted"]], posts, "whatsapp"),
    }
    for per_post in counted.values():
        figures.stray_copies += per_post.pop(-1, 0)
        figures.duplicates += sum(n - 1 for n in per_post.values() if n > 1)
        figures.lost += sum(1 for n in per_post.values() if n == 0)
    by_text = {(ch, text): pid for pid, (ch, text) in posts.items()}
    remote_ids = {
        "x": {p["id"]: by_text.get(("x", p["text"]), -1) for p in x_posts},
        "whatsapp": {m["id"]: by_text.get(("whatsapp", m["body"]), -1) for m in messages},
    }
    check_store(sessions, figures, remote_ids)
    engine.dispose()
    failures = tick_failures(tmp_path)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    record = {**figures.as_json(), "tick_failures": dict(failures)}
    (ARTIFACTS / f"chaos-{database.name}.json").write_text(json.dumps(record, indent=1) + "\n")
    FIGURES.append(figures.table())
    print(figures.table())

    assert supervisor.error is None, supervisor.error
    assert done, f"not all published within {DEADLINE:.0f}s: {figures.states}"
    assert figures.kills > 0 and figures.injected_faults["total"] > 0  # or it proved nothing
    assert figures.duplicates == 0, counted
    assert figures.lost == 0, counted
    assert figures.stray_copies == 0
    assert figures.states == {"published": len(posts)}  # nothing publishing, unknown, failed
    assert figures.wrong_remote_id == 0
    assert figures.missing_audit == 0
    assert figures.duplicate_events == 0
    # X refuses a repeated text itself; none may have been needed: every resend came
    # after a lookup that found nothing
    assert figures.x_duplicate_refusals == 0
    assert figures.violations == []  # every request the workers made, cut ones aside, is valid
    assert figures.worker_exit_codes == [0] * database.workers
    assert not [e for e in failures if "locked" in e], failures
