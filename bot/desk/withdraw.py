"""Withdraw: cancel a post that is not out yet, or take a published one down.

The platform is called with no transaction open: on SQLite a write transaction holds
every other writer (the worker, the dashboard) for as long as it is open, and a delete
may take up to the channel's timeout. So: a short transaction claims the post (a
conditional update, so two withdrawals never both delete it), the platform deletes it,
and a second short transaction records what happened. A delete that fails leaves the
post published, its error on the post and in the log. A claim whose holder died expires
after the lease, and the post can be withdrawn again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import Receipt
from bot.clock import Clock
from bot.desk import changes
from bot.desk.commands import Withdraw
from bot.desk.errors import PlatformRefused, Refused
from bot.errors import BotError
from bot.outbox.states import State
from bot.store.db import transaction

if TYPE_CHECKING:
    from bot.channels.base import Publisher

log = structlog.get_logger("bot.desk")


def withdraw_post(
    sessions: sessionmaker[Session],
    clock: Clock,
    channels: Callable[[], Mapping[str, Publisher]],
    cmd: Withdraw,
    actor: str,
    lease: timedelta,
) -> str:
    """The post's state afterwards; raises ``PlatformRefused`` when the platform kept it."""
    receipt: Receipt | None = None
    with transaction(sessions) as session:
        post = changes.get_post(session, cmd.post_id, for_update=True)
        if post.state != State.PUBLISHED:
            changes.cancel(session, post, actor, clock.now(), cmd.reason)
            return str(post.state)
        channel = channels().get(post.channel)
        if channel is None:
            raise Refused(f"channel {post.channel} is not configured; cannot delete the post")
        receipt = changes.claim_withdrawal(session, post, clock.now(), lease)
    try:
        channel.delete(receipt)
    except Exception as exc:
        with transaction(sessions) as session:
            post = changes.get_post(session, cmd.post_id, for_update=True)
            changes.withdraw_failed(session, post, actor, clock.now(), str(exc))
        log.warning("desk.withdraw_failed", post_id=cmd.post_id, error=str(exc))
        if isinstance(exc, BotError):
            raise PlatformRefused(f"post {cmd.post_id} could not be taken down: {exc}") from exc
        raise
    with transaction(sessions) as session:
        post = changes.get_post(session, cmd.post_id, for_update=True)
        changes.withdrawn(session, post, actor, clock.now(), cmd.reason)
        return str(post.state)
