"""The desk service: each action an editor or an admin takes, in one place.

The CLI, the dashboard and the API only call it and translate its errors (``errors``).
A post action runs in one short transaction holding the post's row (a worker's claim
cannot slip in between reading the state and changing it), and wakes the publisher when
the post is due. Withdrawing a published post calls the platform with no transaction open
(``withdraw``). Who may call what (roles) is the front end's business: see docs/desk.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot import admin_audit
from bot.clock import Clock
from bot.desk import changes, rules, sources
from bot.desk.commands import (
    AddSource,
    Approve,
    Edit,
    PostResult,
    Reject,
    RemoveSource,
    Retry,
    Schedule,
    SourceResult,
    Withdraw,
)
from bot.desk.errors import SourceExists
from bot.desk.withdraw import withdraw_post
from bot.outbox.states import DUE
from bot.store.db import transaction
from bot.store.models import Post, Source

if TYPE_CHECKING:
    from bot.channels.base import Publisher

#: (session, url, auto_approve, backfill) → (source, created)
SourceAdder = Callable[[Session, str, bool, int], tuple[Source, bool]]


def _result(post: Post, changed: bool = True) -> PostResult:
    return PostResult(post.id, str(post.state), post.scheduled_at, changed)


@dataclass
class Desk:
    sessions: sessionmaker[Session]
    clock: Clock
    tz: ZoneInfo
    two_person: bool
    #: the configured channels, built on first use (building them costs)
    channels: Callable[[], Mapping[str, Publisher]]
    add_source_row: SourceAdder
    #: how long a withdrawal holds a published post while the platform deletes it
    withdraw_lease: timedelta
    wake: Callable[[], None] = lambda: None

    @contextmanager
    def _post(self, post_id: int) -> Iterator[tuple[Session, Post]]:
        """One short transaction holding the post's row; the publisher is woken after
        commit when the post is due."""
        with transaction(self.sessions) as session:
            post = changes.get_post(session, post_id, for_update=True)
            yield session, post
            due = post.state in DUE
        if due:
            self.wake()

    # -- posts -------------------------------------------------------------------------
    def approve(self, cmd: Approve, actor: str) -> PostResult:
        with self._post(cmd.post_id) as (session, post):
            changes.approve(session, post, actor, self.clock.now(), two_person=self.two_person)
            return _result(post)

    def schedule(self, cmd: Schedule, actor: str) -> PostResult:
        now = self.clock.now()
        at = rules.schedule_time(cmd.at, self.tz, now)
        with self._post(cmd.post_id) as (session, post):
            changes.approve(session, post, actor, now, at=at, two_person=self.two_person)
            return _result(post)

    def reject(self, cmd: Reject, actor: str) -> PostResult:
        with self._post(cmd.post_id) as (session, post):
            changes.reject(session, post, actor, self.clock.now(), cmd.note)
            return _result(post)

    def edit(self, cmd: Edit, actor: str) -> PostResult:
        with self._post(cmd.post_id) as (session, post):
            changed = changes.edit(session, post, actor, self.clock.now(), cmd)
            return _result(post, changed)

    def retry(self, cmd: Retry, actor: str) -> PostResult:
        with self._post(cmd.post_id) as (session, post):
            changes.retry(session, post, actor, self.clock.now(), two_person=self.two_person)
            return _result(post)

    def withdraw(self, cmd: Withdraw, actor: str) -> PostResult:
        state = withdraw_post(
            self.sessions, self.clock, self.channels, cmd, actor, self.withdraw_lease
        )
        return PostResult(cmd.post_id, state)

    # -- sources -----------------------------------------------------------------------
    def add_source(self, cmd: AddSource) -> SourceResult:
        url = sources.feed_address(cmd)
        with transaction(self.sessions) as session:
            source, created = self.add_source_row(session, url, cmd.auto_approve, cmd.backfill)
            if not created:
                raise SourceExists(f"source {source.id} already watches {url}")
            admin_audit.source_added(session, cmd.actor, source, self.clock.now())
            return SourceResult(source.id, url, cmd.auto_approve, cmd.backfill)

    def remove_source(self, cmd: RemoveSource) -> None:
        with transaction(self.sessions) as session:
            removed = sources.remove(session, cmd.source_id)
            admin_audit.source_removed(session, cmd.actor, removed, self.clock.now())
