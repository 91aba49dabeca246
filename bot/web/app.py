"""The web app: health, metrics, the editors' dashboard and the REST API (/api/v1)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot.logging import Redactor
from bot.runtime import Runtime
from bot.scheduler import Scheduler
from bot.web import errors
from bot.web.api import build_api
from bot.web.bodylimit import BodyLimit
from bot.web.context import Web
from bot.web.health import install as install_health
from bot.web.keys import signing_key
from bot.web.pages import make_pages
from bot.web.readdb import read_engine, read_sessions
from bot.web.routes import account, admin, audit_log, auth, decide, edit, outcomes, overview, queue
from bot.web.routes.whatsapp_webhook import router as whatsapp_webhook_router
from bot.web.security import SecurityHeaders

STATIC = Path(__file__).resolve().parent / "static"


def create_app(runtime: Runtime, scheduler: Scheduler | None = None) -> FastAPI:
    settings = runtime.settings
    app = FastAPI(title="newsbot", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = runtime
    app.state.scheduler = scheduler
    redactor = Redactor(settings.secret_values())
    reads = read_engine(settings.database_url, runtime.engine)
    web = Web(
        runtime=runtime,
        scheduler=scheduler,
        key=signing_key(settings),
        reads=read_sessions(reads),
        pages=make_pages(settings),
        redactor=redactor,
    )
    web.pages.filters["scrub"] = web.scrub
    app.state.web = web

    # innermost of the middleware, still before any route parses a body or checks a token
    app.add_middleware(BodyLimit, max_body=int(settings.web.max_body))
    install_health(app)  # /healthz, /readyz, /metrics, request ids
    app.include_router(whatsapp_webhook_router)  # Cloud API webhooks, signed by Meta
    for module in (auth, queue, edit, decide, outcomes, audit_log, overview, admin, account):
        app.include_router(module.router)
    app.mount("/api/v1", build_api(web))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    if reads is not runtime.engine:
        original_close = runtime.close

        def close() -> None:
            reads.dispose()
            original_close()

        runtime.close = close  # type: ignore[method-assign]
    return app
