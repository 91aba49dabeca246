"""The Cloud API webhook: Meta's URL check (GET) and signed updates (POST).

Mount with ``app.include_router(router)``; both routes live at ``/webhooks/whatsapp``
(the callback URL to give Meta is ``https://<your host>/webhooks/whatsapp``). Meta signs
every update with the app secret; an update without a valid ``X-Hub-Signature-256`` is
refused with 401 and changes nothing. The routes take no session or CSRF token: the
signature is their authentication.
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING, Annotated, Any

import structlog
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from bot import audit
from bot.channels.whatsapp import NAME, whatsapp_settings
from bot.channels.whatsapp.cloud_events import apply, parse, valid_signature
from bot.store.db import transaction
from bot.store.models import Post

if TYPE_CHECKING:
    from bot.runtime import Runtime

PATH = "/webhooks/whatsapp"
#: Meta's updates are small; anything bigger is not from Meta
MAX_BODY = 1024 * 1024

router = APIRouter(tags=[NAME])
log = structlog.get_logger("bot.web.whatsapp")


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get(PATH, response_class=PlainTextResponse)
def verify(
    request: Request,
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    token: Annotated[str, Query(alias="hub.verify_token")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge")] = "",
) -> str:
    """Meta checks the callback URL once: echo the challenge if the verify token matches."""
    expected = whatsapp_settings(_runtime(request).settings).cloud_verify_token
    if (
        expected is None
        or mode != "subscribe"
        or not hmac.compare_digest(token.encode(), expected.get_secret_value().encode())
    ):
        raise HTTPException(403, "verify token does not match NEWSBOT_WHATSAPP__CLOUD_VERIFY_TOKEN")
    return challenge


async def _bounded_body(request: Request) -> bytes:
    """The body, refused with 413 on its declared length or as soon as it passes MAX_BODY
    while streaming: never read whole before the check."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, "update too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, "update too large")
    return bytes(body)


@router.post(PATH)
async def receive(request: Request) -> dict[str, Any]:
    runtime = _runtime(request)
    secret = whatsapp_settings(runtime.settings).cloud_app_secret
    if secret is None:
        # no way to tell Meta from anyone else; Meta retries, so nothing is lost meanwhile
        raise HTTPException(503, "NEWSBOT_WHATSAPP__CLOUD_APP_SECRET is not set")
    body = await _bounded_body(request)
    if not valid_signature(
        secret.get_secret_value(), body, request.headers.get("X-Hub-Signature-256")
    ):
        log.warning("webhook.refused", reason="bad signature")
        raise HTTPException(401, "invalid signature")
    try:
        payload = json.loads(body)
    except ValueError:
        raise HTTPException(400, "body is not JSON") from None
    update = parse(payload)

    def store() -> dict[str, int]:
        with transaction(runtime.sessions) as session:
            now = runtime.clock.now()
            applied = apply(session, update, now)
            for post_id, statuses in applied.deliveries.items():
                post = session.get(Post, post_id)
                if post is not None:
                    detail = {"statuses": statuses}
                    audit.record(session, "delivery", at=now, post=post, detail=detail)
            return applied.summary

    summary = await run_in_threadpool(store)
    log.info("webhook.applied", **summary)
    return {"ok": True, **summary}
