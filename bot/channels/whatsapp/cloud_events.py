"""Cloud API webhooks: check the signature, read the payload, apply it to the store.

Meta signs each webhook with the app secret (``X-Hub-Signature-256: sha256=<hmac>``);
an unsigned or wrongly signed one changes nothing. Each event (a message, a status) is
applied once, however often it is delivered (``replays``), and a START or STOP
counts by the time the reader sent it, not the time it arrived. Payload reference:
https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session

from bot.channels.whatsapp import replays
from bot.channels.whatsapp.subscribers import apply_status, opt_in, opt_out

log = structlog.get_logger("bot.channels.whatsapp")

STOP_WORDS = frozenset({"STOP", "UNSUBSCRIBE", "STOP ALL", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "SUBSCRIBE", "JOIN"})
CALLBACK_PREFIX = "newsbot"


def valid_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    from pywa import utils as pywa_utils  # imported on use: pywa is slow to load

    return bool(
        pywa_utils.webhook_updates_validator(
            app_secret=app_secret, request_body=body, x_hub_signature=header
        )
    )


def callback_data(post_id: int, subscriber_id: int) -> str:
    """What rides along with a message as ``biz_opaque_callback_data`` and comes back."""
    return f"{CALLBACK_PREFIX}:{post_id}:{subscriber_id}"


def parse_callback(value: object) -> tuple[int, int] | None:
    parts = str(value or "").split(":")
    if (
        len(parts) == 3
        and parts[0] == CALLBACK_PREFIX
        and parts[1].isdigit()
        and parts[2].isdigit()
    ):
        return int(parts[1]), int(parts[2])
    return None


def keyword(text: str) -> str | None:
    """``stop`` or ``start`` when a reader's message is one of those words, else None."""
    word = " ".join(text.replace("*", "").split()).upper().strip(".!")
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    return None


@dataclass(frozen=True)
class StatusEvent:
    message_id: str
    status: str
    recipient: str
    callback: tuple[int, int] | None
    errors: tuple[dict[str, Any], ...] = ()
    #: Meta's timestamp of the status (None if it sent none)
    at: datetime | None = None


@dataclass(frozen=True)
class Request:
    """A reader's STOP or START."""

    sender: str
    wanted: str  # "stop" | "start"
    message_id: str = ""
    #: when the reader sent it (the message's timestamp); None if the payload has none
    at: datetime | None = None


@dataclass
class Update:
    statuses: list[StatusEvent] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)


def _said(message: dict[str, Any]) -> str:
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body") or "")
    if kind == "button":
        button = message.get("button") or {}
        return str(button.get("payload") or button.get("text") or "")
    if kind == "interactive":
        reply = (message.get("interactive") or {}).get("button_reply") or {}
        return str(reply.get("id") or reply.get("title") or "")
    return ""


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse(payload: Any) -> Update:
    """The statuses and the STOP/START requests in one webhook; anything else is ignored."""
    update = Update()
    if not isinstance(payload, dict):
        return update
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            for item in value.get("statuses") or []:
                if not item.get("id") or not item.get("status"):
                    continue
                update.statuses.append(
                    StatusEvent(
                        message_id=str(item["id"]),
                        status=str(item["status"]),
                        recipient=str(item.get("recipient_id") or ""),
                        callback=parse_callback(item.get("biz_opaque_callback_data")),
                        errors=tuple(e for e in item.get("errors") or [] if isinstance(e, dict)),
                        at=_time(item.get("timestamp")),
                    )
                )
            for message in value.get("messages") or []:
                sender, wanted = str(message.get("from") or ""), keyword(_said(message))
                if sender and wanted:
                    update.requests.append(
                        Request(
                            sender,
                            wanted,
                            str(message.get("id") or ""),
                            _time(message.get("timestamp")),
                        )
                    )
    return update


def _fresh(
    session: Session, key: str, at: datetime | None, now: datetime, seen: Counter[str]
) -> bool:
    """Apply this event? Not if it was applied before or is too old to tell."""
    if at is not None and replays.stale(at, now):
        seen["stale"] += 1
        return False
    if not replays.first_time(session, key, now):
        seen["duplicates"] += 1
        return False
    return True


@dataclass(frozen=True)
class Applied:
    #: what the webhook did, counted
    summary: dict[str, int]
    #: per post, the statuses seen: the web route records them as one ``delivery`` event
    deliveries: dict[int, list[dict[str, Any]]]


def apply(session: Session, update: Update, now: datetime) -> Applied:
    """Opt readers in or out, move send rows, and say which posts' deliveries moved; an
    event already applied (a resend, a replay) changes nothing."""
    seen: Counter[str] = Counter()
    replays.forget_old(session, now)
    for request in update.requests:
        key = replays.message_key(request.message_id) if request.message_id else None
        if key is not None and not _fresh(session, key, request.at, now, seen):
            continue
        change = opt_out if request.wanted == "stop" else opt_in
        if change(session, request.sender, now, request.at):
            seen["opted_out" if request.wanted == "stop" else "opted_in"] += 1
            log.info("subscriber." + ("opted_out" if request.wanted == "stop" else "opted_in"))
        else:
            seen["superseded"] += 1  # a later START or STOP was applied already
    per_post: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in update.statuses:
        if not _fresh(
            session, replays.status_key(event.message_id, event.status), event.at, now, seen
        ):
            continue
        row = apply_status(session, event.message_id, event.status, event.callback, now)
        if row is None:
            seen["ignored"] += 1
            continue
        seen["statuses"] += 1
        detail: dict[str, Any] = {"subscriber_id": row.subscriber_id, "status": event.status}
        if event.errors:
            first = event.errors[0]
            detail["error"] = {"code": first.get("code"), "title": first.get("title")}
        per_post[row.post_id].append(detail)
    names = ("statuses", "ignored", "opted_out", "opted_in", "duplicates", "stale", "superseded")
    return Applied({name: seen[name] for name in names}, dict(per_post))
