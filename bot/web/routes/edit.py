"""The edit page: the post's text with a live counter and preview, quote and hashtag choices.

The counter and the preview come from the server as the editor types (``/measure``, a
debounced request): the browser shows exactly what ``x_length`` will enforce on approval.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from bot.channels.registry import LIMITS
from bot.desk import changes, rules
from bot.desk.commands import KEEP, Edit, Keep
from bot.desk.errors import DeskError
from bot.store.models import Post
from bot.web.compose import compose, hashtag_choices, quote_index, quotes_of
from bot.web.deps import check_csrf, get_web, require
from bot.web.lengths import length as measure
from bot.web.pages import local_input, redirect, render
from bot.web.preview import post_html
from bot.web.roles import Actor

router = APIRouter(dependencies=[Depends(check_csrf)])
MAX_TEXT = 20000


def _load(session: Any, post_id: int) -> tuple[Post, list[Post]]:
    post = changes.get_post(session, post_id)
    siblings = list(session.scalars(select(Post).where(Post.article_id == post.article_id)))
    _ = post.article.source
    return post, siblings


def _page(
    request: Request, actor: Actor, post_id: int, text: str | None = None, **extra: Any
) -> HTMLResponse:
    web = get_web(request)
    with web.read() as session:
        post, siblings = _load(session, post_id)
        quotes = quotes_of(post.article)
        choices = hashtag_choices(post.article, siblings)
    return render(
        request,
        "web/edit.html",
        status=extra.pop("status", 200),
        actor=actor,
        post=post,
        text=post.text if text is None else text,
        quotes=quotes,
        chosen_quote=extra.pop("chosen_quote", quote_index(post.article, post.key_quote)),
        hashtag_choices=choices,
        chosen_hashtags=extra.pop("chosen_hashtags", list(post.hashtags or [])),
        siblings=[s for s in siblings if s.id != post.id],
        scheduled_value=local_input(post.scheduled_at, web.runtime.settings),
        two_person=web.runtime.settings.review.two_person,
        **extra,
    )


@router.get("/posts/{post_id}", response_class=HTMLResponse)
def edit_page(
    request: Request, post_id: int, actor: Annotated[Actor, Depends(require("viewer"))]
) -> HTMLResponse:
    return _page(request, actor, post_id)


def _quote_choice(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@router.post("/posts/{post_id}/edit", response_model=None)
def save(
    request: Request,
    post_id: int,
    actor: Annotated[Actor, Depends(require("editor"))],
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
    quote: Annotated[str, Form(max_length=10)] = "",
    hashtags: Annotated[list[str] | None, Form()] = None,
    action: Annotated[str, Form(max_length=20)] = "save",
) -> Response:
    web = get_web(request)
    text = text.replace("\r\n", "\n")  # browsers send a textarea's line breaks as CRLF
    tags = rules.check_hashtags(hashtags or [])
    choice = _quote_choice(quote)
    if action == "compose":  # without scripts: show the re-rendered text, unsaved
        with web.read() as session:
            post, _ = _load(session, post_id)
            new_text, _key = compose(web.runtime.editor, post, choice, tags)
        return _page(request, actor, post_id, new_text, chosen_quote=choice, chosen_hashtags=tags)
    key_quote: dict[str, Any] | Keep | None = KEEP
    with web.read() as session:
        post, _ = _load(session, post_id)
        if choice != quote_index(post.article, post.key_quote):
            quotes = quotes_of(post.article)
            chosen = quotes[choice] if choice is not None and choice < len(quotes) else None
            key_quote = (
                {"text": chosen["text"], "speaker": chosen.get("speaker")} if chosen else None
            )
    cmd = Edit(post_id, text=text, key_quote=key_quote, hashtags=tags)
    try:
        result = web.desk().edit(cmd, actor.name)
    except DeskError as exc:
        return _page(request, actor, post_id, text, status=409, error=str(exc))
    if not result.changed:
        return redirect(request, f"/posts/{post_id}", "Nothing changed.")
    return redirect(request, f"/posts/{post_id}", f"Saved post {post_id}.")


class Measured(BaseModel):
    length: int
    limit: int
    fits: bool
    html: str


class MeasureIn(BaseModel):
    text: str = Field(max_length=MAX_TEXT)


def measured(channel: str, text: str) -> Measured:
    length = measure(channel, text)
    limit = LIMITS[channel]
    return Measured(
        length=length, limit=limit, fits=length <= limit, html=str(post_html(channel, text))
    )


@router.post("/posts/{post_id}/measure")
def measure_text(
    request: Request,
    post_id: int,
    body: Annotated[MeasureIn, Body()],
    _actor: Annotated[Actor, Depends(require("viewer"))],
) -> Measured:
    web = get_web(request)
    with web.read() as session:
        channel = changes.get_post(session, post_id).channel
    return measured(channel, body.text)


class ComposeIn(BaseModel):
    quote: int | None = Field(None, ge=0, le=1000)
    hashtags: list[str] = Field(default_factory=list, max_length=20)


class Composed(Measured):
    text: str


@router.post("/posts/{post_id}/compose")
def compose_text(
    request: Request,
    post_id: int,
    body: Annotated[ComposeIn, Body()],
    _actor: Annotated[Actor, Depends(require("editor"))],
) -> Composed:
    web = get_web(request)
    with web.read() as session:
        post, _ = _load(session, post_id)
        tags = rules.check_hashtags(body.hashtags)
        text, _key = compose(web.runtime.editor, post, body.quote, tags)
        channel = post.channel
    return Composed(text=text, **measured(channel, text).model_dump())
