"""log [--since T] [--post ID] [--json]: the audit trail."""

from __future__ import annotations

import argparse
from typing import Any

from bot import audit
from bot.commands.common import (
    command,
    print_jsonl,
    print_table,
    redactor_for,
    shorten,
    with_runtime,
)
from bot.review.when import format_local, parse_local_time
from bot.runtime import Runtime
from bot.setting_types import parse_duration


def _since(text: str, runtime: Runtime) -> Any:
    """An absolute time (newsroom zone) or a duration back from now: '2h', '1d'."""
    try:
        return runtime.clock.now() - parse_duration(text)
    except ValueError:
        return parse_local_time(text, runtime.settings.tz)


def _log(runtime: Runtime, args: argparse.Namespace) -> int:
    since = _since(args.since, runtime) if args.since else None
    with runtime.sessions() as session:
        events = audit.query(session, since=since, post_id=args.post)
    if args.json:
        print_jsonl((audit.to_json(e) for e in events), redactor_for(runtime))
        return 0
    tz = runtime.settings.tz
    rows = [
        [
            str(e.id),
            format_local(e.at, tz),
            e.actor,
            e.action,
            str(e.post_id or ""),
            e.channel or "",
            shorten(_summary(e.detail), 70),
        ]
        for e in events
    ]
    print_table(
        ["ID", "AT", "ACTOR", "ACTION", "POST", "CHANNEL", "DETAIL"], rows, redactor_for(runtime)
    )
    return 0


def _summary(detail: dict[str, Any]) -> str:
    for key in ("error", "note", "reason", "remote_id"):
        if detail.get(key):
            return f"{key}: {detail[key]}"
    return ", ".join(
        f"{k}={v}" for k, v in detail.items() if k not in ("text", "before", "after", "response")
    )


def register(sub: Any) -> None:
    p = command(sub, "log", "the audit trail")
    p.add_argument("--since", metavar="T", help="'2h', '1d' or a time such as '2026-03-29 09:00'")
    p.add_argument("--post", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=with_runtime(_log))
