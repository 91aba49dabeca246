"""The REST API, mounted at /api/v1 with its OpenAPI description at /api/v1/openapi.json."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route
from starlette.types import Scope

from bot.web.api import articles, desk, posts
from bot.web.api.schemas import Error
from bot.web.context import Web

log = structlog.get_logger("bot.web.api")

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "the body is not JSON"},
    401: {"model": Error, "description": "no token, or an unknown, revoked or expired one"},
    403: {"model": Error, "description": "the token's role does not allow this"},
    404: {"model": Error, "description": "no such post or source"},
    409: {"model": Error, "description": "not allowed in the post's current state"},
    422: {"model": Error, "description": "the request is not valid"},
}


def _loc(error: dict[str, Any]) -> str:
    return ".".join(str(part) for part in error.get("loc", ()) if part != "body")


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    methods: set[str] = set()
    for route in app.routes:
        if isinstance(route, Route | APIRoute):
            match, _ = route.matches({**scope, "method": "GET"})
            if match is not Match.NONE:
                methods |= route.methods or set()
    return sorted(methods)


def build_api(web: Web) -> FastAPI:
    api = FastAPI(
        title="newsbot API",
        version="1",
        description="Posts, audit events, sources and the CMS push of a newsbot desk. "
        "Every call needs an API token (dashboard → Account): `Authorization: Bearer …`.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=ERRORS,
    )
    api.state.web = web

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names the methods of one route; a path may have several
            headers["Allow"] = ", ".join(allowed_methods(api, request.scope))
        return JSONResponse(
            {"detail": str(exc.detail)}, status_code=exc.status_code, headers=headers
        )

    @api.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": _loc(e), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": "", "msg": "invalid request"}
        detail = f"{first['loc']}: {first['msg']}" if first["loc"] else first["msg"]
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    @api.exception_handler(Exception)
    async def crashed(_request: Request, exc: Exception) -> JSONResponse:
        reference = uuid.uuid4().hex[:12]
        log.error("api.error", reference=reference, exc_info=exc)
        return JSONResponse(
            {"detail": f"internal error (reference {reference}); see the server log"},
            status_code=500,
        )

    prefix = ""
    api.include_router(posts.router, prefix=prefix)
    api.include_router(desk.router, prefix=prefix)
    api.include_router(articles.router, prefix=prefix)
    return api
