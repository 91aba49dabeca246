"""The web app: health, metrics, and the editors' dashboard."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from bot.editorial.render import template_dirs
from bot.review.when import format_local
from bot.runtime import Runtime
from bot.scheduler import Scheduler
from bot.store.models import ChannelState, Post
from bot.web.health import install as install_health
from bot.web.routes.whatsapp_webhook import router as whatsapp_webhook_router


def channel_health(runtime: Runtime) -> dict[str, Any]:
    with runtime.sessions() as session:
        states = {s.channel: s for s in session.scalars(select(ChannelState))}
    report: dict[str, Any] = {}
    for name in runtime.settings.channels:
        state = states.get(name)
        report[name] = {
            "healthy": state.healthy if state else True,
            "paused_until": state.paused_until.isoformat()
            if state and state.paused_until
            else None,
            "reason": state.reason if state else None,
        }
    return report


def create_app(runtime: Runtime, scheduler: Scheduler | None = None) -> FastAPI:
    app = FastAPI(title="newsbot", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = runtime
    app.state.scheduler = scheduler
    app.state.channel_health = lambda: channel_health(runtime)
    app.state.collect_gauges = None
    pages = Environment(
        loader=FileSystemLoader([str(d) for d in template_dirs(runtime.settings.templates_dir)]),
        autoescape=select_autoescape(["html"]),
    )
    install_health(app)  # /healthz, /readyz, /metrics, request ids
    app.include_router(whatsapp_webhook_router)  # Cloud API webhooks, signed by Meta

    @app.get("/", response_class=HTMLResponse)
    def queue(request: Request) -> str:
        with runtime.sessions() as session:
            posts = list(session.scalars(select(Post).order_by(Post.id.desc()).limit(100)))
            rows = [(p, p.article) for p in posts]
            return pages.get_template("web/queue.html").render(
                rows=rows, tz=runtime.settings.tz, fmt=format_local
            )

    return app
