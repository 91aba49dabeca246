"""Sign-in throttling by (account, address), with a cap per address over all accounts.

Wrong passwords for an account from one address make that address wait before its next
try for that account: free for the first ``ACCOUNT_FREE``, then 1 s, 2 s, 4 s … up to
``CAP``. An address that fails ``ADDRESS_FREE`` times over any accounts waits the same
way for every account. Nothing one address does makes another wait, so nobody can lock
the owner out by guessing at their name from elsewhere.

Check and record happen in one transaction with both rows locked (``SELECT … FOR UPDATE``
on PostgreSQL; SQLite has one writer at a time): two concurrent wrong passwords cannot
both be checked while the count says one more is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.orm import Session

from bot.store.models import SignInThrottle
from bot.store.upsert import insert

#: wrong passwords in a row, per account from one address, before the delays start
ACCOUNT_FREE = 5
#: wrong passwords in a row from one address over all accounts before it waits for all
ADDRESS_FREE = 20
FIRST_DELAY = timedelta(seconds=1)
CAP = timedelta(minutes=15)
#: a count with no failure for this long starts again from zero
FORGET_AFTER = timedelta(hours=1)
ADDRESS_KEY = "address"


def account_key(name: str) -> str:
    return f"account:{name}"


def delay(failures: int, free: int) -> timedelta:
    """How long to wait after ``failures`` wrong passwords in a row."""
    if failures < free:
        return timedelta(0)
    steps = min(failures - free, 30)  # 2**30 s is far past the cap already
    seconds = FIRST_DELAY.total_seconds() * 2**steps
    return timedelta(seconds=min(CAP.total_seconds(), seconds))


@dataclass(frozen=True)
class Count:
    failures: int
    last_at: datetime
    blocked_until: datetime | None


def wait_seconds(count: Count, now: datetime) -> int | None:
    """Whole seconds until the next try is allowed, or None if it is allowed now."""
    if count.blocked_until is None or count.blocked_until <= now:
        return None
    return max(1, math.ceil((count.blocked_until - now).total_seconds()))


def after_failure(count: Count, now: datetime, free: int) -> Count:
    failures = 0 if now - count.last_at > FORGET_AFTER else count.failures
    failures += 1
    wait = delay(failures, free)
    return Count(failures, now, now + wait if wait else None)


def _locked_rows(session: Session, name: str, address: str, now: datetime) -> list[SignInThrottle]:
    keys = [ADDRESS_KEY, account_key(name)]  # always in this order: no deadlock between two
    rows = [{"address": address, "key": k, "failures": 0, "last_at": now} for k in keys]
    session.execute(insert(session, SignInThrottle).values(rows).on_conflict_do_nothing())
    found = session.scalars(
        select(SignInThrottle)
        .where(SignInThrottle.address == address, SignInThrottle.key.in_(keys))
        .order_by(SignInThrottle.key.desc())  # "address" before "account:…"
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return list(found)


@dataclass
class Gate:
    """Both rows of one attempt, locked until the transaction ends."""

    address_row: SignInThrottle
    account_row: SignInThrottle

    def wait(self, now: datetime) -> int | None:
        waits = [wait_seconds(_count(r), now) for r in (self.address_row, self.account_row)]
        known = [w for w in waits if w is not None]
        return max(known) if known else None

    def record(self, ok: bool, now: datetime) -> None:
        if ok:  # the address's own count stays: one good account must not reset it
            _store(self.account_row, Count(0, now, None))
            return
        _store(self.account_row, after_failure(_count(self.account_row), now, ACCOUNT_FREE))
        _store(self.address_row, after_failure(_count(self.address_row), now, ADDRESS_FREE))


def _count(row: SignInThrottle) -> Count:
    return Count(row.failures, row.last_at, row.blocked_until)


def _store(row: SignInThrottle, count: Count) -> None:
    row.failures, row.last_at, row.blocked_until = (
        count.failures,
        count.last_at,
        count.blocked_until,
    )


def gate(session: Session, name: str, address: str, now: datetime) -> Gate:
    """Lock (and create if new) the rows for this attempt."""
    for _ in range(3):
        rows = {row.key: row for row in _locked_rows(session, name, address, now)}
        if ADDRESS_KEY in rows and account_key(name) in rows:
            return Gate(rows[ADDRESS_KEY], rows[account_key(name)])
        # another attempt's ``forget_old`` deleted a stale row between our insert and our
        # lock: insert it again
    raise RuntimeError("sign-in throttle rows vanished three times in a row")


def forget_old(session: Session, keep_address: str, now: datetime) -> None:
    """Drop rows that neither block nor count any more. Run after ``gate``: rows other
    transactions hold are skipped, never waited for (no deadlock), and this attempt's own
    rows are kept."""
    stale = (
        select(SignInThrottle.address, SignInThrottle.key)
        .where(
            SignInThrottle.address != keep_address,
            SignInThrottle.last_at < now - FORGET_AFTER,
            or_(SignInThrottle.blocked_until.is_(None), SignInThrottle.blocked_until < now),
        )
        .limit(100)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        delete(SignInThrottle).where(tuple_(SignInThrottle.address, SignInThrottle.key).in_(stale))
    )
