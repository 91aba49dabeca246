"""The X channel's decisions, without I/O: what an answer means, whether a limit holds a
post back, and whether a timeline entry is our post."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime, timedelta

import pytest
import requests
import urllib3

from bot.channels.x import errors, quota
from bot.channels.x import health as x_health
from bot.channels.x import match as x_match
from bot.channels.x.client import RoutedSession
from bot.channels.x.image import sniff
from bot.channels.x.settings import XSettings
from bot.errors import ChannelPaused, PermanentError, TransientError, UnknownOutcome

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
EPOCH = int(NOW.timestamp())


def answer(status: int, body: object = None, **headers: str) -> errors.Answer:
    return errors.Answer(status, {k.replace("_", "-").lower(): v for k, v in headers.items()}, body)


# -- answers -------------------------------------------------------------------------


def test_429_waits_until_the_rate_limit_resets() -> None:
    verdict = errors.classify(answer(429, x_rate_limit_reset=str(EPOCH + 300)), NOW)
    assert type(verdict.error) is TransientError
    assert verdict.error.retry_after == 300
    assert "12:05:00 UTC" in str(verdict.error)
    assert not verdict.unhealthy


def test_429_on_the_24_hour_limit_pauses_the_channel_until_its_reset() -> None:
    headers = {
        "x_user_limit_24hour_limit": "17",
        "x_user_limit_24hour_remaining": "0",
        "x_user_limit_24hour_reset": str(EPOCH + 7200),
        "x_rate_limit_reset": str(EPOCH + 60),
    }
    error = errors.classify(answer(429, **headers), NOW).error
    assert isinstance(error, ChannelPaused)
    assert error.until == NOW + timedelta(hours=2)
    assert "(17)" in error.reason


def test_429_without_headers_still_retries() -> None:
    error = errors.classify(answer(429, retry_after="30"), NOW).error
    assert type(error) is TransientError and error.retry_after == 30


def test_402_pauses_with_xs_title() -> None:
    body = {
        "title": "CreditsDepleted",
        "detail": "Your enrolled account [1] does not have any credits",
    }
    error = errors.classify(answer(402, body), NOW).error
    assert isinstance(error, ChannelPaused)
    assert error.until == NOW + errors.CREDITS_RECHECK
    assert "CreditsDepleted" in error.reason


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_transient(status: int) -> None:
    error = errors.classify(answer(status, {"title": "Service Unavailable"}), NOW).error
    assert type(error) is TransientError


def test_401_is_permanent_and_unhealthy_and_names_the_settings() -> None:
    verdict = errors.classify(answer(401, {"title": "Unauthorized", "detail": "Unauthorized"}), NOW)
    assert isinstance(verdict.error, PermanentError) and verdict.unhealthy
    assert "NEWSBOT_X__ACCESS_TOKEN_SECRET" in str(verdict.error)


def test_403_variants_explain_themselves() -> None:
    perms = {"type": "https://api.twitter.com/2/problems/oauth1-permissions", "title": "Forbidden"}
    enrol = {"reason": "client-not-enrolled", "title": "Client Forbidden"}
    assert "Read and Write" in str(errors.classify(answer(403, perms), NOW).error)
    assert "project" in str(errors.classify(answer(403, enrol), NOW).error)
    assert errors.classify(answer(403, perms), NOW).unhealthy


def test_duplicate_content_is_recognised_in_both_error_shapes() -> None:
    v2 = {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "title": "Forbidden",
    }
    v1 = {"errors": [{"code": 187, "message": "Status is a duplicate."}]}
    assert errors.is_duplicate(answer(403, v2))
    assert errors.is_duplicate(answer(403, v1))
    assert not errors.is_duplicate(
        answer(403, {"detail": "You are not permitted to perform this action."})
    )
    assert not errors.is_duplicate(answer(400, v2))


def test_other_4xx_is_permanent_but_says_nothing_about_health() -> None:
    verdict = errors.classify(
        answer(400, {"errors": [{"message": "Your Tweet text is too long."}]}), NOW
    )
    assert isinstance(verdict.error, PermanentError) and not verdict.unhealthy
    assert "too long" in str(verdict.error)


# -- failures without an answer ------------------------------------------------------


def wrapped(
    inner: BaseException, outer: type[requests.RequestException]
) -> requests.RequestException:
    reason = urllib3.exceptions.MaxRetryError(None, "/2/tweets", inner)  # type: ignore[arg-type]
    return outer(reason)


def test_a_refused_connection_was_never_sent() -> None:
    inner = urllib3.exceptions.NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    error = errors.transport_failure(
        wrapped(inner, requests.ConnectionError), creates=True, what="post"
    )
    assert type(error) is TransientError


def test_a_connect_timeout_was_never_sent() -> None:
    exc = requests.ConnectTimeout(urllib3.exceptions.ConnectTimeoutError(None, "timed out"))
    assert type(errors.transport_failure(exc, creates=True, what="post")) is TransientError


def test_a_read_timeout_after_a_create_is_unknown() -> None:
    exc = requests.ReadTimeout(
        urllib3.exceptions.ReadTimeoutError(None, "/2/tweets", "read timed out")  # type: ignore[arg-type]
    )
    error = errors.transport_failure(exc, creates=True, what="post")
    assert isinstance(error, UnknownOutcome) and "timed out" in str(error)


def test_a_dropped_connection_after_a_create_is_unknown_but_a_read_is_retried() -> None:
    dropped = urllib3.exceptions.ProtocolError(
        "Connection aborted.", http.client.RemoteDisconnected("closed")
    )
    exc = requests.ConnectionError(dropped)
    assert isinstance(errors.transport_failure(exc, creates=True, what="post"), UnknownOutcome)
    assert type(errors.transport_failure(exc, creates=False, what="read")) is TransientError
    reset = requests.ConnectionError(
        urllib3.exceptions.ProtocolError("reset", ConnectionResetError())
    )
    assert isinstance(errors.transport_failure(reset, creates=True, what="post"), UnknownOutcome)
    assert not errors.never_sent(TimeoutError())


# -- limits --------------------------------------------------------------------------


def test_the_daily_cap_holds_until_utc_midnight() -> None:
    settings = XSettings(daily_cap=3)
    assert quota.blocked(quota.Usage(2, 0.0), settings, 0.02, NOW) is None
    pause = quota.blocked(quota.Usage(3, 0.0), settings, 0.02, NOW)
    assert pause is not None and pause.until == datetime(2026, 5, 11, tzinfo=UTC)
    assert pause.reason == "daily cap reached: 3 of 3 X posts sent today (UTC)"


def test_the_budget_allows_a_post_that_exactly_fits() -> None:
    settings = XSettings(monthly_budget=0.3)
    # 0.1 + 0.1 + 0.1 in floats is 0.30000000000000004: the last post still fits
    assert quota.blocked(quota.Usage(0, 0.1 + 0.1), settings, 0.1, NOW) is None
    pause = quota.blocked(quota.Usage(0, 0.3), settings, 0.01, NOW)
    assert pause is not None and pause.until == datetime(2026, 6, 1, tzinfo=UTC)


def test_no_limits_never_block() -> None:
    assert quota.blocked(quota.Usage(10_000, 10_000.0), XSettings(), 1.0, NOW) is None


def test_a_link_costs_more() -> None:
    settings = XSettings(price_per_post=0.01, price_per_post_with_link=0.03)
    assert quota.price("Plain words", settings) == 0.01
    assert quota.price("Read more: https://example.com/a", settings) == 0.03
    assert quota.price("Read more at example.com", settings) == 0.03  # X links bare domains too


def test_xs_remembered_24_hour_limit() -> None:
    later = NOW + timedelta(hours=1)
    assert quota.x_limit_pause(0, later, NOW) is not None
    assert quota.x_limit_pause(0, NOW - timedelta(seconds=1), NOW) is None  # already reset
    assert quota.x_limit_pause(5, later, NOW) is None
    assert quota.x_limit_pause(None, None, NOW) is None


def test_days_and_months_roll_over_in_utc() -> None:
    late = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    assert quota.next_day(late) == datetime(2027, 1, 1, tzinfo=UTC)
    assert quota.next_month(late) == datetime(2027, 1, 1, tzinfo=UTC)
    assert (
        quota.day_key(datetime(2026, 3, 1, 0, 30, tzinfo=UTC) - timedelta(hours=1)) == "2026-02-28"
    )


def test_the_summary_line() -> None:
    line = quota.summary(quota.Usage(2, 0.04), XSettings(daily_cap=5, monthly_budget=20))
    assert line == "today 2 posts of a cap of 5 (3 left); month to date 0.04 of a 20.00 budget"
    assert quota.summary(quota.Usage(0, 0.0), XSettings()) == "today 0 posts; month to date 0.00"


# -- reconciliation matching ---------------------------------------------------------


def test_a_timeline_text_with_tco_links_matches_ours() -> None:
    ours = "Fed holds rates “We wait” — Powell https://news.example.com/a?b=1 #economy & more"
    shown = "Fed holds rates “We wait” — Powell https://t.co/AbC123xyZ0 #economy &amp; more https://t.co/photo12345"
    entry = {"id": "1", "text": shown}
    assert x_match.find_match(ours, [{"id": "0", "text": "Something else"}, entry]) is entry


def test_a_different_text_does_not_match() -> None:
    entry = {"id": "1", "text": "Fed holds rates https://t.co/AbC123xyZ0"}
    assert x_match.find_match("Fed cuts rates https://news.example.com/a", [entry]) is None


def test_nfc_and_spacing_do_not_matter() -> None:
    decomposed = "Cafe\u0301 opens  today"
    assert x_match.find_match(decomposed, [{"id": "1", "text": "Café opens today"}]) is not None


# -- plumbing ------------------------------------------------------------------------


def test_every_x_host_is_routed_to_the_base_url() -> None:
    session = RoutedSession("http://127.0.0.1:9999/", 15.0)
    assert session.route("https://api.twitter.com/2/tweets") == "http://127.0.0.1:9999/2/tweets"
    assert (
        session.route("https://api.x.com/2/users/me?x=1") == "http://127.0.0.1:9999/2/users/me?x=1"
    )
    assert session.route("https://example.com/photo.png") == "https://example.com/photo.png"
    assert session.timeout == (5.0, 15.0)
    session.close()


def test_images_are_recognised_by_their_bytes() -> None:
    assert sniff(b"\xff\xd8\xff\xe0rest") == ("image/jpeg", "jpg")
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == ("image/webp", "webp")
    assert sniff(b"<html>") is None


# -- check ---------------------------------------------------------------------------

ME = {"id": "42", "name": "Desk", "username": "desk"}


def test_check_report_for_a_working_account() -> None:
    found = x_health.report(
        ME, "read-write", quota.Usage(1, 0.02), {}, 16, XSettings(daily_cap=2), NOW
    )
    assert found.ok and found.healthy is True
    assert found.detail == (
        "posting as @desk (Desk, id 42); today 1 posts of a cap of 2 (1 left); "
        "month to date 0.02; X's 24-hour post limit: 16 left"
    )


def test_check_report_for_a_read_only_token() -> None:
    found = x_health.report(ME, "read", quota.Usage(0, 0.0), {}, None, XSettings(), NOW)
    assert not found.ok and found.healthy is False
    assert found.detail.startswith("the access token can only read (x-access-level: read)")


def test_check_report_keeps_a_refused_post_when_x_does_not_say_the_access_level() -> None:
    state = {"error": "X refused the request (403: …)", "error_status": 403}
    silent = x_health.report(ME, "", quota.Usage(0, 0.0), state, None, XSettings(), NOW)
    assert not silent.ok and silent.healthy is None  # leave the mark for a post to clear
    told = x_health.report(ME, "read-write", quota.Usage(0, 0.0), state, None, XSettings(), NOW)
    assert told.ok and told.healthy is True


def test_check_report_shows_a_pause() -> None:
    state = {"paused_until": NOW + timedelta(hours=3), "paused_reason": "daily cap reached"}
    found = x_health.report(ME, "read-write", quota.Usage(0, 0.0), state, None, XSettings(), NOW)
    assert found.ok and found.detail.endswith(
        "paused until 2026-05-10 15:00 UTC: daily cap reached"
    )
    over = x_health.report(
        ME, "read-write", quota.Usage(0, 0.0), state, None, XSettings(), NOW + timedelta(hours=4)
    )
    assert "paused" not in over.detail
