"""The queue: drafts newest first, one card per article, a preview per channel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from bot.channels.registry import LIMITS
from bot.outbox.states import State
from bot.web import queries
from bot.web.deps import get_web, require
from bot.web.pages import render
from bot.web.roles import Actor

router = APIRouter()
STATES = [s.value for s in State]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@router.get("/", response_class=HTMLResponse)
def queue(
    request: Request,
    actor: Annotated[Actor, Depends(require("viewer"))],
    state: Annotated[str, Query(max_length=40)] = State.PENDING_REVIEW.value,
    channel: Annotated[str, Query(max_length=20)] = "",
    source: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> HTMLResponse:
    web = get_web(request)
    flt = queries.PostFilter(
        state=state if state in STATES else None,
        channel=channel if channel in LIMITS else None,
        source_id=_int(source),
    )
    with web.read() as session:
        result = queries.queue_page(session, flt, page)
        sources = queries.sources(session)
        counts = queries.state_counts(session)
    return render(
        request,
        "web/queue.html",
        actor=actor,
        result=result,
        sources=sources,
        counts=counts,
        states=STATES,
        channels=sorted(LIMITS),
        chosen={"state": flt.state or "", "channel": flt.channel or "", "source": source},
        two_person=web.runtime.settings.review.two_person,
    )
