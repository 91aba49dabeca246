"""The X publisher: a newsroom's posts on its X account, through X API v2 with tweepy.

Docs: https://docs.x.com/x-api/posts/create-post (post), .../delete-post (withdraw),
https://docs.x.com/x-api/users/get-posts (reconciliation), .../get-my-user (check),
https://docs.x.com/x-api/media/media-upload (images). One post per article: no threads,
no replies. What each answer means is decided in ``errors``, the cap and the budget in
``quota``; this module does the calls and keeps the counters. Health goes to ``on_health``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import httpx
import requests
import tweepy
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import Health, OnHealth, OutgoingPost, Publisher, Receipt, ignore_health
from bot.channels.x import errors, quota
from bot.channels.x import health as x_health
from bot.channels.x import image as x_image
from bot.channels.x import match as x_match
from bot.channels.x import usage as x_usage
from bot.channels.x.client import XApi
from bot.channels.x.settings import XSettings
from bot.channels.x.text import FORMAT
from bot.clock import Clock
from bot.egress import EgressPolicy
from bot.egress_transport import content_client
from bot.errors import BotError, ChannelPaused, PermanentError, UnknownOutcome

if TYPE_CHECKING:
    from bot.settings import Settings

#: how far before the first attempt ``find`` looks: clocks of two machines disagree a bit
CLOCK_SLACK = timedelta(minutes=2)
#: pages of 100 posts ``find`` reads at most; a newsroom posts far fewer in a retry window
MAX_PAGES = 5


def answer_of(response: requests.Response) -> errors.Answer:
    try:
        body = response.json()
    except ValueError:
        body = None
    headers = {name.lower(): value for name, value in response.headers.items()}
    return errors.Answer(response.status_code, headers, body)


class _RefusedError(Exception):
    """X answered, and not with success."""

    def __init__(self, answer: errors.Answer) -> None:
        super().__init__(errors.summary(answer))
        self.answer = answer


class XPublisher:
    name = FORMAT.name

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Clock,
        api: XApi | None = None,
        images: httpx.Client | None = None,
        on_health: OnHealth = ignore_health,
    ) -> None:
        from bot.channels.x import x_settings

        self.settings: XSettings = x_settings(settings)
        self.sessions = sessions
        self.clock = clock
        self.on_health = on_health
        self.api = api or XApi(self.settings)
        # the article's image URL is content: it goes through the egress policy
        self.images = images or content_client(
            EgressPolicy.from_allow(settings.fetch_allow),
            timeout=settings.fetch_timeout,
            user_agent=settings.user_agent,
        )
        self._account: dict[str, Any] | None = None

    # -- calls -----------------------------------------------------------------------
    def _call(
        self, call: Callable[[], requests.Response], *, creates: bool, what: str
    ) -> requests.Response:
        try:
            return call()
        except tweepy.HTTPException as exc:
            raise _RefusedError(answer_of(exc.response)) from exc
        except requests.RequestException as exc:
            raise errors.transport_failure(exc, creates=creates, what=what) from exc

    def _mark(self, healthy: bool, error: str | None = None, status: int | None = None) -> None:
        """Report the channel's health (and the HTTP status that decided it)."""
        now = self.clock.now()
        self.on_health(
            healthy,
            {
                "error": error,
                "error_at": now.isoformat() if error is not None else None,
                "error_status": status if error is not None else None,
            },
        )

    def _verdict(self, answer: errors.Answer) -> BotError:
        verdict = errors.classify(answer, self.clock.now())
        if verdict.unhealthy:
            self._mark(False, str(verdict.error), answer.status)
        if answer.status == 429:
            x_usage.note_x_limit(self.sessions, self.clock.now(), dict(answer.headers))
        return verdict.error

    def _read(self, call: Callable[[], requests.Response], what: str) -> dict[str, Any]:
        try:
            response = self._call(call, creates=False, what=what)
        except _RefusedError as refused:
            raise self._verdict(refused.answer) from refused
        body = answer_of(response).body
        if not isinstance(body, dict):
            raise PermanentError(f"X answered {response.status_code} without JSON to {what}")
        return body

    def account(self) -> dict[str, Any]:
        """The account the credentials post as (``GET /2/users/me``), asked once."""
        if self._account is None:
            self._account = dict(self._read(self.api.me, "read the account").get("data") or {})
        return self._account

    def _url(self, post_id: str) -> str:
        username = (self._account or {}).get("username")
        return f"https://x.com/{username or 'i/web'}/status/{post_id}"

    # -- publish ---------------------------------------------------------------------
    def _reserve(self, post: OutgoingPost, now: datetime) -> x_usage.Reservation:
        """The post's place under the cap: kept from an earlier attempt whose outcome was
        unknown, or taken now (saved with the post before the send goes out)."""
        held = x_usage.Reservation.from_data(post.channel_data.get("x_usage"))
        if held is not None:
            return held
        remaining, reset = x_usage.x_limit(x_usage.state_detail(self.sessions))
        pause = quota.x_limit_pause(remaining, reset, now)
        if pause is not None:
            raise ChannelPaused(pause.reason, pause.until)
        taken = x_usage.reserve(
            self.sessions, self.settings, quota.price(post.text, self.settings), now
        )
        if isinstance(taken, quota.Pause):
            raise ChannelPaused(taken.reason, taken.until)
        post.persist({**post.channel_data, "x_usage": taken.as_data()})
        return taken

    def _give_back(self, post: OutgoingPost, reservation: x_usage.Reservation) -> None:
        x_usage.release(self.sessions, reservation)
        post.persist({k: v for k, v in post.channel_data.items() if k != "x_usage"})

    def _image(self, post: OutgoingPost) -> tuple[list[str], str | None]:
        """The media id of the article's image, or none and why."""
        if not post.image_url:
            return [], None
        try:
            image = x_image.fetch(self.images, post.image_url)
            response = self._call(
                lambda: self.api.upload(image), creates=False, what="upload the image"
            )
            media_id = str(answer_of(response).body["data"]["id"])
        except x_image.ImageRefusedError as exc:
            reason = str(exc)
        except _RefusedError as exc:
            reason = f"upload refused: {exc}"
        except (BotError, KeyError, TypeError) as exc:
            reason = f"upload failed: {exc}"
        else:
            return [media_id], None
        return [], reason

    def publish(self, post: OutgoingPost) -> Receipt:
        now = self.clock.now()
        reservation = self._reserve(post, now)
        media_ids, dropped = self._image(post)
        notes = [f"image left out: {dropped}"] if dropped else []
        events = (
            (("image_dropped", {"image_url": post.image_url, "reason": dropped}),)
            if dropped
            else ()
        )
        try:
            response = self._call(
                lambda: self.api.create(post.text, media_ids), creates=True, what="post"
            )
        except _RefusedError as refused:
            if errors.is_duplicate(refused.answer):
                return replace(self._duplicate(post, reservation, notes), events=events)
            error = self._verdict(refused.answer)
            self._give_back(post, reservation)
            raise error from refused
        except UnknownOutcome:
            raise  # it may be out: the post keeps its place under the cap
        except BotError:
            self._give_back(post, reservation)
            raise
        answer = answer_of(response)
        data = answer.body.get("data") if isinstance(answer.body, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise UnknownOutcome(f"X answered {answer.status} without a post id")
        x_usage.note_x_limit(self.sessions, self.clock.now(), dict(answer.headers))
        self._mark(True)
        remote_id = str(data["id"])
        record = {
            "status": answer.status,
            "id": remote_id,
            "text": data.get("text"),
            "media_ids": media_ids,
            "cost": reservation.cost,
            "x_user_limit_remaining": answer.header("x-user-limit-24hour-remaining"),
        }
        return Receipt(self.name, remote_id, self._url(remote_id), record, tuple(notes), events)

    def _duplicate(
        self, post: OutgoingPost, reservation: x_usage.Reservation, notes: list[str]
    ) -> Receipt:
        """X refused the text as a duplicate: perhaps of our own earlier attempt."""
        found = self.find(post)
        if found is not None:
            note = "X refused a second copy as duplicate content; the post already there is ours"
            return Receipt(
                found.channel, found.remote_id, found.remote_url, found.response, (*notes, note)
            )
        self._give_back(post, reservation)
        raise PermanentError(
            "X refused the text as duplicate content, and the post with that text is not one "
            "this post made (edit the text to send it)"
        )

    # -- reconcile, withdraw, check ---------------------------------------------------
    def find(self, post: OutgoingPost) -> Receipt | None:
        now = self.clock.now()
        user_id = str(self.account().get("id", ""))
        since = (post.first_attempt_at or now - timedelta(days=1)) - CLOCK_SLACK
        token: str | None = None
        for _page in range(MAX_PAGES):
            body = self._read(
                partial(self.api.timeline, user_id, since, token), "look up recent posts"
            )
            match = x_match.find_match(post.text, body.get("data") or [])
            if match is not None:
                remote_id = str(match["id"])
                record = {"found": True, "id": remote_id, "text": match.get("text")}
                return Receipt(self.name, remote_id, self._url(remote_id), record)
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                return None
        return None

    def delete(self, receipt: Receipt) -> None:
        # runs inside the caller's transaction: no writes to the store from here
        try:
            response = self._call(
                lambda: self.api.delete(receipt.remote_id), creates=False, what="delete the post"
            )
        except _RefusedError as refused:
            if refused.answer.status == 404:
                return  # already gone from X: what a withdrawal wants
            raise errors.classify(refused.answer, self.clock.now()).error from refused
        body = answer_of(response).body
        if not (isinstance(body, dict) and (body.get("data") or {}).get("deleted") is True):
            raise PermanentError(f"X did not delete post {receipt.remote_id}: {body!r}"[:300])

    def check(self) -> Health:
        now = self.clock.now()
        base = str(self.settings.base_url).rstrip("/")
        try:
            response = self._call(self.api.me, creates=False, what="read the account")
        except _RefusedError as refused:
            error = self._verdict(refused.answer)
            return Health(False, str(error), {"status": refused.answer.status})
        except BotError as exc:
            return Health(False, f"cannot reach X at {base}: {exc}", {"base_url": base})
        me = dict((answer_of(response).body or {}).get("data") or {})
        self._account = me
        state = x_usage.state_detail(self.sessions)
        remaining, _reset = x_usage.x_limit(state)
        usage = x_usage.current(self.sessions, now)
        level = response.headers.get("x-access-level", "")
        found = x_health.report(me, level, usage, state, remaining, self.settings, now)
        if found.healthy is not None:
            self._mark(found.healthy, found.problem, 200)
        return Health(found.ok, found.detail, found.data)

    def watch(self) -> Health | None:
        """Never a look of its own: X's reads are billed, and every send tells its health."""
        return None

    def close(self) -> None:
        self.api.close()
        self.images.close()


def build(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    on_health: OnHealth = ignore_health,
) -> Publisher:
    return XPublisher(settings, sessions, clock, on_health=on_health)
