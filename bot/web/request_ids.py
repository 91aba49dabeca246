"""Request ids: every web request gets one (or keeps the caller's ``X-Request-ID``), every
log line written while serving it carries it, and the response echoes it."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("bot.web")

HEADER = "X-Request-ID"
# a caller's id is kept only when it is short and plain; anything else is replaced
_SAFE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
#: probes and scrapes: logged at debug, so they do not bury the requests people make
QUIET = frozenset({"/healthz", "/readyz", "/metrics"})


def request_id(given: str | None) -> str:
    return given if given and _SAFE.match(given) else uuid.uuid4().hex


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        rid = request_id(headers.get(HEADER.lower()))
        started = time.monotonic()
        status: dict[str, Any] = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (HEADER.lower().encode(), rid.encode()),
                ]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=rid):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                path = scope.get("path", "")
                emit = log.debug if path in QUIET else log.info
                emit(
                    "http.request",
                    method=scope.get("method"),
                    path=path,
                    status=status["code"],
                    duration_ms=round((time.monotonic() - started) * 1000, 1),
                )
