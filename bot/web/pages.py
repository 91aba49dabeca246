"""Server-rendered pages: the Jinja2 environment, the common context, flash messages."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.channels.registry import LIMITS
from bot.editorial.templates import template_dirs
from bot.review.when import format_local
from bot.settings import Settings
from bot.web.deps import SESSION_COOKIE, get_web
from bot.web.lengths import length as measure
from bot.web.preview import post_html, preview_card
from bot.web.roles import Actor
from bot.web.security import csrf_for_session, derive, same

FLASH_COOKIE = "newsbot_flash"


def plain(value: Any) -> str:
    """An audit detail's value as text: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def make_pages(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(d) for d in template_dirs(settings.templates_dir)]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    tz = settings.tz
    env.filters["local"] = lambda value: format_local(value, tz)
    env.filters["preview"] = lambda text, channel: post_html(channel, text)
    env.filters["plain"] = plain
    env.globals.update(
        measure=measure, limits=LIMITS, preview_card=preview_card, tz_name=settings.timezone
    )
    return env


def render(
    request: Request,
    name: str,
    status: int = 200,
    actor: Actor | None = None,
    **context: Any,
) -> HTMLResponse:
    web = get_web(request)
    token = request.cookies.get(SESSION_COOKIE)
    csrf = csrf_for_session(web.key, token) if actor and token else ""
    flash = read_flash(request, web.key)
    html = web.pages.get_template(name).render(
        request=request,
        actor=actor,
        csrf=csrf,
        flash=flash,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _sign(key: bytes, payload: str) -> str:
    return derive(key, "flash", payload)[:32]


def read_flash(request: Request, key: bytes) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    payload, signature = raw.rsplit(".", 1)
    if not same(signature, _sign(key, payload)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    return {"kind": str(data.get("kind", "ok")), "text": str(data.get("text", ""))}


def redirect(
    request: Request, to: str, text: str | None = None, kind: str = "ok"
) -> RedirectResponse:
    """303 after a POST, with a one-line message for the next page."""
    response = RedirectResponse(to, status_code=303)
    if text:
        key = get_web(request).key
        payload = base64.urlsafe_b64encode(
            json.dumps({"kind": kind, "text": text[:500]}).encode()
        ).decode()
        response.set_cookie(
            FLASH_COOKIE,
            f"{payload}.{_sign(key, payload)}",
            max_age=60,
            httponly=True,
            samesite="lax",
            path="/",
        )
    return response


def local_input(value: datetime | None, settings: Settings) -> str:
    """The value of a datetime-local input, in the newsroom's time zone."""
    return value.astimezone(settings.tz).strftime("%Y-%m-%dT%H:%M") if value else ""
