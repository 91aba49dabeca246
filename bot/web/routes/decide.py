"""Decisions on a post: approve now, schedule, reject with a note, withdraw, retry.

Every change goes through the desk service (``bot.desk``), the same code as the CLI's and
the API's, so a decision made here is checked, recorded and audited exactly as there; a
refusal comes back as a flash message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from bot.desk import changes
from bot.desk.commands import Approve, PostResult, Reject, Retry, Schedule, Withdraw
from bot.desk.errors import DeskError
from bot.desk.service import Desk
from bot.outbox.states import State
from bot.review.when import format_local
from bot.web.deps import check_csrf, get_web, require, safe_next
from bot.web.pages import redirect, render
from bot.web.roles import Actor

router = APIRouter(dependencies=[Depends(check_csrf)])
WITHDRAWABLE = (State.APPROVED, State.SCHEDULED, State.PUBLISHED)
Next = Annotated[str, Form(max_length=2000)]
Editor = Annotated[Actor, Depends(require("editor"))]


def _done(request: Request, next_path: str, action: Callable[[Desk], PostResult]) -> Response:
    web = get_web(request)
    try:
        result = action(web.desk())
    except DeskError as exc:  # scrubbed: a platform's refusal may quote a credential
        return redirect(request, safe_next(next_path), web.scrub(str(exc)), kind="error")
    state = result.state
    if result.state == State.SCHEDULED and result.scheduled_at:
        state += f" for {format_local(result.scheduled_at, web.runtime.settings.tz)}"
    return redirect(request, safe_next(next_path), f"Post {result.post_id}: {state}.")


@router.post("/posts/{post_id}/approve")
def approve(request: Request, post_id: int, actor: Editor, next: Next = "/") -> Response:
    return _done(request, next, lambda d: d.approve(Approve(post_id), actor.name))


@router.post("/posts/{post_id}/schedule")
def schedule(
    request: Request,
    post_id: int,
    actor: Editor,
    at: Annotated[str, Form(max_length=40)] = "",
    next: Next = "/",
) -> Response:
    return _done(request, next, lambda d: d.schedule(Schedule(post_id, at), actor.name))


@router.post("/posts/{post_id}/reject")
def reject(
    request: Request,
    post_id: int,
    actor: Editor,
    note: Annotated[str, Form(max_length=2000)] = "",
    next: Next = "/",
) -> Response:
    return _done(request, next, lambda d: d.reject(Reject(post_id, note), actor.name))


@router.post("/posts/{post_id}/retry")
def retry(request: Request, post_id: int, actor: Editor, next: Next = "/failures") -> Response:
    return _done(request, next, lambda d: d.retry(Retry(post_id), actor.name))


@router.get("/posts/{post_id}/withdraw", response_class=HTMLResponse)
def withdraw_page(request: Request, post_id: int, actor: Editor) -> HTMLResponse:
    web = get_web(request)
    with web.read() as session:
        post = changes.get_post(session, post_id)
        _ = post.article
    if post.state not in WITHDRAWABLE:
        raise HTTPException(409, f"post {post_id} is {post.state}; it cannot be withdrawn")
    return render(request, "web/withdraw.html", actor=actor, post=post)


@router.post("/posts/{post_id}/withdraw")
def withdraw(
    request: Request,
    post_id: int,
    actor: Editor,
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
    return _done(request, next, lambda d: d.withdraw(Withdraw(post_id, reason), actor.name))
