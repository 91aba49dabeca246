"""/healthz, /readyz and /metrics: health that tells the truth."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.store.db import migrations_current

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    """The process is alive and serving."""
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> JSONResponse:
    """Ready: database answers, migrations current, every tick ran within twice its interval."""
    state = request.app.state
    checks: dict[str, Any] = {}
    try:
        with state.runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
        checks["migrations"] = {"ok": migrations_current(state.runtime.engine)}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
        checks["migrations"] = {"ok": False, "error": "database unreachable"}
    scheduler = state.scheduler
    if scheduler is not None:
        ticks = scheduler.ticks.report()
        checks["scheduler"] = {
            "ok": scheduler.running and all(t["ok"] for t in ticks.values()),
            "ticks": ticks,
        }
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ready" if ok else "not ready", "checks": checks}
    if state.channel_health is not None:
        # reported, never failing readiness: a channel down is the channel's problem
        body["channels"] = state.channel_health()
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    collect = request.app.state.collect_gauges
    if collect is not None:
        collect()
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
