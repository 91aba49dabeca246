"""drafts list | show | approve | reject | edit | withdraw | retry."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.channels.registry import NAMES
from bot.commands.common import (
    command,
    group,
    print_jsonl,
    print_table,
    redactor_for,
    shorten,
    with_runtime,
)
from bot.desk import changes
from bot.desk.commands import Approve, Edit, PostResult, Reject, Retry, Schedule, Withdraw
from bot.desk.errors import BadTime, DeskError, PlatformRefused
from bot.desk.service import Desk
from bot.errors import UsageError
from bot.outbox.states import State
from bot.review.when import format_local
from bot.runtime import Runtime
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
    from bot.channels.registry import LIMITS, measure

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


def _get(session: Session, post_id: int) -> Post:
    try:
        post = changes.get_post(session, post_id)
    except DeskError as exc:
        raise UsageError(str(exc)) from None
    _ = post.article
    return post


def _desk(runtime: Runtime, args: argparse.Namespace) -> int:
    """Run one desk action; a refusal is one line and exit 2, as any bad usage."""
    desk = runtime.desk()
    try:
        result = _ACTIONS[args.drafts_command](desk, args)
    except PlatformRefused as exc:  # the work failed, not the usage: exit 1
        print(f"newsbot: {redactor_for(runtime).scrub(str(exc))}")
        return 1
    except BadTime as exc:
        raise UsageError(f"--at: {exc}") from None
    except DeskError as exc:
        raise UsageError(str(exc)) from None
    suffix = (
        f" for {format_local(result.scheduled_at, runtime.settings.tz)}"
        if result.state == State.SCHEDULED and result.scheduled_at
        else ""
    )
    print(f"post {result.post_id}: {result.state}{suffix}")
    return 0


def _approve(desk: Desk, a: argparse.Namespace) -> PostResult:
    if a.at:
        return desk.schedule(Schedule(a.id, a.at), ACTOR)
    return desk.approve(Approve(a.id), ACTOR)


_ACTIONS: dict[str, Callable[[Desk, argparse.Namespace], PostResult]] = {
    "approve": _approve,
    "reject": lambda d, a: d.reject(Reject(a.id, a.note), ACTOR),
    "edit": lambda d, a: d.edit(Edit(a.id, text=a.text), ACTOR),
    "withdraw": lambda d, a: d.withdraw(Withdraw(a.id, a.reason or ""), ACTOR),
    "retry": lambda d, a: d.retry(Retry(a.id), ACTOR),
}


def register(sub: Any) -> None:
    dsub = group(sub, "drafts", "the review queue")
    ls = command(dsub, "list", "list posts")
    ls.add_argument("--state", choices=[s.value for s in State])
    ls.add_argument("--channel", choices=sorted(NAMES))
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=with_runtime(_list))
    show = command(dsub, "show", "one post in full")
    show.add_argument("id", type=int)
    show.set_defaults(handler=with_runtime(_show))
    ap = command(dsub, "approve", "approve now or schedule")
    ap.add_argument("id", type=int)
    ap.add_argument("--at", metavar="TIME", help="newsroom time, e.g. '2026-03-29 09:00'")
    ap.set_defaults(handler=with_runtime(_desk))
    rj = command(dsub, "reject", "reject with a note")
    rj.add_argument("id", type=int)
    rj.add_argument("--note", required=True)
    rj.set_defaults(handler=with_runtime(_desk))
    ed = command(dsub, "edit", "replace the text")
    ed.add_argument("id", type=int)
    ed.add_argument("--text", required=True)
    ed.set_defaults(handler=with_runtime(_desk))
    wd = command(dsub, "withdraw", "cancel, or take a published post down")
    wd.add_argument("id", type=int)
    wd.add_argument("--reason", default="")
    wd.set_defaults(handler=with_runtime(_desk))
    rt = command(dsub, "retry", "send a failed post again")
    rt.add_argument("id", type=int)
    rt.set_defaults(handler=with_runtime(_desk))
