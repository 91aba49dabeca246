"""Claims under real concurrency: however many workers ask at once, each post (source,
article) goes to exactly one of them.

Threads share nothing but the database; on PostgreSQL each holds its own connection, so
the claims really overlap (psycopg releases the GIL while it waits on the server). The
process test runs the same claim from separate interpreters, as replicas do.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk import changes
from bot.desk.commands import Edit
from bot.drafting import claim_article
from bot.outbox.claims import claim_post, claim_unknown
from bot.sources.rounds import claim_sources
from bot.store.db import make_engine, make_sessionmaker, transaction
from bot.store.models import Post, Source
from tests.posts import add_article, add_post

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)
STALE = timedelta(hours=2)
THREADS = 8


def seed(url: str, posts: int = 0, state: str = "approved", sources: int = 0) -> None:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        for i in range(posts):
            status = "new" if state == "new" else "drafted"
            article = add_article(
                session,
                NOW,
                f"https://n.example/{i}",
                guid=f"g{i}",
                title=f"Story {i}",
                status=status,
            )
            if state != "new":
                add_post(session, article, f"Story {i}", NOW, state=state, approved_at=NOW)
        for i in range(sources):
            session.add(
                Source(url=f"https://feeds.example/{i}.xml", failures_in_row=0, created_at=NOW)
            )
    engine.dispose()


def race(url: str, claim: Callable[[Session, str], list[int]]) -> dict[str, list[int]]:
    """THREADS workers claim until nothing is left; what each one got."""
    engine = make_engine(url, pool_size=THREADS, max_overflow=0)
    sessions = make_sessionmaker(engine)
    got: dict[str, list[int]] = {f"w{i}": [] for i in range(THREADS)}
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(name: str) -> None:
        try:
            start.wait()
            while True:
                with transaction(sessions) as session:
                    ids = claim(session, name)
                if not ids:
                    return
                got[name].extend(ids)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in got]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine.dispose()
    assert not errors, errors
    return got


def assert_each_once(got: dict[str, list[int]], expected: int) -> None:
    counts = Counter(i for ids in got.values() for i in ids)
    twice = {i: n for i, n in counts.items() if n > 1}
    assert not twice, f"claimed by more than one worker: {twice}"
    assert len(counts) == expected
    # the work really was shared, or the test proved nothing about concurrency
    assert sum(1 for ids in got.values() if ids) >= 2


def test_concurrent_workers_never_claim_the_same_post(db_url: str) -> None:
    seed(db_url, posts=300)
    got = race(
        db_url, lambda s, w: [i] if (i := claim_post(s, ["x"], w, NOW, LEASE, STALE)) else []
    )
    assert_each_once(got, 300)
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        rows = session.execute(select(Post.id, Post.state, Post.claimed_by, Post.attempts)).all()
    engine.dispose()
    owner = {i: name for name, ids in got.items() for i in ids}
    assert {(r.state, r.attempts) for r in rows} == {("publishing", 1)}
    assert all(owner[r.id] == r.claimed_by for r in rows)


def test_concurrent_reconcilers_never_take_the_same_unknown_post(db_url: str) -> None:
    seed(db_url, posts=200, state="unknown")
    got = race(db_url, lambda s, w: [i] if (i := claim_unknown(s, w, NOW, LEASE)) else [])
    assert_each_once(got, 200)


def test_concurrent_pollers_never_claim_the_same_source(db_url: str) -> None:
    seed(db_url, sources=240)
    got = race(db_url, lambda s, w: claim_sources(s, w, NOW, LEASE, limit=3))
    assert_each_once(got, 240)


def test_concurrent_drafters_never_claim_the_same_article(db_url: str) -> None:
    seed(db_url, posts=300, state="new")
    got = race(db_url, lambda s, _w: [i] if (i := claim_article(s, NOW, LEASE)) else [])
    assert_each_once(got, 300)


def test_a_claimed_source_is_not_polled_again_until_its_lease_ends(db_url: str) -> None:
    seed(db_url, sources=1)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        assert claim_sources(session, "a", NOW, LEASE) == [1]
    with transaction(sessions) as session:
        assert claim_sources(session, "b", NOW + LEASE - timedelta(seconds=1), LEASE) == []
    with transaction(sessions) as session:
        assert claim_sources(session, "b", NOW + LEASE + timedelta(seconds=1), LEASE) == [1]
    engine.dispose()


@pytest.mark.pg
def test_a_locked_post_is_skipped_not_waited_for(pg_url: str) -> None:
    """SKIP LOCKED: while one worker's claim is still uncommitted, another gets the next
    post at once instead of queueing behind the lock. (PostgreSQL only: SQLite has one
    writer, so there the second claim waits by design.)"""
    db_url = pg_url
    seed(db_url, posts=2)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    first = sessions()
    first.begin()
    held = claim_post(first, ["x"], "a", NOW, LEASE, STALE)
    result: list[int | None] = []

    def second() -> None:
        with transaction(sessions) as session:
            session.connection().exec_driver_sql("SET LOCAL lock_timeout = '5s'")
            result.append(claim_post(session, ["x"], "b", NOW, LEASE, STALE))

    started = time.monotonic()
    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=10)
    waited = time.monotonic() - started
    first.commit()
    first.close()
    engine.dispose()
    assert result and result[0] is not None and result[0] != held
    assert waited < 2.0, f"the second claim waited {waited:.1f}s for the first one's lock"


# -- separate processes, as replicas ------------------------------------------------------


def _claim_in_process(url: str, name: str, start_at: float) -> list[int]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    time.sleep(max(0.0, start_at - time.time()))
    got: list[int] = []
    while True:
        with transaction(sessions) as session:
            post_id = claim_post(session, ["x"], name, NOW, LEASE, STALE)
        if post_id is None:
            engine.dispose()
            return got
        got.append(post_id)


@pytest.mark.slow
def test_worker_processes_never_claim_the_same_post(db_url: str) -> None:
    seed(db_url, posts=200)
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 3.0  # all interpreters are up by then
    with context.Pool(4) as pool:
        results = pool.starmap(
            _claim_in_process, [(db_url, f"p{i}", start_at) for i in range(4)], chunksize=1
        )
    assert_each_once({f"p{i}": ids for i, ids in enumerate(results)}, 200)


@pytest.mark.pg
def test_a_post_an_editor_is_changing_is_not_claimed_under_them(pg_url: str) -> None:
    """`drafts edit` locks the post it changes (as the dashboard does): a worker's claim
    skips it, and then finds it back in review — never sends the words being replaced.
    (PostgreSQL only: on SQLite the claim simply waits for the edit's transaction.)"""
    db_url = pg_url
    seed(db_url, posts=1)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    editor = sessions()
    editor.begin()
    post = changes.get_post(editor, 1, for_update=True)
    assert post.state == "approved"
    with transaction(sessions) as session:
        assert claim_post(session, ["x"], "w", NOW, LEASE, STALE) is None
    changes.edit(editor, post, "ed", NOW, Edit(post.id, text="Better words"))
    editor.commit()
    editor.close()
    with transaction(sessions) as session:
        assert claim_post(session, ["x"], "w", NOW, LEASE, STALE) is None
        assert session.get_one(Post, 1).state == "pending_review"
    engine.dispose()
