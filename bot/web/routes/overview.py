"""The overview a desk lead reads at a glance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from bot.web.charts import duration, grouped_bars
from bot.web.deps import get_web, require
from bot.web.pages import render
from bot.web.roles import Actor
from bot.web.stats import overview

router = APIRouter()


@router.get("/overview", response_class=HTMLResponse)
def overview_page(
    request: Request, actor: Annotated[Actor, Depends(require("viewer"))]
) -> HTMLResponse:
    web = get_web(request)
    settings = web.runtime.settings
    with web.read() as session:
        data = overview(session, web.now(), settings.tz, list(settings.channels))
    labels = [d.strftime("%d %b") for d in data.days]
    return render(
        request,
        "web/overview.html",
        actor=actor,
        data=data,
        posts_chart=grouped_bars("Posts per day per channel", labels, data.published),
        failures_chart=grouped_bars("Failures per day", labels, {"failed": data.failures}),
        to_approval=duration(data.article_to_approval),
        to_live=duration(data.approval_to_live),
    )
