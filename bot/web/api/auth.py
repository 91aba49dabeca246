"""Token authentication of the REST API: ``Authorization: Bearer nbt_…``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.web.deps import get_web
from bot.web.roles import Actor
from bot.web.tokens import find_token, touch_token

bearer = HTTPBearer(auto_error=False, description="An API token from the dashboard's Account page")


def token_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401, "send an API token: Authorization: Bearer …", {"WWW-Authenticate": "Bearer"}
        )
    web = get_web(request)
    now = web.now()
    with web.read() as session:
        owner = find_token(session, credentials.credentials, now)
    if owner is None:
        raise HTTPException(
            401, "the token is unknown, revoked or expired", {"WWW-Authenticate": "Bearer"}
        )
    if owner.stale:
        with web.write() as session:
            touch_token(session, owner.token_id, now)
    return owner.actor


def api_role(role: str) -> Callable[..., Actor]:
    def dependency(actor: Annotated[Actor, Depends(token_actor)]) -> Actor:
        if not actor.can(role):
            raise HTTPException(
                403, f"the token's role ({actor.role}) cannot do this; it needs {role}"
            )
        return actor

    return dependency
