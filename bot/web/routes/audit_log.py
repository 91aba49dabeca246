"""The audit log: search and export (CSV, JSON)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from bot.audit import ACTIONS
from bot.channels.registry import LIMITS
from bot.web import auditsearch
from bot.web.deps import get_web, require
from bot.web.pages import render
from bot.web.roles import Actor

router = APIRouter()
PER_PAGE = 100


def _filter(
    q: Annotated[str, Query(max_length=200)] = "",
    actor: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    channel: Annotated[str, Query(max_length=20)] = "",
    post: Annotated[str, Query(max_length=12)] = "",
    since: Annotated[str, Query(max_length=10, alias="from")] = "",
    until: Annotated[str, Query(max_length=10, alias="to")] = "",
) -> auditsearch.AuditFilter:
    def day(value: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    return auditsearch.AuditFilter(
        text=q.strip(),
        actor=actor.strip(),
        action=action if action in ACTIONS else "",
        channel=channel if channel in LIMITS else "",
        post_id=int(post) if post.isdigit() else None,
        since=day(since),
        until=day(until),
    )


Filter = Annotated[auditsearch.AuditFilter, Depends(_filter)]
Viewer = Annotated[Actor, Depends(require("viewer"))]


def _query(flt: auditsearch.AuditFilter) -> str:
    return urlencode(
        {
            "q": flt.text,
            "actor": flt.actor,
            "action": flt.action,
            "channel": flt.channel,
            "post": flt.post_id or "",
            "from": flt.since.isoformat() if flt.since else "",
            "to": flt.until.isoformat() if flt.until else "",
        }
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    actor: Viewer,
    flt: Filter,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    web = get_web(request)
    with web.read() as session:
        events = auditsearch.search(session, flt, web.runtime.settings.tz, before, PER_PAGE)
    return render(
        request,
        "web/audit.html",
        actor=actor,
        events=events,
        flt=flt,
        query=_query(flt),
        actions=ACTIONS,
        channels=sorted(LIMITS),
        older=events[-1].id if len(events) == PER_PAGE else None,
    )


@router.get("/audit/export.{fmt}")
def audit_export(request: Request, _actor: Viewer, flt: Filter, fmt: str) -> Response:
    if fmt not in ("csv", "json"):
        return Response("export as .csv or .json", status_code=404, media_type="text/plain")
    web = get_web(request)
    with web.read() as session:
        events = auditsearch.search(
            session, flt, web.runtime.settings.tz, None, auditsearch.EXPORT_LIMIT
        )
        export = auditsearch.to_csv if fmt == "csv" else auditsearch.to_json_text
        body = export(events, web.redactor)  # the dashboard's redactor: no secret leaves
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    stamp = web.now().strftime("%Y%m%d-%H%M")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="newsbot-audit-{stamp}.{fmt}"'},
    )
