"""Sign in and sign out. With no account yet, the page says how to make the first one."""

from __future__ import annotations

import secrets
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from bot.store.models import User
from bot.web import auth
from bot.web.clientaddr import client_address
from bot.web.deps import SESSION_COOKIE, check_csrf, get_web, safe_next, secure_cookies
from bot.web.pages import render
from bot.web.security import csrf_for_sign_in, same

router = APIRouter()
log = structlog.get_logger("bot.web")
PRE_COOKIE = "newsbot_pre"


def _page(request: Request, nonce: str, status: int = 200, error: str | None = None) -> Response:
    web = get_web(request)
    with web.read() as session:
        has_users = bool(session.scalar(select(func.count()).select_from(User)))
    response = render(
        request,
        "web/signin.html",
        status=status,
        sign_in_csrf=csrf_for_sign_in(web.key, nonce),
        next=safe_next(request.query_params.get("next")),
        has_users=has_users,
        error=error,
    )
    response.set_cookie(
        PRE_COOKIE,
        nonce,
        max_age=3600,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/signin",
    )
    return response


@router.get("/signin", response_class=HTMLResponse)
def sign_in_page(request: Request) -> Response:
    nonce = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(16)
    return _page(request, nonce[:64])


@router.post("/signin")
def sign_in(
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    web = get_web(request)
    nonce = request.cookies.get(PRE_COOKIE, "")
    if not nonce or not same(csrf, csrf_for_sign_in(web.key, nonce)):
        raise HTTPException(403, "the sign-in form has expired; reload the page")
    address = client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        web.runtime.settings.web.trusted_proxies,
    )
    with web.write() as session:
        result = auth.sign_in(session, name, password, address, web.now())
    if result.retry_after is not None:
        log.warning("web.sign_in_refused", user=name[:100], address=address, reason="rate limit")
        response = _page(
            request,
            nonce,
            429,
            f"Too many failed sign-ins from your address; try again in {result.retry_after} s.",
        )
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    if result.token is None:
        log.warning("web.sign_in_failed", user=name[:100], address=address)
        return _page(request, nonce, 401, "Wrong name or password.")
    log.info("web.signed_in", user=name[:100], address=address)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=int(auth.LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    response.delete_cookie(PRE_COOKIE, path="/signin")
    return response


@router.post("/signout", dependencies=[Depends(check_csrf)])
def sign_out(request: Request) -> Response:
    web = get_web(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with web.write() as session:
            auth.sign_out(session, token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
