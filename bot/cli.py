"""The `newsbot` command: the contract of DESIGN.md.

Exit status: 0 done, 1 the work failed, 2 bad usage or bad settings — always with a
one-line message naming what to fix, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from bot import __version__
from bot.commands import db, drafts, log, preview, run, sources, users
from bot.errors import UsageError


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # one line, naming what to fix; argparse's default adds a usage block
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> Parser:
    parser = Parser(prog="newsbot", description="A self-hosted publishing desk for newsrooms.")
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run.register(sub)
    preview.register(sub)
    sources.register(sub)
    drafts.register(sub)
    log.register(sub)
    users.register(sub)
    db.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except UsageError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `newsbot drafts list --json | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code
