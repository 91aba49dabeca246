"""/api/v1/posts: list, show, edit, approve, reject, withdraw, retry; /measure."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from bot.editorial.limits import LIMITS
from bot.errors import BotError, UsageError
from bot.outbox.states import State
from bot.review import actions
from bot.review.when import parse_local_time
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
            return post_out(actions.get_post(session, post_id), web.redactor)
        except actions.ReviewError:
            raise HTTPException(404, f"no post with id {post_id}") from None


@router.get("/posts/{post_id}", response_model=PostOut, summary="One post")
def show_post(request: Request, post_id: PostId, _actor: Viewer) -> PostOut:
    return _load(request, post_id)


def _act(request: Request, actor: Actor, post_id: int, verb: str, **kwargs: Any) -> PostOut:
    web = get_web(request)
    try:
        with web.write() as session:
            try:
                post = actions.get_post(session, post_id, for_update=True)
            except actions.ReviewError:
                raise HTTPException(404, f"no post with id {post_id}") from None
            getattr(actions, verb)(session, post, actor.name, web.now(), **kwargs)
            out = post_out(post, web.redactor)
    except (actions.ReviewError, UsageError) as exc:
        raise HTTPException(409, web.scrub(str(exc))) from None
    if out.state in (State.APPROVED, State.SCHEDULED):
        web.wake_publisher()
    return out


@router.patch("/posts/{post_id}", response_model=PostOut, summary="Replace a post's text")
def edit_post(request: Request, post_id: PostId, body: EditIn, actor: Editor) -> PostOut:
    return _act(request, actor, post_id, "edit", text=body.text)


@router.post("/posts/{post_id}/approve", response_model=PostOut, summary="Approve now or schedule")
def approve_post(
    request: Request, post_id: PostId, actor: Editor, body: ApproveIn | None = None
) -> PostOut:
    web = get_web(request)
    at = None
    if body is not None and body.at:
        try:
            at = parse_local_time(body.at, web.runtime.settings.tz)
        except (UsageError, OverflowError, ValueError) as exc:
            raise HTTPException(422, str(exc).replace("--at", "at")) from None
        if at <= web.now():
            raise HTTPException(422, "at: the time is in the past; omit it to approve now")
    two = web.runtime.settings.review.two_person
    return _act(request, actor, post_id, "approve", at=at, two_person=two)


@router.post("/posts/{post_id}/reject", response_model=PostOut, summary="Reject with a note")
def reject_post(request: Request, post_id: PostId, body: RejectIn, actor: Editor) -> PostOut:
    return _act(request, actor, post_id, "reject", note=body.note)


@router.post(
    "/posts/{post_id}/withdraw",
    response_model=PostOut,
    summary="Cancel a post, or take a published one down on its platform",
    responses={502: {"description": "the platform refused to delete the post"}},
)
def withdraw_post(
    request: Request, post_id: PostId, actor: Editor, body: WithdrawIn | None = None
) -> PostOut:
    current = _load(request, post_id)
    channel = get_web(request).runtime.channels.get(current.channel)
    try:
        return _act(
            request, actor, post_id, "withdraw", channel=channel, reason=body.reason if body else ""
        )
    except BotError as exc:
        raise HTTPException(
            502, get_web(request).scrub(f"post {post_id} could not be taken down: {exc}")
        ) from None


@router.post("/posts/{post_id}/retry", response_model=PostOut, summary="Send a failed post again")
def retry_post(request: Request, post_id: PostId, actor: Editor) -> PostOut:
    return _act(request, actor, post_id, "retry")


@router.post(
    "/measure", response_model=MeasureOut, summary="A text's length as the channel counts it"
)
def measure_text(body: MeasureIn, _actor: Viewer) -> MeasureOut:
    length = measure(body.channel, body.text)
    limit = LIMITS[body.channel]
    return MeasureOut(channel=body.channel, length=length, limit=limit, fits=length <= limit)
