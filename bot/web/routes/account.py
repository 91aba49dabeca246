"""Your account: API tokens (shown once, stored hashed, revocable)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from bot.errors import UsageError
from bot.store.models import ApiToken
from bot.web.deps import check_csrf, get_web, require
from bot.web.pages import redirect, render
from bot.web.roles import Actor
from bot.web.tokens import create_token, revoke_token

router = APIRouter(dependencies=[Depends(check_csrf)])
Viewer = Annotated[Actor, Depends(require("viewer"))]


def _page(request: Request, actor: Actor, new_token: str | None = None) -> HTMLResponse:
    web = get_web(request)
    with web.read() as session:
        tokens = list(
            session.scalars(
                select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)
            )
        )
    return render(request, "web/account.html", actor=actor, tokens=tokens, new_token=new_token)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, actor: Viewer) -> HTMLResponse:
    return _page(request, actor)


@router.post("/account/tokens", response_model=None)
def new_token(
    request: Request, actor: Viewer, name: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    web = get_web(request)
    try:
        with web.write() as session:
            _row, token = create_token(session, actor.user_id, name, web.now())
    except UsageError as exc:
        return redirect(request, "/account", str(exc), kind="error")
    return _page(request, actor, new_token=token)  # the only time the token is shown


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: int, actor: Viewer) -> Response:
    web = get_web(request)
    with web.write() as session:
        done = revoke_token(session, token_id, actor.user_id, web.now())
    return redirect(
        request,
        "/account",
        "Token revoked." if done else "No such token.",
        "ok" if done else "error",
    )
