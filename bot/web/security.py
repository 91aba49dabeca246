"""Security headers on every answer, CSRF tokens for every state-changing request.

CSRF: a signed-in page carries a token derived from the session token with the signing
key (HMAC), so nothing extra is stored and a token from one session is worthless in
another. The sign-in form, before any session exists, uses a random pre-session cookie
the same way. Forms send the token as the ``csrf`` field, scripts as ``X-CSRF-Token``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def derive(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()


def csrf_for_session(key: bytes, session_token: str) -> str:
    return derive(key, "csrf", session_token)


def csrf_for_sign_in(key: bytes, nonce: str) -> str:
    return derive(key, "sign-in", nonce)


def same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def is_https(scope: Scope, headers: dict[str, str]) -> bool:
    proto = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return scope.get("scheme") == "https" or proto == "https"


class SecurityHeaders:
    """Pure ASGI (no body buffering): adds the headers and the app's own time in
    ``Server-Timing``, which the benchmark reads."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        https = is_https(scope, request_headers)
        # pages carry people's work and tokens: never cached; the vendored assets may be
        cache = b"public, max-age=3600" if scope["path"].startswith("/static/") else b"no-store"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in HEADERS if h[0] not in present]
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                if b"cache-control" not in present:
                    headers.append((b"cache-control", cache))
                spent = (time.perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={spent:.2f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
