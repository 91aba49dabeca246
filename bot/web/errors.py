"""Errors on the dashboard: a plain page with a one-line reason; never a traceback or a secret."""

from __future__ import annotations

import uuid

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.desk.errors import DeskError, NotFound
from bot.web.deps import SignInRequired, sign_in_path
from bot.web.pages import render

log = structlog.get_logger("bot.web")

HEADINGS = {
    400: "Bad request",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Not possible now",
    422: "Check the form",
    500: "Something went wrong",
}


def _page(request: Request, status: int, message: str) -> HTMLResponse:
    actor = getattr(request.state, "actor", None)
    referer = request.headers.get("referer", "")
    back = "/" if not referer.startswith(str(request.base_url)) else referer
    return render(
        request,
        "web/error.html",
        status=status,
        actor=actor,
        heading=HEADINGS.get(status, "Error"),
        message=message,
        back=back,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in(_request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(sign_in_path(exc.next_path), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:])
        return _page(request, 422, f"{where}: {first.get('msg', 'invalid')}".strip(": "))

    @app.exception_handler(DeskError)
    async def refused(request: Request, exc: DeskError) -> Response:
        return _page(request, 404 if isinstance(exc, NotFound) else 409, str(exc))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        reference = uuid.uuid4().hex[:12]
        log.error("web.error", reference=reference, path=request.url.path, exc_info=exc)
        return _page(
            request, 500, f"The server could not finish this (reference {reference}); see its log."
        )
