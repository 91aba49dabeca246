"""What an answer (or a failure to get one) from X means: plain functions, no I/O.

X's answers are described at https://docs.x.com/x-api/fundamentals/response-codes-and-errors
and https://docs.x.com/x-api/fundamentals/rate-limits. The three classes of ``bot.errors``:

- 429 → wait until ``x-rate-limit-reset``; when the account's own 24-hour post limit is
  used up (``x-user-limit-24hour-remaining: 0``) the whole channel pauses until
  ``x-user-limit-24hour-reset``;
- 402 (pay-per-use credits depleted) → the channel pauses; posts wait, nothing is dropped;
- 5xx, and connection failures before the request left → transient;
- a timeout or reset after a *create* request left → unknown outcome (never resent blindly);
- 401, 403 and other 4xx → permanent; 401 and 403 also mark the channel unhealthy
  (403 "duplicate content" is handled by the caller first: it may be our own post).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.errors import BotError, ChannelPaused, PermanentError, TransientError, UnknownOutcome

#: how long the channel waits before trying again after X said the credits are used up
CREDITS_RECHECK = timedelta(minutes=30)

CREDENTIAL_SETTINGS = (
    "NEWSBOT_X__API_KEY, NEWSBOT_X__API_SECRET, "
    "NEWSBOT_X__ACCESS_TOKEN and NEWSBOT_X__ACCESS_TOKEN_SECRET"
)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer from X, as plain data."""

    status: int
    headers: Mapping[str, str]  # names in lower case
    body: Any  # the decoded JSON, or None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Verdict:
    error: BotError
    #: the credentials or the app's permissions are wrong: the channel needs a person
    unhealthy: bool = False


def messages(body: Any) -> list[str]:
    """The human-readable parts of an X error body (problem+json or v1-style errors)."""
    if not isinstance(body, dict):
        return []
    found: list[str] = []
    for key in ("detail", "title", "reason"):
        value = body.get(key)
        if isinstance(value, str) and value and value not in found:
            found.append(value)
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            text = error.get("message") or error.get("detail")
            if isinstance(text, str) and text not in found:
                found.append(text)
    return found


def summary(answer: Answer) -> str:
    said = "; ".join(messages(answer.body))
    return f"X answered {answer.status}" + (f": {said}" if said else "")


def is_duplicate(answer: Answer) -> bool:
    text = " ".join(messages(answer.body)).lower()
    return answer.status == 403 and "duplicate" in text


def _epoch(value: str | None) -> datetime | None:
    if value is None or not value.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(value), UTC)


def _seconds_until(at: datetime | None, now: datetime) -> float | None:
    if at is None:
        return None
    return max(1.0, (at - now).total_seconds())


def _retry_after(answer: Answer) -> float | None:
    value = answer.header("retry-after")
    return float(value) if value and value.strip().isdigit() else None


def rate_limited(answer: Answer, now: datetime) -> TransientError:
    daily_left = answer.header("x-user-limit-24hour-remaining")
    if daily_left is not None and daily_left.strip() == "0":
        until = _epoch(answer.header("x-user-limit-24hour-reset"))
        limit = answer.header("x-user-limit-24hour-limit") or "?"
        return ChannelPaused(f"X's 24-hour post limit for this account ({limit}) is used up", until)
    reset = _epoch(answer.header("x-rate-limit-reset"))
    wait = _seconds_until(reset, now) or _retry_after(answer)
    shown = f"; X says try again after {reset:%H:%M:%S} UTC" if reset else ""
    return TransientError(f"X rate limit reached (429){shown}", retry_after=wait)


def unauthorized(answer: Answer) -> str:
    said = "; ".join(messages(answer.body)) or "Unauthorized"
    return (
        f"X refused the credentials (401: {said}): one of {CREDENTIAL_SETTINGS} is wrong, "
        "revoked or for another app; regenerate them in the X developer portal"
    )


def forbidden(answer: Answer) -> str:
    said = "; ".join(messages(answer.body)) or "Forbidden"
    kind = str(answer.body.get("type", "")) if isinstance(answer.body, dict) else ""
    lowered = (said + " " + kind).lower()
    if "oauth1-permissions" in lowered or "oauth1 app permissions" in lowered:
        hint = (
            "the app's access token cannot post: set the app to Read and Write in the developer "
            "portal, then regenerate NEWSBOT_X__ACCESS_TOKEN and NEWSBOT_X__ACCESS_TOKEN_SECRET"
        )
    elif "client-not-enrolled" in lowered or "attached to a project" in lowered:
        hint = "the app is not attached to a project with API access in the developer portal"
    else:
        hint = "X does not let this account or app do this"
    return f"X refused the request (403: {said}): {hint}"


def classify(answer: Answer, now: datetime) -> Verdict:
    """The error an unsuccessful answer stands for."""
    status = answer.status
    if status == 429:
        return Verdict(rate_limited(answer, now))
    if status == 402:
        body = answer.body if isinstance(answer.body, dict) else {}
        said = ": ".join(str(body[k]) for k in ("title", "detail") if body.get(k))
        reason = (
            f"X credits depleted (402 {said or 'Payment Required'}); top up the account's credits"
        )
        return Verdict(ChannelPaused(reason, now + CREDITS_RECHECK))
    if status == 401:
        return Verdict(PermanentError(unauthorized(answer)), unhealthy=True)
    if status == 403:
        return Verdict(PermanentError(forbidden(answer)), unhealthy=True)
    if status >= 500:
        return Verdict(TransientError(summary(answer), retry_after=_retry_after(answer)))
    return Verdict(PermanentError(summary(answer)))


# -- failures without an answer ------------------------------------------------------

#: exception class names that mean the request never reached X
_NOT_SENT = frozenset(
    {
        "ConnectTimeout",
        "ConnectTimeoutError",
        "NewConnectionError",
        "NameResolutionError",
        "SSLError",
        "ProxyError",
        "InvalidURL",
        "InvalidSchema",
        "MissingSchema",
    }
)


def _causes(exc: BaseException, depth: int = 0) -> Iterator[BaseException]:
    """The exception and everything it wraps (requests wraps urllib3 wraps socket errors)."""
    if depth > 6:
        return
    yield exc
    inner: list[Any] = [exc.__cause__, exc.__context__, getattr(exc, "reason", None)]
    inner += [arg for arg in exc.args if isinstance(arg, BaseException)]
    for item in inner:
        if isinstance(item, BaseException) and item is not exc:
            yield from _causes(item, depth + 1)


def never_sent(exc: BaseException) -> bool:
    return any(type(cause).__name__ in _NOT_SENT for cause in _causes(exc))


def transport_failure(exc: BaseException, *, creates: bool, what: str) -> BotError:
    """A request that got no answer. Only a create can have an unknown outcome: reads and
    deletes can simply be tried again."""
    name = type(exc).__name__
    if never_sent(exc):
        return TransientError(f"could not reach X to {what} ({name})")
    if creates:
        timed_out = any("Timeout" in type(cause).__name__ for cause in _causes(exc))
        how = "timed out waiting for X's answer" if timed_out else "lost the connection to X"
        return UnknownOutcome(f"{how} after the post was sent ({name}); the post may exist")
    return TransientError(f"no answer from X to {what} ({name})")
