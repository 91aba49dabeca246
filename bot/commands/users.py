"""users add NAME --role … | users passwd NAME | users token NAME [--label L] [--expires 90d].

Passwords come from a prompt or stdin. Each change is audited with the actor ``cli``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import admin_audit
from bot.commands.common import group, with_runtime
from bot.errors import UsageError
from bot.runtime import Runtime
from bot.store.db import transaction
from bot.store.models import User
from bot.users import ROLES, add_user, check_password, set_password


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


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise UsageError(f"no user {name}; add one with `newsbot users add`")
    return user


def _add(runtime: Runtime, args: argparse.Namespace) -> int:
    password = read_password()
    now = runtime.clock.now()
    with transaction(runtime.sessions) as session:
        user = add_user(session, args.name, args.role, password, now)
        admin_audit.user_added(session, admin_audit.CLI, user, now)
        print(f"added {user.role} {user.name}")
    return 0


def _passwd(runtime: Runtime, args: argparse.Namespace) -> int:
    from bot.web.auth import end_sessions_of

    with runtime.sessions() as session:
        _user(session, args.name)  # a typo is told before the password is asked
    password = read_password()
    check_password(password)
    now = runtime.clock.now()
    with transaction(runtime.sessions) as session:
        user = _user(session, args.name)
        set_password(user, password)
        # set by the operator (a forgotten or leaked password): every session ends
        end_sessions_of(session, user.id)
        admin_audit.password_changed(session, admin_audit.CLI, user, now)
    print(f"password changed for {args.name}; their dashboard sessions are signed out")
    return 0


def _token(runtime: Runtime, args: argparse.Namespace) -> int:
    from bot.web.tokens import create_token, parse_lifetime

    lifetime = parse_lifetime(args.expires) if args.expires else None
    now = runtime.clock.now()
    with transaction(runtime.sessions) as session:
        user = session.scalar(select(User).where(User.name == args.name))
        if user is None or user.disabled:
            raise UsageError(f"no active user {args.name}; add one with `newsbot users add`")
        row, token = create_token(session, user.id, args.label, now, lifetime)
        admin_audit.token_created(session, admin_audit.CLI, row, user.name, now)
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
    passwd = usub.add_parser(
        "passwd",
        help="set an account's password",
        description="set NAME's password (from a prompt or stdin); signs out their sessions",
    )
    passwd.add_argument("name")
    passwd.set_defaults(handler=with_runtime(_passwd))
    token = usub.add_parser(
        "token",
        help="issue an API token for a user (a CMS, a script)",
        description="issue an API token acting as NAME; printed once, stored hashed",
    )
    token.add_argument("name")
    token.add_argument("--label", default="cli", help="what the token is for, e.g. cms")
    token.add_argument(
        "--expires",
        metavar="DURATION",
        help="refuse the token after this long, e.g. 90d, 12h or 2w (default: never)",
    )
    token.set_defaults(handler=with_runtime(_token))
