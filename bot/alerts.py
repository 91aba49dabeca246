"""Failure alerts: a JSON message to ``NEWSBOT_ALERTS__WEBHOOK_URL`` when something needs a
person — a post failed for good, a channel turned unhealthy, a source keeps failing.

Alerts follow state changes, and a change is made by one transaction in one process, so
several replicas do not repeat each other. The message goes out after that transaction
commits (a rolled-back change alerts nobody), through the shared HTTP client with a short
timeout; a webhook that is down is logged and counted, never raised into the outbox.

Rules, so a flapping source or channel does not spam:
- ``post_failed``: every time a post fails for good (once per failure; an editor's retry
  that fails again alerts again).
- ``source_failing``: when a source's failures in a row reach ``NEWSBOT_ALERTS__SOURCE_FAILURES``
  (once per streak); ``source_recovered`` when such a source polls fine again.
- ``channel_unhealthy`` / ``channel_recovered``: when the channel's health flips.
- A source or channel alert of the same kind for the same source or channel is sent at
  most once per ``REPEAT_AFTER`` by one process; later ones are logged and counted as
  suppressed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from bot import metrics
from bot.clock import Clock
from bot.logging import Redactor

if TYPE_CHECKING:
    import httpx

    from bot.settings import Settings
    from bot.store.models import Post, Source

log = structlog.get_logger("bot.alerts")

REPEAT_AFTER = timedelta(hours=1)
TIMEOUT = 3.0
_PENDING = "alerts_pending"
_ALERTER = "alerter"


@dataclass(frozen=True)
class Alert:
    kind: str  # post_failed | channel_unhealthy | channel_recovered | source_failing | ...
    key: str  # what it is about: "post:12", "channel:x", "source:3"
    severity: str  # error | warning | info
    text: str  # one line for people; chat webhooks (Slack, Mattermost) show ``text``
    fields: dict[str, Any] = field(default_factory=dict)

    def body(self, at: datetime) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "severity": self.severity,
            "at": at.isoformat().replace("+00:00", "Z"),
            **self.fields,
        }


class Alerter:
    def __init__(
        self,
        url: str | None,
        client: Callable[[], httpx.Client],
        clock: Clock,
        redactor: Redactor | None = None,
        source_failures: int = 3,
        repeat_after: timedelta = REPEAT_AFTER,
    ) -> None:
        self.url = url
        self.client = client
        self.clock = clock
        self.redactor = redactor or Redactor()
        self.source_failures = source_failures
        self.repeat_after = repeat_after
        self._last: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: Settings, client: Callable[[], httpx.Client], clock: Clock
    ) -> Alerter:
        a = settings.alerts
        return cls(
            str(a.webhook_url) if a.webhook_url else None,
            client,
            clock,
            Redactor(settings.secret_values()),
            a.source_failures,
        )

    def _suppressed(self, alert: Alert, now: datetime) -> bool:
        if alert.kind == "post_failed":
            return False
        with self._lock:
            last = self._last.get((alert.kind, alert.key))
            if last is not None and now - last < self.repeat_after:
                return True
            self._last[(alert.kind, alert.key)] = now
            return False

    def send(self, alert: Alert) -> str:
        """Deliver one alert; returns sent | suppressed | failed | off. Never raises."""
        now = self.clock.now()
        body = self.redactor.scrub(alert.body(now))
        bound = log.bind(alert=alert.kind, key=alert.key)
        if self._suppressed(alert, now):
            outcome = "suppressed"
        elif self.url is None:
            outcome = "off"
        else:
            try:
                response = self.client().post(self.url, json=body, timeout=TIMEOUT)
                response.raise_for_status()
                outcome = "sent"
            except Exception as exc:  # the webhook's trouble must not become ours
                # the URL itself may carry a token: name only the error's class and status
                status = getattr(getattr(exc, "response", None), "status_code", None)
                bound.warning("alert.failed", error=exc.__class__.__name__, status=status)
                outcome = "failed"
        metrics.ALERTS.labels(alert.kind, outcome).inc()
        bound.info("alert." + outcome, text=body["text"])
        return outcome


# -- queued in a transaction, sent after it commits ------------------------------------


def attach(sessions: Any, alerter: Alerter) -> None:
    """Make every session of ``sessions`` (a sessionmaker) carry the alerter."""
    sessions.configure(info={_ALERTER: alerter})


def queue(session: Session, alert: Alert) -> None:
    if session.info.get(_ALERTER) is None:
        return
    session.info.setdefault(_PENDING, []).append(alert)


def alerter_of(session: Session) -> Alerter | None:
    found = session.info.get(_ALERTER)
    return found if isinstance(found, Alerter) else None


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending: list[Alert] = session.info.pop(_PENDING, [])
    alerter = alerter_of(session)
    if alerter is not None:
        for alert in pending:
            alerter.send(alert)


@event.listens_for(Session, "after_transaction_end")
def _drop_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outer transaction ended without a commit
        session.info.pop(_PENDING, None)


# -- the hooks -------------------------------------------------------------------------


def post_failed(session: Session, post: Post, error: str) -> None:
    queue(
        session,
        Alert(
            "post_failed",
            f"post:{post.id}",
            "error",
            f"newsbot: post {post.id} to {post.channel} failed for good: {error}",
            {
                "post_id": post.id,
                "article_id": post.article_id,
                "channel": post.channel,
                "attempts": post.attempts,
                "error": error,
            },
        ),
    )


def source_failed(session: Session, source: Source) -> None:
    """After a failed poll (``failures_in_row`` already counts it)."""
    alerter = alerter_of(session)
    if alerter is None or source.failures_in_row != alerter.source_failures:
        return
    queue(
        session,
        Alert(
            "source_failing",
            f"source:{source.id}",
            "warning",
            f"newsbot: source {source.id} failed {source.failures_in_row} polls in a row: "
            f"{source.last_error}",
            {
                "source_id": source.id,
                "url": source.url,
                "failures_in_row": source.failures_in_row,
                "error": source.last_error,
            },
        ),
    )


def source_ok(session: Session, source: Source) -> None:
    """After a good poll, before ``failures_in_row`` is reset."""
    alerter = alerter_of(session)
    if alerter is None or source.failures_in_row < alerter.source_failures:
        return
    queue(
        session,
        Alert(
            "source_recovered",
            f"source:{source.id}",
            "info",
            f"newsbot: source {source.id} polls again after {source.failures_in_row} failures",
            {"source_id": source.id, "url": source.url, "failures_in_row": source.failures_in_row},
        ),
    )


def channel_flipped(session: Session, channel: str, healthy: bool, error: str | None) -> None:
    kind, severity = ("channel_recovered", "info") if healthy else ("channel_unhealthy", "error")
    text = (
        f"newsbot: channel {channel} is healthy again"
        if healthy
        else f"newsbot: channel {channel} is unhealthy: {error or 'no detail'}"
    )
    queue(
        session,
        Alert(kind, f"channel:{channel}", severity, text, {"channel": channel, "error": error}),
    )
