"""The desk's rules as plain decisions: no database, no clock, no I/O.

Each returns what to do or raises the desk error that says why not; the service and the
in-transaction changes call them, so a rule exists once whatever the front end.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.desk.errors import BadSource, BadTime, Refused, TwoPersonRule
from bot.errors import UsageError
from bot.outbox.states import IllegalTransition, State, check_move
from bot.review.when import parse_local_time

MAX_BACKFILL = 1000
MAX_URL = 2048


def check_transition(post_id: int, current: str, target: State, verb: str) -> None:
    try:
        check_move(post_id, current, target, verb)
    except IllegalTransition as exc:
        raise Refused(str(exc)) from None


def check_two_person(
    post_id: int, author: str | None, approver: str, enabled: bool, automatic: bool = False
) -> None:
    """With the rule on, a person's words go out only once another person approved them.

    The author is whoever last edited the post, or the account that pushed its article; a
    feed's draft has none (no person wrote it), so the rule leaves it alone. An automatic
    approval (a feed's, NEWSBOT_APPROVAL=auto, a push's ``auto_approve``) is nobody's
    second look: it never approves a person's words."""
    if not enabled or author is None:
        return
    if approver == author:
        raise TwoPersonRule(
            f"post {post_id} was edited by {approver}; "
            "another editor must approve it (two-person rule)"
        )
    if automatic:
        raise TwoPersonRule(
            f"post {post_id} was written by {author}; "
            "another editor must approve it (two-person rule)"
        )


def check_fits(post_id: int, channel: str, length: int, limit: int) -> None:
    if length > limit:
        raise Refused(f"post {post_id} is {length}/{limit} on {channel}; shorten it first")


def schedule_time(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """A typed time → aware UTC, refused when unreadable, nonexistent or not in the future."""
    try:
        at = parse_local_time(text, tz)
    except (UsageError, OverflowError, ValueError) as exc:
        raise BadTime(str(exc).removeprefix("--at: ")) from None
    if at <= now:
        raise BadTime(f"{text.strip()} is in the past; pick a later time, or approve now")
    return at


def check_note(note: str) -> str:
    if not note.strip():
        raise Refused("a rejection needs a note saying why")
    return note


def check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Refused("the new text is empty")
    return text


def check_hashtags(tags: list[str]) -> list[str]:
    """Hashtags as the compose step writes them; anything else is dropped, not stored."""
    return [t for t in tags if t.startswith("#") and len(t) <= 100]


def check_backfill(backfill: int) -> int:
    if not 0 <= backfill <= MAX_BACKFILL:
        raise BadSource(f"backfill: expected a number of items from 0 to {MAX_BACKFILL}")
    return backfill


def check_feed_url(url: str) -> str:
    """A web feed's address: http(s), no spaces, a sane length."""
    url = url.strip()
    if (
        not url.startswith(("http://", "https://"))
        or len(url) > MAX_URL
        or any(c.isspace() for c in url)
    ):
        raise BadSource(f"{url}: expected an http:// or https:// feed URL")
    return url
