"""The composition root: settings in, wired parts out (store, channels, editor, outbox).

The CLI, the worker and the web app all start from a ``Runtime``; each round below is one
idempotent tick that takes its work from the database.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.settings import Settings
from bot.store.db import make_engine, make_sessionmaker, transaction
from bot.store.models import Source

# The parts below are imported where used: `newsbot drafts list` should not pay for
# trafilatura, twitter-text and the HTTP stack at every start.
if TYPE_CHECKING:
    import httpx

    from bot.channels.base import Publisher
    from bot.drafting import DraftPolicy
    from bot.editorial.compose import Editor
    from bot.editorial.model import ArticleData
    from bot.outbox.engine import Outbox
    from bot.sources.poll import PollResult

log = structlog.get_logger("bot.runtime")

#: feeds fetched at once
POLL_CONCURRENCY = 16

EXAMPLE_FEED = Path(__file__).resolve().parent / "example" / "feed.xml"


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Runtime:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    engine: Engine = field(init=False)
    sessions: sessionmaker[Session] = field(init=False)
    worker: str = field(default_factory=worker_id)
    _client: httpx.Client | None = field(default=None, init=False)
    _service_client: httpx.Client | None = field(default=None, init=False)
    _channels: dict[str, Publisher] | None = field(default=None, init=False)
    _editor: Editor | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.settings.database_url)
        self.sessions = make_sessionmaker(self.engine)
        from bot.alerts import Alerter, attach

        # failures alert after their transaction commits (NEWSBOT_ALERTS__WEBHOOK_URL)
        attach(
            self.sessions,
            Alerter.from_settings(self.settings, lambda: self.service_client, self.clock),
        )

    # built on first use: `newsbot drafts list` needs none of these
    @property
    def client(self) -> httpx.Client:
        """For URLs from content or users (feeds, pages): the egress policy applies."""
        if self._client is None:
            from bot.egress import EgressPolicy
            from bot.egress_transport import content_client

            self._client = content_client(
                EgressPolicy.from_allow(self.settings.fetch_allow),
                timeout=self.settings.fetch_timeout,
                user_agent=self.settings.user_agent,
            )
        return self._client

    @property
    def service_client(self) -> httpx.Client:
        """For endpoints the operator configured (the alert webhook): no egress policy."""
        if self._service_client is None:
            from bot.http import make_client

            self._service_client = make_client(
                timeout=self.settings.fetch_timeout, user_agent=self.settings.user_agent
            )
        return self._service_client

    @property
    def channels(self) -> dict[str, Publisher]:
        if self._channels is None:
            from bot.channels.registry import build_channels

            self._channels = build_channels(self.settings, self.sessions, self.clock)
        return self._channels

    @property
    def editor(self) -> Editor:
        if self._editor is None:
            from bot.editorial.compose import Editor, load_hashtag_map

            s = self.settings
            self._editor = Editor(
                max_hashtags={"x": s.x.max_hashtags, "whatsapp": s.whatsapp.max_hashtags},
                hashtag_map=load_hashtag_map(s.hashtags_file),
                templates_dir=s.templates_dir,
            )
        return self._editor

    def outbox(self) -> Outbox:
        from bot.outbox.engine import Outbox, OutboxConfig

        s = self.settings
        config = OutboxConfig(s.max_attempts, s.backoff_base, s.backoff_cap, s.lease, s.stale_after)
        return Outbox(self.sessions, self.channels, self.clock, config, self.worker)

    def enrich(self, article: ArticleData) -> ArticleData:
        from bot.sources.articles import enrich

        return enrich(article, self.client, self.settings.fetch_pages, self.settings.max_page_bytes)

    def draft_policy(self) -> DraftPolicy:
        from bot.drafting import DraftPolicy

        s = self.settings
        return DraftPolicy(s.channels, s.approval == "auto", s.draft_ttl)

    # -- rounds ------------------------------------------------------------------------
    def poll_round(
        self, stop: threading.Event | None = None, force: bool = False
    ) -> dict[int, PollResult]:
        """Poll every due source (every source with ``force``), drafting what is new.

        Feeds are fetched concurrently and each is stored as soon as it is in; drafting
        runs alongside, so a slow feed delays neither the other feeds nor their drafts.
        """
        from bot.sources.poll import fetch_source
        from bot.sources.rounds import DraftAlongside, poll_sources

        s = self.settings
        client = self.client  # built here, not by several threads at once
        if force:
            with transaction(self.sessions) as session:
                session.execute(update(Source).values(next_poll_at=None))
        with DraftAlongside(self.draft_round) as drafting:
            return poll_sources(
                self.sessions,
                self.clock,
                self.worker,
                lambda url, etag, modified: fetch_source(
                    client, url, etag, modified, s.max_feed_bytes
                ),
                lease=s.lease,
                interval=s.poll_interval,
                max_age=s.max_age,
                concurrency=POLL_CONCURRENCY,
                stop=stop,
                stored=lambda result: drafting.wake() if result.new else None,
            )

    def draft_round(self) -> int:
        from bot.drafting import draft_pending

        return draft_pending(
            self.sessions, self.editor, self.enrich, self.draft_policy(), self.clock.now
        )

    def publish_round(self, stop: threading.Event | None = None) -> dict[str, int]:
        return self.outbox().drain(stop)

    def reconcile_round(self) -> dict[str, int]:
        from bot.outbox.reconcile import reconcile_all

        s = self.settings
        return reconcile_all(
            self.sessions, self.channels, self.clock, self.worker, s.lease, s.backoff_base
        )

    def maintenance_round(self) -> dict[str, int]:
        from bot.review.timeouts import expire_drafts, hold_stale

        now = self.clock.now()
        with transaction(self.sessions) as session:
            expired = expire_drafts(session, now)
            held = hold_stale(session, now, self.settings.stale_after)
        return {"expired": expired, "held": held, "watched": self.watch_channels()}

    def watch_channels(self) -> int:
        """Channels that can look at their platform cheaply do so now and then (WAHA's
        session), so trouble shows before a post waits on it. X is left out: its reads are
        billed, and every send tells its health anyway."""
        watched = 0
        for name, channel in self.channels.items():
            watch = getattr(channel, "watch", None)
            if not callable(watch):
                continue
            try:
                watched += watch() is not None
            except Exception:  # logged; the rest of the maintenance round goes on
                log.warning("channel.watch_failed", channel=name, exc_info=True)
        return watched

    # -- start-up ----------------------------------------------------------------------
    def add_source(
        self, session: Session, url: str, auto_approve: bool = False, backfill: int = 0
    ) -> tuple[Source, bool]:
        existing = session.scalar(select(Source).where(Source.url == url))
        if existing is not None:
            return existing, False
        source = Source(
            url=url,
            auto_approve=auto_approve,
            backfill=backfill,
            failures_in_row=0,
            created_at=self.clock.now(),
        )
        session.add(source)
        session.flush()
        return source, True

    def ensure_sources(self) -> None:
        """NEWSBOT_FEEDS are added at start; an empty default database gets the example feed."""
        with transaction(self.sessions) as session:
            for url in self.settings.feeds:
                self.add_source(session, url)
            empty = not session.scalar(select(func.count()).select_from(Source))
            embedded = (
                "database_url" not in self.settings.model_fields_set and not self.settings.feeds
            )
            if empty and embedded and EXAMPLE_FEED.exists():
                self.add_source(session, str(EXAMPLE_FEED), backfill=10)
                log.info("sources.example_added", url=str(EXAMPLE_FEED))

    def close(self) -> None:
        for client in (self._client, self._service_client):
            if client is not None:
                client.close()
        self.engine.dispose()
