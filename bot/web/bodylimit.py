"""Request bodies over ``NEWSBOT_WEB__MAX_BODY`` are refused with 413 before they are read.

Pure ASGI and outside everything else, so it runs before FastAPI parses JSON or a form and
before any token or session is looked at: an anonymous caller cannot make the server hold
a large body. A declared ``Content-Length`` over the limit is refused at once, without
reading a byte; a chunked body (or one whose length the server cannot know) is counted as
it streams and cut off as soon as it passes the limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT = 1024 * 1024


class BodyTooLarge(Exception):
    """The request body is larger than the server accepts."""


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, or None when absent or not a number."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def too_large(limit: int) -> list[Message]:
    """The 413 answer; the connection is closed, so the rest of the body is never read."""
    body = json.dumps({"detail": f"request body too large (limit {limit} bytes)"}).encode()
    return [
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        },
        {"type": "http.response.body", "body": body},
    ]


async def refuse(send: Send, limit: int) -> None:
    for message in too_large(limit):
        await send(message)


@dataclass
class _Guard:
    """One request: counts what the app reads, and turns its answer into the 413 once the
    body has passed the limit."""

    receive: Receive
    send: Send
    limit: int
    seen: int = 0
    over: bool = False
    started: bool = False

    async def counted(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                self.over = True
                raise BodyTooLarge
        return message

    async def guarded(self, message: Message) -> None:
        # once the limit was passed, whatever the app answers (FastAPI turns a failed read
        # into 400, a sub-app into 500) becomes the one 413
        if message["type"] == "http.response.start":
            if self.started:
                return
            self.started = True
            if self.over:
                await refuse(self.send, self.limit)
                return
        elif self.over:
            return
        await self.send(message)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int = DEFAULT) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_body:
            await refuse(send, self.max_body)
            return
        guard = _Guard(receive, send, self.max_body)
        try:
            await self.app(scope, guard.counted, guard.guarded)
        except Exception:
            # BodyTooLarge itself, or what a route made of it (a disconnect, a parse error)
            if not guard.over:
                raise
            if not guard.started:
                guard.started = True
                await refuse(send, self.max_body)
