"""users add NAME --role editor|admin|viewer (password from a prompt or stdin)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from bot.commands.common import with_runtime
from bot.errors import UsageError
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.users import ROLES, add_user


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise UsageError("the passwords do not match")
        return first
    line = sys.stdin.readline()
    if not line:
        raise UsageError("password: give it on standard input (one line) or run in a terminal")
    return line.rstrip("\r\n")


def _add(runtime: Runtime, args: argparse.Namespace) -> int:
    password = read_password()
    with transaction(runtime.sessions) as session:
        user = add_user(session, args.name, args.role, password, runtime.clock.now())
        print(f"added {user.role} {user.name}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("users", help="dashboard accounts", description="dashboard accounts")
    usub = p.add_subparsers(dest="users_command", required=True, parser_class=type(p))
    add = usub.add_parser(
        "add",
        help="add an account",
        description="add an account; the password is read from a prompt or stdin",
    )
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.set_defaults(handler=with_runtime(_add))
