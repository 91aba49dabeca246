"""/api/v1/audit, /api/v1/sources, /api/v1/me."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from bot.audit import ACTIONS
from bot.desk.commands import AddSource, RemoveSource
from bot.desk.errors import DeskError, NotFound, SourceExists
from bot.web import auditsearch, desk
from bot.web.api.auth import api_role
from bot.web.api.convert import event_out
from bot.web.api.schemas import AuditList, ChannelName, Me, SourceIn, SourceOut
from bot.web.deps import get_web
from bot.web.roles import Actor

router = APIRouter()
Viewer = Annotated[Actor, Depends(api_role("viewer"))]
Admin = Annotated[Actor, Depends(api_role("admin"))]
ActionName = Literal[ACTIONS]  # type: ignore[valid-type]
DAY = r"^\d{4}-\d{2}-\d{2}$"


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name}: expected a date such as 2026-03-29") from None


@router.get("/me", response_model=Me, tags=["account"], summary="Whose token this is")
def me(actor: Viewer) -> Me:
    return Me(name=actor.name, role=actor.role)


@router.get(
    "/audit", response_model=AuditList, tags=["audit"], summary="Audit events, newest first"
)
def list_audit(
    request: Request,
    _actor: Viewer,
    q: Annotated[str, Query(max_length=200, description="text in the detail or actor")] = "",
    actor: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[ActionName | None, Query()] = None,
    channel: Annotated[ChannelName | None, Query()] = None,
    post_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    since: Annotated[str | None, Query(pattern=DAY, description="newsroom date, included")] = None,
    until: Annotated[str | None, Query(pattern=DAY, description="newsroom date, included")] = None,
    before: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditList:
    web = get_web(request)
    flt = auditsearch.AuditFilter(
        text=q.strip(),
        actor=actor.strip(),
        action=action or "",
        channel=channel or "",
        post_id=post_id,
        since=_day(since, "since"),
        until=_day(until, "until"),
    )
    with web.read() as session:
        events = auditsearch.search(session, flt, web.runtime.settings.tz, before, limit)
        items = [event_out(e, web.redactor) for e in events]
    return AuditList(items=items, next_before=items[-1].id if len(items) == limit else None)


@router.get("/sources", response_model=list[SourceOut], tags=["sources"], summary="Feeds")
def list_sources(request: Request, _actor: Viewer) -> list[SourceOut]:
    web = get_web(request)
    with web.read() as session:
        return [
            SourceOut(**web.redactor.scrub(desk.source_json(s, n)))
            for s, n in desk.sources_with_counts(session)
        ]


@router.post(
    "/sources", response_model=SourceOut, status_code=201, tags=["sources"], summary="Watch a feed"
)
def add_source(request: Request, body: SourceIn, actor: Admin) -> SourceOut:
    web = get_web(request)
    cmd = AddSource(body.url, body.auto_approve, body.backfill, actor=actor.name)
    try:
        added = web.desk().add_source(cmd)
    except SourceExists as exc:
        raise HTTPException(409, web.scrub(str(exc))) from None
    except DeskError as exc:
        raise HTTPException(422, web.scrub(str(exc))) from None
    return SourceOut(
        id=added.source_id,
        url=web.scrub(added.url),
        title=None,
        auto_approve=added.auto_approve,
        last_polled_at=None,
        last_status=None,
        last_error=None,
        items=0,
    )


@router.delete(
    "/sources/{source_id}", status_code=204, tags=["sources"], summary="Stop watching a feed"
)
def remove_source(
    request: Request, source_id: Annotated[int, Path(ge=1, le=2**53)], actor: Admin
) -> Response:
    try:
        get_web(request).desk().remove_source(RemoveSource(source_id, actor=actor.name))
    except NotFound:
        raise HTTPException(404, f"no source with id {source_id}") from None
    return Response(status_code=204)
