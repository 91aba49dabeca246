"""POST /api/v1/articles: the CMS push."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bot.store.models import Post
from bot.web.api.auth import api_role
from bot.web.api.convert import post_out
from bot.web.api.push import PushRefused, push_article
from bot.web.api.schemas import ArticleIn, PushOut
from bot.web.deps import get_web
from bot.web.roles import Actor

router = APIRouter(tags=["articles"])


@router.post(
    "/articles",
    response_model=PushOut,
    status_code=201,
    summary="Hand an article over from the CMS; returns its drafts",
    responses={200: {"model": PushOut, "description": "already known: nothing new was made"}},
)
def push(
    request: Request,
    body: ArticleIn,
    actor: Annotated[Actor, Depends(api_role("editor"))],
    response: Response,
) -> PushOut:
    web = get_web(request)
    try:
        pushed = push_article(web, body, actor)
    except PushRefused as exc:
        raise HTTPException(422, web.scrub(str(exc))) from None
    with web.read() as session:
        posts = session.scalars(
            select(Post)
            .options(joinedload(Post.article))
            .where(Post.id.in_(pushed.post_ids))
            .order_by(Post.id)
        ).all()
        drafts = [post_out(p, web.redactor) for p in posts]
    if not pushed.created:
        response.status_code = 200
    return PushOut(article_id=pushed.article_id, created=pushed.created, drafts=drafts)
