"""/healthz, /readyz and /metrics: health that tells the truth.

``/readyz`` is 200 only when the database answers, the migrations are current and the
ticks run; otherwise 503, with ``failed`` naming the checks that failed. That is all an
anonymous caller sees; the checks in detail (revisions, ticks, channels, error texts) are
for a signed-in admin or an API token. Which ticks:
- a process with a scheduler (``newsbot run``) vouches for its own ticks: each one ran
  within twice its interval;
- a web-only process (``newsbot web``) has no ticks of its own; it reads the workers'
  heartbeats from the database and is ready only when, for every tick, some worker ran it
  within twice its interval (plus the heartbeat's flush period). With no worker at all
  it is not ready: approved posts would not go out.
Channel health (credentials, quota, WhatsApp session) is reported, never failing
readiness: a channel down is the channel's problem, not the process's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot import heartbeat
from bot.channels.health import channel_report
from bot.logging import Redactor
from bot.runtime import Runtime
from bot.scheduler import Scheduler
from bot.store.db import current_revision, head_revision
from bot.web.auth import find_session
from bot.web.deps import SESSION_COOKIE
from bot.web.gauges import registry_for
from bot.web.request_ids import RequestIds
from bot.web.tokens import find_token

router = APIRouter()


def _database(runtime: Runtime) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
        checks["migrations"] = {"ok": False, "error": "database unreachable"}
        return checks
    try:
        current, head = current_revision(runtime.engine), head_revision(runtime.engine)
        checks["migrations"] = {"ok": current == head, "current": current, "head": head}
    except Exception as exc:
        checks["migrations"] = {"ok": False, "error": exc.__class__.__name__}
    return checks


def _own_ticks(scheduler: Scheduler) -> dict[str, Any]:
    ticks = scheduler.ticks.report()
    for name, tick in ticks.items():
        tick["budget_seconds"] = heartbeat.budget(tick["interval_seconds"])
        tick["frozen"] = name in scheduler.ticks.frozen
    return {
        "ok": scheduler.running and all(t["ok"] for t in ticks.values()),
        "running": scheduler.running,
        "ticks": ticks,
    }


def _workers(runtime: Runtime) -> dict[str, Any]:
    with runtime.sessions() as session:
        beats = heartbeat.read(session, runtime.clock.now())
    if not beats:
        return {"ok": False, "error": "no worker has reported a heartbeat", "ticks": {}}
    return {
        "ok": all(b.ok for b in beats.values()),
        "ticks": {name: b.as_json() for name, b in sorted(beats.items())},
    }


def readiness(runtime: Runtime, scheduler: Scheduler | None) -> tuple[bool, dict[str, Any]]:
    checks = _database(runtime)
    if scheduler is not None:
        checks["scheduler"] = _own_ticks(scheduler)
    elif checks["database"]["ok"]:
        try:
            checks["workers"] = _workers(runtime)
        except Exception as exc:  # the heartbeat table may be missing: migrations not run
            checks["workers"] = {"ok": False, "error": exc.__class__.__name__}
    else:
        checks["workers"] = {"ok": False, "error": "database unreachable"}
    failed = [name for name, check in checks.items() if not check["ok"]]
    body: dict[str, Any] = {
        "status": "not ready" if failed else "ready",
        "failed": failed,
        "checks": checks,
    }
    if checks["database"]["ok"]:
        try:
            with runtime.sessions() as session:
                body["channels"] = channel_report(session, runtime.settings, runtime.clock.now())
        except Exception as exc:  # reported, never failing readiness
            body["channels"] = {"error": exc.__class__.__name__}
    return not failed, body


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    """The process is alive and serving."""
    return {"status": "ok"}


def insider(request: Request) -> bool:
    """A signed-in admin or an API token's holder: who may read the checks in detail."""
    web = getattr(request.app.state, "web", None)
    if web is None:
        return False
    now = web.now()
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    cookie = request.cookies.get(SESSION_COOKIE, "")
    try:
        with web.read() as session:
            if scheme.lower() == "bearer" and find_token(session, token.strip(), now):
                return True
            found = find_session(session, cookie, now) if 0 < len(cookie) < 200 else None
            return found is not None and found.actor.can("admin")
    except Exception:  # the database is down: readiness says so; nobody is known
        return False


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> JSONResponse:
    """Anyone: ready or not, and which checks failed. An admin or a token: every check,
    host and error text included (scrubbed)."""
    state = request.app.state
    ok, body = readiness(state.runtime, state.scheduler)
    status = 200 if ok else 503
    if not insider(request):
        return JSONResponse({"status": body["status"], "failed": body["failed"]}, status)
    # what a channel answered could, in a bad day, echo a credential: scrub the body
    body = Redactor(state.runtime.settings.secret_values()).scrub(body)
    return JSONResponse(body, status_code=status)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """Health routes, metrics and request ids on an app whose state has runtime and scheduler."""
    scheduler = app.state.scheduler
    app.state.metrics = registry_for(app.state.runtime, scheduler.ticks if scheduler else None)
    app.include_router(router)
    app.add_middleware(RequestIds)
