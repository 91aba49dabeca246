"""Sources and channels (admin): feeds, channel health, accounts and roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from bot import admin_audit
from bot.desk.commands import AddSource, RemoveSource
from bot.desk.errors import DeskError
from bot.desk.service import Desk
from bot.errors import UsageError
from bot.store.models import User
from bot.users import ROLES, add_user
from bot.web import desk
from bot.web.deps import check_csrf, get_web, require
from bot.web.pages import redirect, render
from bot.web.roles import Actor

router = APIRouter(dependencies=[Depends(check_csrf)])
log = structlog.get_logger("bot.web")
Admin = Annotated[Actor, Depends(require("admin"))]


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, actor: Admin) -> HTMLResponse:
    web = get_web(request)
    with web.read() as session:
        sources = desk.sources_with_counts(session)
        channels = desk.channel_views(session, web.runtime, web.now())
        users = desk.users(session)
    checks = getattr(request.app.state, "last_checks", {})
    return render(
        request,
        "web/admin.html",
        actor=actor,
        sources=sources,
        channels=channels,
        users=users,
        roles=ROLES,
        checks=checks,
    )


def _do(request: Request, action: object, done: str) -> Response:
    try:
        with get_web(request).write() as session:
            action(session)  # type: ignore[operator]
    except UsageError as exc:
        return redirect(request, "/admin", str(exc), kind="error")
    # also in the log, beside the audit event each action writes
    log.info("web.admin", actor=request.state.actor.name, done=done)
    return redirect(request, "/admin", done)


def _source(request: Request, action: Callable[[Desk], object], done: str) -> Response:
    web = get_web(request)
    try:
        action(web.desk())
    except DeskError as exc:  # a feed URL in the message may carry a password
        return redirect(request, "/admin", web.scrub(str(exc)), kind="error")
    # the desk writes the audit row; the log line is for operators reading the log
    log.info("web.admin", actor=request.state.actor.name, done=done)
    return redirect(request, "/admin", done)


@router.post("/admin/sources")
def add_source(
    request: Request,
    actor: Admin,
    url: Annotated[str, Form(max_length=2048)] = "",
    auto_approve: Annotated[str, Form(max_length=5)] = "",
    backfill: Annotated[int, Form(ge=0, le=1000)] = 0,
) -> Response:
    cmd = AddSource(url, auto_approve == "on", backfill, actor=actor.name)
    return _source(
        request,
        lambda d: d.add_source(cmd),
        f"Added {admin_audit.plain_url(url.strip())}; it is polled on the next round.",
    )


@router.post("/admin/sources/{source_id}/remove")
def remove_source(request: Request, source_id: int, actor: Admin) -> Response:
    return _source(
        request,
        lambda d: d.remove_source(RemoveSource(source_id, actor=actor.name)),
        f"Removed source {source_id} (its articles and posts are kept).",
    )


@router.post("/admin/channels/{name}/check")
def check_channel(request: Request, name: str, _actor: Admin) -> Response:
    web = get_web(request)
    channel = web.runtime.channels.get(name)
    if channel is None:
        return redirect(request, "/admin", f"No channel {name}.", kind="error")
    try:
        health = channel.check()
        result = {"ok": health.ok, "detail": web.scrub(health.detail), "data": health.data}
    except Exception as exc:  # a check reports whatever the channel raised, never a traceback
        result = {"ok": False, "detail": web.scrub(f"{exc.__class__.__name__}: {exc}"), "data": {}}
    request.app.state.last_checks = {**getattr(request.app.state, "last_checks", {}), name: result}
    return redirect(request, "/admin", f"{name}: {'ok' if result['ok'] else 'unhealthy'}.")


@router.post("/admin/users")
def create_user(
    request: Request,
    actor: Admin,
    name: Annotated[str, Form(max_length=100)] = "",
    role: Annotated[str, Form(max_length=20)] = "viewer",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    now = get_web(request).now()

    def add(session: Session) -> None:
        user = add_user(session, name.strip(), role, password, now)
        admin_audit.user_added(session, actor.name, user, now)

    return _do(request, add, f"Added {role} {name}.")


@router.post("/admin/users/{user_id}/role")
def change_role(
    request: Request,
    user_id: int,
    actor: Admin,
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    now = get_web(request).now()

    def change(session: Session) -> None:
        before = session.get(User, user_id)
        was = before.role if before is not None else None
        user = desk.set_role(session, user_id, role)
        if was != user.role:
            admin_audit.user_changed(session, actor.name, user, now, role=[was, user.role])

    return _do(request, change, f"Role changed to {role}.")


@router.post("/admin/users/{user_id}/disabled")
def change_disabled(
    request: Request,
    user_id: int,
    actor: Admin,
    disabled: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    off = disabled == "yes"
    now = get_web(request).now()

    def change(session: Session) -> None:
        before = session.get(User, user_id)
        was = before.disabled if before is not None else None
        user = desk.set_disabled(session, user_id, off)
        if was != off:
            admin_audit.user_changed(session, actor.name, user, now, disabled=[was, off])

    return _do(
        request, change, "Account disabled; its sessions ended." if off else "Account enabled."
    )
