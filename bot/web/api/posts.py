"""/api/v1/posts: list, show, edit, approve, reject, withdraw, retry; /measure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from bot.channels.registry import LIMITS
from bot.desk import changes
from bot.desk.commands import Approve, Edit, Reject, Retry, Schedule, Withdraw
from bot.desk.errors import BadTime, DeskError, NotFound, PlatformRefused
from bot.desk.service import Desk
from bot.web import queries
from bot.web.api.auth import api_role
from bot.web.api.convert import post_out
from bot.web.api.schemas import (
    ApproveIn,
    ChannelName,
    EditIn,
    MeasureIn,
    MeasureOut,
    PostList,
    PostOut,
    RejectIn,
    StateName,
    WithdrawIn,
)
from bot.web.deps import get_web
from bot.web.lengths import length as measure
from bot.web.roles import Actor

router = APIRouter(tags=["posts"])
Viewer = Annotated[Actor, Depends(api_role("viewer"))]
Editor = Annotated[Actor, Depends(api_role("editor"))]
PostId = Annotated[int, Path(ge=1, le=2**53)]


@router.get("/posts", response_model=PostList, summary="List posts, newest first")
def list_posts(
    request: Request,
    _actor: Viewer,
    state: Annotated[StateName | None, Query()] = None,
    channel: Annotated[ChannelName | None, Query()] = None,
    source_id: Annotated[int | None, Query(ge=0, le=2**53, description="0: pushed")] = None,
    before: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PostList:
    web = get_web(request)
    flt = queries.PostFilter(state=state, channel=channel, source_id=source_id)
    with web.read() as session:
        posts = queries.post_list(session, flt, before, limit)
        items = [post_out(p, web.redactor) for p in posts]
    return PostList(items=items, next_before=items[-1].id if len(items) == limit else None)


def _load(request: Request, post_id: int) -> PostOut:
    web = get_web(request)
    with web.read() as session:
        try:
            return post_out(changes.get_post(session, post_id), web.redactor)
        except NotFound:
            raise HTTPException(404, f"no post with id {post_id}") from None


@router.get("/posts/{post_id}", response_model=PostOut, summary="One post")
def show_post(request: Request, post_id: PostId, _actor: Viewer) -> PostOut:
    return _load(request, post_id)


def _act(request: Request, post_id: int, action: Callable[[Desk], object]) -> PostOut:
    """Run one desk action and answer with the post; the desk's refusals, as statuses."""
    web = get_web(request)
    due: list[bool] = []
    # the answer shows the post as the action left it: the publisher is woken after
    try:
        action(web.runtime.desk(wake=lambda: due.append(True)))
    except NotFound:
        raise HTTPException(404, f"no post with id {post_id}") from None
    except BadTime as exc:
        raise HTTPException(422, f"at: {exc}") from None
    except PlatformRefused as exc:
        raise HTTPException(502, web.scrub(str(exc))) from None
    except DeskError as exc:
        raise HTTPException(409, web.scrub(str(exc))) from None
    out = _load(request, post_id)
    if due:
        web.wake_publisher()
    return out


@router.patch("/posts/{post_id}", response_model=PostOut, summary="Replace a post's text")
def edit_post(request: Request, post_id: PostId, body: EditIn, actor: Editor) -> PostOut:
    return _act(request, post_id, lambda d: d.edit(Edit(post_id, text=body.text), actor.name))


@router.post("/posts/{post_id}/approve", response_model=PostOut, summary="Approve now or schedule")
def approve_post(
    request: Request, post_id: PostId, actor: Editor, body: ApproveIn | None = None
) -> PostOut:
    if body is not None and body.at:
        at = body.at
        return _act(request, post_id, lambda d: d.schedule(Schedule(post_id, at), actor.name))
    return _act(request, post_id, lambda d: d.approve(Approve(post_id), actor.name))


@router.post("/posts/{post_id}/reject", response_model=PostOut, summary="Reject with a note")
def reject_post(request: Request, post_id: PostId, body: RejectIn, actor: Editor) -> PostOut:
    return _act(request, post_id, lambda d: d.reject(Reject(post_id, body.note), actor.name))


@router.post(
    "/posts/{post_id}/withdraw",
    response_model=PostOut,
    summary="Cancel a post, or take a published one down on its platform",
    responses={502: {"description": "the platform refused to delete the post"}},
)
def withdraw_post(
    request: Request, post_id: PostId, actor: Editor, body: WithdrawIn | None = None
) -> PostOut:
    cmd = Withdraw(post_id, body.reason if body else "")
    return _act(request, post_id, lambda d: d.withdraw(cmd, actor.name))


@router.post("/posts/{post_id}/retry", response_model=PostOut, summary="Send a failed post again")
def retry_post(request: Request, post_id: PostId, actor: Editor) -> PostOut:
    return _act(request, post_id, lambda d: d.retry(Retry(post_id), actor.name))


@router.post(
    "/measure", response_model=MeasureOut, summary="A text's length as the channel counts it"
)
def measure_text(body: MeasureIn, _actor: Viewer) -> MeasureOut:
    length = measure(body.channel, body.text)
    limit = LIMITS[body.channel]
    return MeasureOut(channel=body.channel, length=length, limit=limit, fits=length <= limit)
