"""users add NAME --role editor|admin|viewer (password from a prompt or stdin)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from bot.commands.common import group, with_runtime
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


def _token(runtime: Runtime, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.store.models import User
    from bot.web.tokens import create_token

    with transaction(runtime.sessions) as session:
        user = session.scalar(select(User).where(User.name == args.name))
        if user is None or user.disabled:
            raise UsageError(f"no active user {args.name}; add one with `newsbot users add`")
        _, token = create_token(session, user.id, args.label, runtime.clock.now())
    # the token itself is shown once, here, and stored only as a hash
    print(token)
    return 0


def register(sub: Any) -> None:
    usub = group(sub, "users", "dashboard accounts")
    add = usub.add_parser(
        "add",
        help="add an account",
        description="add an account; the password is read from a prompt or stdin",
    )
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.set_defaults(handler=with_runtime(_add))
    token = usub.add_parser(
        "token",
        help="issue an API token for a user (a CMS, a script)",
        description="issue an API token acting as NAME; printed once, stored hashed",
    )
    token.add_argument("name")
    token.add_argument("--label", default="cli", help="what the token is for, e.g. cms")
    token.set_defaults(handler=with_runtime(_token))
