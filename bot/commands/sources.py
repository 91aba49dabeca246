"""sources add | list | remove."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import func, select

from bot import admin_audit
from bot.commands.common import (
    command,
    group,
    print_jsonl,
    print_table,
    redactor_for,
    shorten,
    with_runtime,
)
from bot.desk.commands import AddSource, RemoveSource
from bot.desk.errors import DeskError
from bot.errors import UsageError
from bot.runtime import Runtime
from bot.store.models import Article, Source


def source_json(source: Source, items: int) -> dict[str, Any]:
    return {
        "id": source.id,
        "url": source.url,
        "auto_approve": source.auto_approve,
        "last_polled_at": source.last_polled_at.isoformat() if source.last_polled_at else None,
        "last_status": source.last_status,
        "last_error": source.last_error,
        "items": items,
    }


def _add(runtime: Runtime, args: argparse.Namespace) -> int:
    cmd = AddSource(
        args.url, args.auto_approve, args.backfill, allow_files=True, actor=admin_audit.CLI
    )
    try:
        added = runtime.desk().add_source(cmd)
    except DeskError as exc:
        raise UsageError(str(exc)) from None
    print(f"added source {added.source_id}: {added.url}")
    return 0


def _list(runtime: Runtime, args: argparse.Namespace) -> int:
    with runtime.sessions() as session:
        counts = dict(
            session.execute(
                select(Article.source_id, func.count()).group_by(Article.source_id)
            ).all()
        )
        sources = list(session.scalars(select(Source).order_by(Source.id)))
    if args.json:
        print_jsonl((source_json(s, counts.get(s.id, 0)) for s in sources), redactor_for(runtime))
        return 0
    rows = [
        [
            str(s.id),
            "yes" if s.auto_approve else "no",
            s.last_polled_at.strftime("%Y-%m-%d %H:%M") if s.last_polled_at else "never",
            s.last_status or "",
            str(counts.get(s.id, 0)),
            shorten(s.last_error or "", 50),
            s.url,
        ]
        for s in sources
    ]
    print_table(
        ["ID", "AUTO", "LAST POLL", "STATUS", "ITEMS", "ERROR", "URL"], rows, redactor_for(runtime)
    )
    if not sources:
        print("no sources; add one with `newsbot sources add URL`")
    return 0


def _remove(runtime: Runtime, args: argparse.Namespace) -> int:
    try:
        runtime.desk().remove_source(RemoveSource(args.id, actor=admin_audit.CLI))
    except DeskError as exc:
        raise UsageError(str(exc)) from None
    print(f"removed source {args.id} (its articles and posts are kept)")
    return 0


def register(sub: Any) -> None:
    ssub = group(sub, "sources", "manage feeds")
    add = command(ssub, "add", "watch a feed")
    add.add_argument("url", help="feed URL (RSS, Atom, JSON Feed) or a feed file")
    add.add_argument(
        "--auto-approve", action="store_true", help="drafts from this feed go out without review"
    )
    add.add_argument(
        "--backfill",
        type=int,
        default=0,
        metavar="N",
        help="draft the N newest items whatever their age",
    )
    add.set_defaults(handler=with_runtime(_add))
    ls = command(ssub, "list", "list feeds")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=with_runtime(_list))
    rm = command(ssub, "remove", "stop watching a feed")
    rm.add_argument("id", type=int)
    rm.set_defaults(handler=with_runtime(_remove))
