"""What went out and what did not: published (and withdrawn) posts, failures, waiting posts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from bot.channels.registry import LIMITS
from bot.outbox.states import State
from bot.store.models import ChannelState, Post
from bot.web import queries
from bot.web.deps import get_web, require
from bot.web.pages import render
from bot.web.roles import Actor

router = APIRouter()
Viewer = Annotated[Actor, Depends(require("viewer"))]
PER_PAGE = 50


@router.get("/published", response_class=HTMLResponse)
def published(
    request: Request,
    actor: Viewer,
    channel: Annotated[str, Query(max_length=20)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    web = get_web(request)
    flt = queries.PostFilter(
        states=(State.PUBLISHED, State.WITHDRAWN), channel=channel if channel in LIMITS else None
    )
    with web.read() as session:
        posts = queries.post_list(session, flt, before, PER_PAGE)
    return render(
        request,
        "web/published.html",
        actor=actor,
        posts=posts,
        channel=flt.channel or "",
        channels=sorted(LIMITS),
        older=posts[-1].id if len(posts) == PER_PAGE else None,
    )


@router.get("/failures", response_class=HTMLResponse)
def failures(request: Request, actor: Viewer) -> HTMLResponse:
    web = get_web(request)
    with web.read() as session:
        failed = queries.post_list(session, queries.PostFilter(state=State.FAILED), None, 200)
        unknown = queries.post_list(session, queries.PostFilter(state=State.UNKNOWN), None, 200)
        waiting = [
            p
            for p in queries.post_list(
                session, queries.PostFilter(states=(State.APPROVED, State.SCHEDULED)), None, 500
            )
            if p.waiting_reason
        ]
        paused = list(
            session.scalars(select(ChannelState).where(ChannelState.paused_until.is_not(None)))
        )
        held = session.scalars(
            select(Post.id).where(Post.state == State.PENDING_REVIEW, Post.error.is_not(None))
        ).all()
    return render(
        request,
        "web/failures.html",
        actor=actor,
        failed=failed,
        unknown=unknown,
        waiting=waiting,
        paused=paused,
        held=len(held),
    )
