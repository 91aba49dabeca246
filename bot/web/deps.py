"""FastAPI dependencies of the dashboard: who is signed in, what their role allows, CSRF."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import HTTPException, Request

from bot.web import auth
from bot.web.context import Web
from bot.web.roles import Actor
from bot.web.security import SAFE_METHODS, csrf_for_session, same

SESSION_COOKIE = "newsbot_session"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path


def get_web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def current_actor(request: Request) -> Actor:
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    web = get_web(request)
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token and len(token) < 200:
        now = web.now()
        with web.read() as session:
            found = auth.find_session(session, token, now)
        if found is not None and found.stale:
            with web.write() as session:
                auth.touch(session, token, now)
    if found is None:
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        raise SignInRequired(path if request.method == "GET" else "/")
    request.state.actor = found.actor
    return found.actor


def require(role: str) -> Callable[[Request], Actor]:
    def dependency(request: Request) -> Actor:
        actor = current_actor(request)
        if not actor.can(role):
            raise HTTPException(403, f"your role ({actor.role}) cannot do this; it needs {role}")
        return actor

    return dependency


async def check_csrf(request: Request) -> None:
    """Every unsafe request of a signed-in page carries the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    web = get_web(request)
    token = request.cookies.get(SESSION_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if given is None and "form" in request.headers.get("content-type", ""):
        value = (await request.form()).get("csrf")
        given = value if isinstance(value, str) else None
    if not token or not same(given, csrf_for_session(web.key, token)):
        raise HTTPException(403, "the form has expired or did not come from this site; reload it")


def sign_in_path(next_path: str) -> str:
    return "/signin" + (f"?next={quote(next_path, safe='')}" if next_path not in ("", "/") else "")


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def secure_cookies(request: Request) -> bool:
    mode = get_web(request).runtime.settings.web.secure_cookies
    if mode != "auto":
        return mode == "always"
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or proto == "https"
