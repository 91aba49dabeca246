"""Decisions on a post: approve now, schedule, reject with a note, withdraw, retry.

Every change goes through ``bot.review.actions``, the same code as the CLI's, so a decision
made here is checked, recorded and audited exactly as one made there.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from bot.errors import BotError, UsageError
from bot.outbox.states import State
from bot.review import actions
from bot.review.when import format_local, parse_local_time
from bot.web.deps import check_csrf, get_web, require, safe_next
from bot.web.pages import redirect, render
from bot.web.roles import Actor

router = APIRouter(dependencies=[Depends(check_csrf)])
WITHDRAWABLE = (State.APPROVED, State.SCHEDULED, State.PUBLISHED)
Next = Annotated[str, Form(max_length=2000)]
Editor = Annotated[Actor, Depends(require("editor"))]


def act(request: Request, actor: Actor, post_id: int, verb: str, **kwargs: Any) -> str:
    """Run one review action in one transaction; returns the post's new state."""
    web = get_web(request)
    with web.write() as session:
        post = actions.get_post(session, post_id, for_update=True)
        getattr(actions, verb)(session, post, actor.name, web.now(), **kwargs)
        state = str(post.state)
        scheduled = post.scheduled_at
    if state in (State.APPROVED, State.SCHEDULED):
        web.wake_publisher()
    if state == State.SCHEDULED and scheduled:
        return f"{state} for {format_local(scheduled, web.runtime.settings.tz)}"
    return state


def _done(request: Request, next_path: str, post_id: int, verb: str, **kwargs: Any) -> Response:
    actor: Actor = request.state.actor
    try:
        state = act(request, actor, post_id, verb, **kwargs)
    except (actions.ReviewError, UsageError) as exc:
        return redirect(request, safe_next(next_path), str(exc), kind="error")
    return redirect(request, safe_next(next_path), f"Post {post_id}: {state}.")


@router.post("/posts/{post_id}/approve")
def approve(request: Request, post_id: int, _actor: Editor, next: Next = "/") -> Response:
    two = get_web(request).runtime.settings.review.two_person
    return _done(request, next, post_id, "approve", two_person=two)


@router.post("/posts/{post_id}/schedule")
def schedule(
    request: Request,
    post_id: int,
    _actor: Editor,
    at: Annotated[str, Form(max_length=40)] = "",
    next: Next = "/",
) -> Response:
    web = get_web(request)
    try:
        when = parse_local_time(at, web.runtime.settings.tz)
    except UsageError as exc:
        return redirect(request, safe_next(next), str(exc).removeprefix("--at: "), kind="error")
    if when <= web.now():
        return redirect(
            request, safe_next(next), f"{at} is in the past; pick a later time", kind="error"
        )
    two = web.runtime.settings.review.two_person
    return _done(request, next, post_id, "approve", at=when, two_person=two)


@router.post("/posts/{post_id}/reject")
def reject(
    request: Request,
    post_id: int,
    _actor: Editor,
    note: Annotated[str, Form(max_length=2000)] = "",
    next: Next = "/",
) -> Response:
    return _done(request, next, post_id, "reject", note=note)


@router.post("/posts/{post_id}/retry")
def retry(request: Request, post_id: int, _actor: Editor, next: Next = "/failures") -> Response:
    return _done(request, next, post_id, "retry")


@router.get("/posts/{post_id}/withdraw", response_class=HTMLResponse)
def withdraw_page(request: Request, post_id: int, actor: Editor) -> HTMLResponse:
    web = get_web(request)
    with web.read() as session:
        post = actions.get_post(session, post_id)
        _ = post.article
    if post.state not in WITHDRAWABLE:
        raise HTTPException(409, f"post {post_id} is {post.state}; it cannot be withdrawn")
    return render(request, "web/withdraw.html", actor=actor, post=post)


@router.post("/posts/{post_id}/withdraw")
def withdraw(
    request: Request,
    post_id: int,
    _actor: Editor,
    reason: Annotated[str, Form(max_length=2000)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
    next: Next = "/published",
) -> Response:
    if confirm != "yes":
        return redirect(
            request, f"/posts/{post_id}/withdraw", "Confirm the withdrawal first.", "error"
        )
    if not reason.strip():
        return redirect(request, f"/posts/{post_id}/withdraw", "Give a reason.", "error")
    web = get_web(request)
    with web.read() as session:
        channel = web.runtime.channels.get(actions.get_post(session, post_id).channel)
    try:
        return _done(request, next, post_id, "withdraw", channel=channel, reason=reason)
    except BotError as exc:  # the platform refused to take it down: say so, change nothing
        return redirect(
            request,
            safe_next(next),
            f"Post {post_id} could not be taken down: {web.scrub(str(exc))}",
            "error",
        )
