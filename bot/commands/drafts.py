"""drafts list | show | approve | reject | edit | withdraw | retry."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.commands.common import (
    command,
    group,
    print_jsonl,
    print_table,
    redactor_for,
    shorten,
    with_runtime,
)
from bot.errors import BotError, UsageError
from bot.outbox.states import State
from bot.review import actions
from bot.review.when import format_local, parse_local_time
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import Post

ACTOR = "cli"


def draft_json(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "article_id": post.article_id,
        "title": post.article.title,
        "url": post.article.canonical_url,
        "channel": post.channel,
        "state": post.state,
        "text": post.text,
        "key_quote": post.key_quote,
        "hashtags": post.hashtags,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "attempts": post.attempts,
        "remote_id": post.remote_id,
        "remote_url": post.remote_url,
        "error": post.error,
    }


def _list(runtime: Runtime, args: argparse.Namespace) -> int:
    stmt = select(Post).options(joinedload(Post.article)).order_by(Post.id)
    if args.state:
        stmt = stmt.where(Post.state == args.state)
    if args.channel:
        stmt = stmt.where(Post.channel == args.channel)
    with runtime.sessions() as session:
        posts = list(session.scalars(stmt))
    if args.json:
        print_jsonl((draft_json(p) for p in posts), redactor_for(runtime))
        return 0
    tz = runtime.settings.tz
    rows = [
        [
            str(p.id),
            p.state,
            p.channel,
            format_local(p.scheduled_at, tz),
            shorten(p.article.title, 60),
            shorten(p.error or p.waiting_reason or "", 40),
        ]
        for p in posts
    ]
    print_table(
        ["ID", "STATE", "CHANNEL", "SCHEDULED", "TITLE", "NOTE"], rows, redactor_for(runtime)
    )
    if not posts:
        print("no drafts" + (f" in state {args.state}" if args.state else ""))
    return 0


def _show(runtime: Runtime, args: argparse.Namespace) -> int:
    with runtime.sessions() as session:
        post = _get(session, args.id)
        data = redactor_for(runtime).scrub(draft_json(post))
    from bot.editorial.length import LIMITS, measure

    length = measure(post.channel, post.text)
    print(f"post {post.id} · {post.channel} · {post.state} · {length}/{LIMITS[post.channel]}")
    print(f"article: {data['title']}\n  {data['url']}")
    if post.key_quote:
        print(
            f"key quote: “{post.key_quote['text']}” — "
            f"{post.key_quote.get('speaker') or 'unattributed'}"
        )
    for key in ("scheduled_at", "remote_id", "remote_url", "error"):
        if data[key]:
            print(f"{key.replace('_', ' ')}: {data[key]}")
    if post.waiting_reason and post.state in (State.APPROVED, State.SCHEDULED):
        print(f"waiting: {post.waiting_reason}")
    print("\n" + post.text)
    return 0


def _get(session: Session, post_id: int, *, for_update: bool = False) -> Post:
    try:
        post = actions.get_post(session, post_id, for_update=for_update)
    except actions.ReviewError as exc:
        raise UsageError(str(exc)) from None
    _ = post.article
    return post


def _act(runtime: Runtime, post_id: int, verb: str, **kwargs: Any) -> int:
    now = runtime.clock.now()
    try:
        with transaction(runtime.sessions) as session:
            # locked: a worker's claim cannot slip in between reading the state and changing it
            post = _get(session, post_id, for_update=True)
            getattr(actions, verb)(session, post, ACTOR, now, **kwargs)
            state, scheduled = post.state, post.scheduled_at
    except actions.ReviewError as exc:
        raise UsageError(str(exc)) from None
    suffix = (
        f" for {format_local(scheduled, runtime.settings.tz)}"
        if state == State.SCHEDULED and scheduled
        else ""
    )
    print(f"post {post_id}: {state}{suffix}")
    return 0


def _approve(runtime: Runtime, args: argparse.Namespace) -> int:
    at = parse_local_time(args.at, runtime.settings.tz) if args.at else None
    if at is not None and at <= runtime.clock.now():
        raise UsageError(f"--at: {args.at} is in the past; leave --at out to approve now")
    return _act(runtime, args.id, "approve", at=at, two_person=runtime.settings.review.two_person)


def _withdraw(runtime: Runtime, args: argparse.Namespace) -> int:
    with runtime.sessions() as session:
        channel_name = _get(session, args.id).channel
    try:
        return _act(
            runtime,
            args.id,
            "withdraw",
            channel=runtime.channels.get(channel_name),
            reason=args.reason or "",
        )
    except BotError as exc:
        if isinstance(exc, UsageError):
            raise
        print(f"newsbot: post {args.id} could not be taken down: {exc}")
        return 1


def register(sub: Any) -> None:
    dsub = group(sub, "drafts", "the review queue")
    ls = command(dsub, "list", "list posts")
    ls.add_argument("--state", choices=[s.value for s in State])
    ls.add_argument("--channel", choices=["whatsapp", "x"])
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=with_runtime(_list))
    show = command(dsub, "show", "one post in full")
    show.add_argument("id", type=int)
    show.set_defaults(handler=with_runtime(_show))
    ap = command(dsub, "approve", "approve now or schedule")
    ap.add_argument("id", type=int)
    ap.add_argument("--at", metavar="TIME", help="newsroom time, e.g. '2026-03-29 09:00'")
    ap.set_defaults(handler=with_runtime(_approve))
    rj = command(dsub, "reject", "reject with a note")
    rj.add_argument("id", type=int)
    rj.add_argument("--note", required=True)
    rj.set_defaults(handler=with_runtime(lambda r, a: _act(r, a.id, "reject", note=a.note)))
    ed = command(dsub, "edit", "replace the text")
    ed.add_argument("id", type=int)
    ed.add_argument("--text", required=True)
    ed.set_defaults(handler=with_runtime(lambda r, a: _act(r, a.id, "edit", text=a.text)))
    wd = command(dsub, "withdraw", "cancel, or take a published post down")
    wd.add_argument("id", type=int)
    wd.add_argument("--reason", default="")
    wd.set_defaults(handler=with_runtime(_withdraw))
    rt = command(dsub, "retry", "send a failed post again")
    rt.add_argument("id", type=int)
    rt.set_defaults(handler=with_runtime(lambda r, a: _act(r, a.id, "retry")))
