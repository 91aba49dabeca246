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
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.settings import Settings
from bot.store.db import make_engine, make_sessionmaker, transaction

# The parts below are imported where used: `newsbot drafts list` should not pay for
# trafilatura, twitter-text and the HTTP stack at every start.
if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from bot.channels.base import Publisher
    from bot.desk.service import Desk
    from bot.drafting import DraftPolicy
    from bot.editorial.compose import Editor
    from bot.editorial.model import ArticleData
    from bot.outbox.engine import Outbox
    from bot.sources.poll import PollResult
    from bot.store.models import Source

log = structlog.get_logger("bot.runtime")


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
            from bot.channels.build import build_channels

            self._channels = build_channels(self.settings, self.sessions, self.clock)
        return self._channels

    @property
    def editor(self) -> Editor:
        if self._editor is None:
            from bot.channels.registry import FORMATS, max_hashtags
            from bot.editorial.compose import Editor, load_hashtag_map

            s = self.settings
            self._editor = Editor(
                FORMATS,
                max_hashtags=max_hashtags(s),
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

    def desk(self, wake: Callable[[], None] | None = None) -> Desk:
        """The desk service over this process's database, clock and channels."""
        from bot.desk.service import Desk

        s = self.settings
        return Desk(
            sessions=self.sessions,
            clock=self.clock,
            tz=s.tz,
            two_person=s.review.two_person,
            channels=lambda: self.channels,
            add_source_row=self.add_source,
            withdraw_lease=s.lease,
            wake=wake or (lambda: None),
        )

    def draft_policy(self) -> DraftPolicy:
        from bot.drafting import DraftPolicy

        s = self.settings
        return DraftPolicy(s.channels, s.approval == "auto", s.draft_ttl, s.review.two_person)

    # -- rounds: each is its domain's use case, given this process's parts ------------
    def poll_round(
        self, stop: threading.Event | None = None, force: bool = False
    ) -> dict[int, PollResult]:
        """Poll every due source (every source with ``force``), drafting alongside (``rounds``)."""
        from bot.sources.rounds import PollPolicy, poll_due

        s = self.settings
        policy = PollPolicy(s.lease, s.poll_interval, s.max_age, s.max_feed_bytes)
        return poll_due(
            self.sessions,
            self.client,
            self.clock,
            self.worker,
            policy,
            self.draft_round,
            stop,
            force,
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
            try:
                watched += channel.watch() is not None
            except Exception:  # logged; the rest of the maintenance round goes on
                log.warning("channel.watch_failed", channel=name, exc_info=True)
        return watched

    # -- start-up ----------------------------------------------------------------------
    def add_source(
        self, session: Session, url: str, auto_approve: bool = False, backfill: int = 0
    ) -> tuple[Source, bool]:
        from bot.sources.catalog import add_source

        return add_source(session, url, self.clock.now(), auto_approve, backfill)

    def ensure_sources(self) -> None:
        """NEWSBOT_FEEDS are added at start; an empty default database gets the example feed."""
        from bot.sources.catalog import ensure_sources

        embedded = "database_url" not in self.settings.model_fields_set and not self.settings.feeds
        with transaction(self.sessions) as session:
            ensure_sources(session, self.settings.feeds, self.clock.now(), example=embedded)

    def close(self) -> None:
        for channel in (self._channels or {}).values():
            channel.close()
        for client in (self._client, self._service_client):
            if client is not None:
                client.close()
        self.engine.dispose()
