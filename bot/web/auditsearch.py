"""Searching the audit log: text, actor, action, channel, post, a date range in newsroom time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from bot.audit import to_json
from bot.logging import Redactor
from bot.store.models import AuditEvent

EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditFilter:
    text: str = ""
    actor: str = ""
    action: str = ""
    channel: str = ""
    post_id: int | None = None
    since: date | None = None  # newsroom dates, both ends included
    until: date | None = None

    def bounds(self, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        start = datetime.combine(self.since, time(), tz) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(), tz) if self.until else None
        return start, end


def search(
    session: Session, flt: AuditFilter, tz: ZoneInfo, before: int | None = None, limit: int = 100
) -> list[AuditEvent]:
    stmt = select(AuditEvent)
    start, end = flt.bounds(tz)
    if start is not None:
        stmt = stmt.where(AuditEvent.at >= start)
    if end is not None:
        stmt = stmt.where(AuditEvent.at < end)
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor == flt.actor)
    if flt.action:
        stmt = stmt.where(AuditEvent.action == flt.action)
    if flt.channel:
        stmt = stmt.where(AuditEvent.channel == flt.channel)
    if flt.post_id is not None:
        stmt = stmt.where(AuditEvent.post_id == flt.post_id)
    if flt.text:
        # JSON is stored as text on SQLite and cast to text on PostgreSQL; non-ASCII is
        # escaped in storage, so the search term is escaped the same way
        needle = json.dumps(flt.text)[1:-1]
        like = f"%{_escape_like(needle)}%"
        stmt = stmt.where(
            or_(
                cast(AuditEvent.detail, Text).ilike(like, escape="\\"),
                AuditEvent.actor.ilike(f"%{_escape_like(flt.text)}%", escape="\\"),
            )
        )
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    return list(session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit)))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula (=, +, -, @ first)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(events: Iterable[AuditEvent], redactor: Redactor) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "at", "actor", "action", "post_id", "article_id", "channel", "detail"])
    for event in events:
        row = redactor.scrub(to_json(event))
        writer.writerow(
            [
                row["id"],
                row["at"],
                _cell(row["actor"]),
                row["action"],
                row["post_id"] or "",
                row["article_id"] or "",
                row["channel"] or "",
                _cell(json.dumps(row["detail"], ensure_ascii=False)),
            ]
        )
    return out.getvalue()


def to_json_text(events: Iterable[AuditEvent], redactor: Redactor) -> str:
    rows = [redactor.scrub(to_json(e)) for e in events]
    return json.dumps(rows, ensure_ascii=False, indent=1)
