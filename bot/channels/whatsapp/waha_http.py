"""The WAHA HTTP client: one request wrapper that turns every failure into our errors.

WAHA: https://waha.devlike.pro/docs/how-to/send-messages/ (API reference at
``/api/docs`` on any gateway). Where a request failed decides the class: a request that
never left (connect error) is transient; a send that may have reached WhatsApp (read
timeout, connection dropped, 5xx) is an unknown outcome, looked up before any resend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from bot.errors import BotError, ChannelPaused, PermanentError, TransientError, UnknownOutcome

#: how much of the gateway's own message goes into errors (and so into the audit)
MESSAGE_LIMIT = 500


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: httpx.Headers


def gateway_message(body: Any) -> str:
    """The human part of a WAHA error body (NestJS ``message``, WAHA's ``error``)."""
    if isinstance(body, dict):
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            if isinstance(value, str) and value.strip():
                return value.strip()[:MESSAGE_LIMIT]
        exception = body.get("exception")
        if isinstance(exception, dict) and exception.get("message"):
            return str(exception["message"])[:MESSAGE_LIMIT]
    if isinstance(body, str) and body.strip():
        return body.strip()[:MESSAGE_LIMIT]
    return ""


def retry_after(headers: httpx.Headers, now: datetime) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or a date) or ``X-RateLimit-Reset``."""
    value = headers.get("Retry-After")
    if value:
        if value.strip().isdigit():
            return float(value)
        try:
            return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
        except (TypeError, ValueError):
            pass
    reset = headers.get("X-RateLimit-Reset")
    if reset and reset.strip().isdigit():
        return max(0.0, float(reset) - now.timestamp())
    return None


def classify(
    answer: Answer, *, sending: bool, session: str, now: datetime, recheck: timedelta
) -> BotError:
    """The error for a non-2xx answer; ``sending`` is true for requests that post a message."""
    status, said = answer.status, gateway_message(answer.body)
    said_part = f": {said}" if said else ""
    if status == 422:
        body = answer.body if isinstance(answer.body, dict) else {}
        state = body.get("status") or "not WORKING"
        return ChannelPaused(
            f"WAHA session '{session}' is {state}, not WORKING ({said or 'session not ready'}); "
            "posts wait until it is WORKING again",
            until=now + recheck,
        )
    if status == 429:
        wait = retry_after(answer.headers, now)
        return TransientError(f"WAHA is rate limiting (429){said_part}", retry_after=wait)
    if status == 401:
        return PermanentError(
            f"WAHA refused the API key (401){said_part}; "
            "set NEWSBOT_WHATSAPP__WAHA_API_KEY to the gateway's WAHA_API_KEY"
        )
    if status >= 500:
        if sending:
            return UnknownOutcome(
                f"WAHA answered {status} to a send{said_part}; "
                "the message may have gone out, so it is looked up before any resend"
            )
        return TransientError(f"WAHA answered {status}{said_part}")
    return PermanentError(f"WAHA refused the request ({status}){said_part}")


def transport_error(exc: httpx.TransportError, *, sending: bool) -> BotError:
    """A failure below HTTP: did the request leave? If it may have, the outcome is unknown."""
    never_left = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    what = type(exc).__name__
    if never_left or not sending:
        return TransientError(f"WAHA unreachable ({what})")
    return UnknownOutcome(
        f"WAHA did not answer the send ({what}); the message may have gone out, "
        "so it is looked up before any resend"
    )


class WahaHttp:
    """Thin: JSON in, JSON out, errors classified. The API key lives in the client headers."""

    def __init__(
        self,
        client: httpx.Client,
        session: str,
        now: Callable[[], datetime],
        recheck: timedelta,
        secrets: list[str],
    ) -> None:
        self.client = client
        self.session = session
        self.now = now
        self.recheck = recheck
        self._secrets = [s for s in secrets if s]

    def _scrub(self, error: BotError) -> BotError:
        """A gateway should never echo the key; make sure no message ever carries it."""
        text = str(error)
        if not any(secret in text for secret in self._secrets):
            return error
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        error.args = (text,)
        if isinstance(error, ChannelPaused):
            error.reason = text
        return error

    def call(
        self,
        method: str,
        path: str,
        *,
        sending: bool = False,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> Answer:
        try:
            response = self.client.request(method, path, json=json, params=params)
        except httpx.TransportError as exc:
            raise self._scrub(transport_error(exc, sending=sending)) from exc
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = response.text
        answer = Answer(response.status_code, body, response.headers)
        if response.status_code not in ok:
            error = classify(
                answer, sending=sending, session=self.session, now=self.now(), recheck=self.recheck
            )
            raise self._scrub(error) from None
        return answer
