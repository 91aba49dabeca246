"""Your account: API tokens (shown once, stored hashed, revocable, optionally expiring) and
your password (the current one first; the other sessions end)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from bot import admin_audit
from bot.errors import UsageError
from bot.store.models import ApiToken, User
from bot.users import change_password
from bot.web import auth
from bot.web.deps import check_csrf, get_web, require
from bot.web.pages import redirect, render
from bot.web.roles import Actor
from bot.web.tokens import create_token, expired, revoke_token

router = APIRouter(dependencies=[Depends(check_csrf)])
log = structlog.get_logger("bot.web")
Viewer = Annotated[Actor, Depends(require("viewer"))]
#: the expiries offered by the form, in days ("" : never)
EXPIRY_DAYS = ("", "7", "30", "90", "365")


def _page(request: Request, actor: Actor, new_token: str | None = None) -> HTMLResponse:
    web = get_web(request)
    now = web.now()
    with web.read() as session:
        tokens = list(
            session.scalars(
                select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)
            )
        )
    live = {t.id for t in tokens if not expired(t, now)}
    return render(
        request,
        "web/account.html",
        actor=actor,
        tokens=tokens,
        live=live,
        new_token=new_token,
        expiry_days=EXPIRY_DAYS,
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, actor: Viewer) -> HTMLResponse:
    return _page(request, actor)


@router.post("/account/tokens", response_model=None)
def new_token(
    request: Request,
    actor: Viewer,
    name: Annotated[str, Form(max_length=100)] = "",
    expires_days: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    web = get_web(request)
    now = web.now()
    if expires_days not in EXPIRY_DAYS:
        return redirect(request, "/account", "Choose an expiry from the list.", kind="error")
    lifetime = timedelta(days=int(expires_days)) if expires_days else None
    try:
        with web.write() as session:
            row, token = create_token(session, actor.user_id, name, now, lifetime)
            admin_audit.token_created(session, actor.name, row, actor.name, now)
    except UsageError as exc:
        return redirect(request, "/account", str(exc), kind="error")
    return _page(request, actor, new_token=token)  # the only time the token is shown


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: int, actor: Viewer) -> Response:
    web = get_web(request)
    now = web.now()
    with web.write() as session:
        done = revoke_token(session, token_id, actor.user_id, now)
        if done is not None:
            admin_audit.token_revoked(session, actor.name, done, actor.name, now)
    return redirect(
        request,
        "/account",
        "Token revoked." if done else "No such token.",
        "ok" if done else "error",
    )


@router.post("/account/password")
def password(
    request: Request,
    actor: Viewer,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    again: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    web = get_web(request)
    now = web.now()
    try:
        with web.write() as session:
            user = session.get_one(User, actor.user_id)
            change_password(user, current, new, again)
            auth.end_other_sessions(session, user.id, actor.session_token)
            admin_audit.password_changed(session, actor.name, user, now)
    except UsageError as exc:
        log.info("web.password_refused", actor=actor.name, reason=str(exc))
        return redirect(request, "/account", str(exc), kind="error")
    return redirect(request, "/account", "Password changed; your other sessions are signed out.")
