"""What every command shares: settings, logging, the runtime, output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.exc import OperationalError, ProgrammingError

from bot import logging as bot_logging
from bot.errors import UsageError
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from bot.store.db import migrations_current

Handler = Callable[[argparse.Namespace], int]


def command(sub: Any, name: str, summary: str) -> argparse.ArgumentParser:
    """``newsbot NAME``: ``summary`` in the list of commands and atop its own ``--help``."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=summary, description=summary)
    return parser


def group(sub: Any, name: str, summary: str) -> Any:
    """``newsbot NAME SUBCOMMAND``: the subcommands' ``sub``, one of them required."""
    parser = command(sub, name, summary)
    return parser.add_subparsers(dest=f"{name}_command", required=True, parser_class=type(parser))


def settings_and_logging() -> Settings:
    settings = load_settings()
    bot_logging.configure(settings.log_level, settings.log_format, settings.secret_values())
    return settings


def open_runtime(*, migrated: bool = True) -> Runtime:
    settings = settings_and_logging()
    runtime = Runtime(settings)
    if migrated:
        try:
            current = migrations_current(runtime.engine)
        except OperationalError as exc:
            raise UsageError(
                f"NEWSBOT_DATABASE_URL: cannot reach the database ({_first_line(exc)})"
            ) from None
        if not current:
            raise UsageError("the database is not migrated; run `newsbot db upgrade`")
    return runtime


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).strip().splitlines()[0]


def with_runtime(
    fn: Callable[[Runtime, argparse.Namespace], int], *, migrated: bool = True
) -> Handler:
    """Run a command against a Runtime, turning database trouble into one-line errors."""

    def handler(args: argparse.Namespace) -> int:
        runtime = open_runtime(migrated=migrated)
        try:
            return fn(runtime, args)
        except (OperationalError, ProgrammingError) as exc:
            print(f"newsbot: database error: {_first_line(exc)}", file=sys.stderr)
            return 1
        finally:
            runtime.close()

    return handler


def redactor_for(runtime: Runtime) -> bot_logging.Redactor:
    """The redactor of the logs and the dashboard: stored error texts printed through it
    never show a configured secret."""
    return bot_logging.Redactor(runtime.settings.secret_values())


def print_jsonl(
    rows: Iterable[dict[str, Any]], redactor: bot_logging.Redactor | None = None
) -> None:
    for row in rows:
        shown = redactor.scrub(row) if redactor is not None else row
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, default=str) + "\n")


def print_table(
    headers: list[str], rows: list[list[str]], redactor: bot_logging.Redactor | None = None
) -> None:
    if not rows:
        return
    if redactor is not None:
        rows = [[redactor.scrub(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
