"""The desk's decisions as plain functions: one rule, one answer, whatever the front end."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.desk import rules
from bot.desk.errors import BadSource, BadTime, Refused, TwoPersonRule
from bot.outbox.states import State

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def test_a_future_time_is_read_in_the_newsroom_zone() -> None:
    assert rules.schedule_time("2026-03-29 09:00", LONDON, NOW) == datetime(
        2026, 3, 29, 8, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-03-01 09:00", "is in the past"),  # now is not later
        ("2020-01-01 09:00", "is in the past"),
        ("2026-03-29 01:30", "does not exist in Europe/London"),
        ("soon", "expected a time such as"),
        ("9999-12-31T23:59:59-23:59", "."),  # beyond datetime's range in UTC
    ],
)
def test_past_nonexistent_and_unreadable_times_are_refused(text: str, says: str) -> None:
    with pytest.raises(BadTime, match=says) as refused:
        rules.schedule_time(text, LONDON, NOW)
    assert not str(refused.value).startswith("--at")  # each front end names its own field


def test_two_person_rule_off_lets_anyone_approve() -> None:
    rules.check_two_person(1, "alice", "alice", enabled=False)
    rules.check_two_person(1, "alice", "system", enabled=False, automatic=True)


def test_two_person_rule_refuses_the_author() -> None:
    with pytest.raises(TwoPersonRule, match="another editor must approve it"):
        rules.check_two_person(1, "alice", "alice", enabled=True)
    rules.check_two_person(1, "alice", "bob", enabled=True)


def test_an_automatic_approval_is_no_second_person() -> None:
    # a push by alice that asks for approval, or NEWSBOT_APPROVAL=auto on her push
    for approver in ("alice", "system"):
        with pytest.raises(TwoPersonRule, match="two-person rule"):
            rules.check_two_person(1, "alice", approver, enabled=True, automatic=True)
    # a feed's draft: no person wrote it, the feed's standing approval stands
    rules.check_two_person(1, None, "system", enabled=True, automatic=True)


def test_two_person_refusal_is_a_refusal() -> None:
    assert issubclass(TwoPersonRule, Refused)


def test_illegal_transitions_are_refused_with_the_state() -> None:
    rules.check_transition(7, State.PENDING_REVIEW, State.APPROVED, "approved")
    with pytest.raises(Refused, match="post 7 is rejected; it cannot be approved"):
        rules.check_transition(7, State.REJECTED, State.APPROVED, "approved")


def test_too_long_for_the_channel() -> None:
    rules.check_fits(3, "x", 280, 280)
    with pytest.raises(Refused, match="post 3 is 281/280 on x; shorten it first"):
        rules.check_fits(3, "x", 281, 280)


def test_notes_text_and_hashtags() -> None:
    with pytest.raises(Refused, match="needs a note"):
        rules.check_note("  ")
    with pytest.raises(Refused, match="empty"):
        rules.check_text(" \n")
    assert rules.check_text("  words ") == "words"
    assert rules.check_hashtags(["#ok", "nohash", "#" + "x" * 100]) == ["#ok"]


@pytest.mark.parametrize("backfill", [-1, 1001])
def test_backfill_out_of_range(backfill: int) -> None:
    with pytest.raises(BadSource, match="from 0 to 1000"):
        rules.check_backfill(backfill)


@pytest.mark.parametrize(
    "url", ["ftp://x", "file:///etc/passwd", "https://a b", "https://x/" + "a" * 2048]
)
def test_only_web_feed_urls(url: str) -> None:
    with pytest.raises(BadSource, match="expected an http:// or https:// feed URL"):
        rules.check_feed_url(url)
    assert rules.check_feed_url(" https://n.example/feed ") == "https://n.example/feed"
