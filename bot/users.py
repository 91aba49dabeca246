"""Dashboard accounts: roles, argon2 password hashes."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UsageError
from bot.store.models import User

ROLES = ("viewer", "editor", "admin")
MIN_PASSWORD = 10
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"password: expected at least {MIN_PASSWORD} characters")


def set_password(user: User, password: str) -> None:
    """A new password (argon2); the caller ends the sessions it should."""
    check_password(password)
    user.password_hash = hash_password(password)


def change_password(user: User, current: str, new: str, again: str) -> None:
    """The account page's change: the current password first, the new one twice."""
    if not verify_password(user.password_hash, current):
        raise UsageError("the current password is wrong")
    if new != again:
        raise UsageError("the new passwords do not match")
    if new == current:
        raise UsageError("the new password is the same as the current one")
    set_password(user, new)


def add_user(session: Session, name: str, role: str, password: str, now: datetime) -> User:
    if role not in ROLES:
        raise UsageError(f"--role: expected one of {', '.join(ROLES)}")
    if not name.strip() or len(name) > 100:
        raise UsageError("NAME: expected a user name of 1 to 100 characters")
    check_password(password)
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise UsageError(f"user {name} already exists")
    user = User(
        name=name, role=role, password_hash=hash_password(password), disabled=False, created_at=now
    )
    session.add(user)
    session.flush()
    return user
