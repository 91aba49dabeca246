"""WhatsApp Channel posts through a WAHA gateway (https://waha.devlike.pro/).

Meta offers no API for Channels; WAHA runs a linked WhatsApp number and exposes HTTP. A
Channel is a chat id ending in ``@newsletter``. Each send first reserves a message id
(``GET /api/{session}/new-message-id``), saves it with the post, then sends with it, so a
send whose outcome is unknown is matched by id in the channel's history before any resend.
"""

from __future__ import annotations

import mimetypes
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import (
    Health,
    OnHealth,
    OutgoingPost,
    Publisher,
    Receipt,
    ignore_health,
)
from bot.channels.whatsapp.text import CAPTION_LIMIT, FORMAT, whatsapp_length
from bot.channels.whatsapp.waha_http import WahaHttp
from bot.channels.whatsapp.waha_setup import channel_report, session_report
from bot.clock import Clock
from bot.errors import BotError, ChannelPaused, PermanentError
from bot.http import make_client

if TYPE_CHECKING:
    from bot.settings import Settings

NAME = FORMAT.name
#: the gateway's clock and ours may differ; look this far before the first attempt
CLOCK_SLACK = timedelta(minutes=5)
#: how many of the channel's latest messages ``find`` reads
HISTORY = 100
RESERVED = "waha_message_id"
#: what of WAHA's answer goes into the audit
_ANSWER_KEYS = ("id", "timestamp", "ack", "ackName")
#: how an engine that cannot pre-generate message ids answers
_NO_RESERVATION = (400, 404, 405, 501)
_SERIALIZED = re.compile(r"^(?:true|false)_(?P<chat>[^_]+@[a-z.]+)_(?P<key>.+)$")


def message_key(message_id: str) -> str:
    """``true_123@newsletter_3EB0…`` → ``3EB0…`` (the part a reserved id fills in)."""
    match = _SERIALIZED.match(message_id)
    return match.group("key") if match else message_id


def image_file(url: str) -> dict[str, str]:
    path = urlsplit(url).path
    mimetype = mimetypes.guess_type(path)[0] or "image/jpeg"
    if not mimetype.startswith("image/"):
        mimetype = "image/jpeg"
    name = path.rsplit("/", 1)[-1] or "image"
    return {"url": url, "mimetype": mimetype, "filename": name}


class WahaPublisher:
    name = NAME

    def __init__(
        self,
        http: WahaHttp,
        *,
        session: str,
        channel_id: str | None,
        clock: Clock,
        recheck: timedelta,
        on_health: OnHealth | None = None,
        watch_every: timedelta = timedelta(0),
    ) -> None:
        self.http = http
        self.session = session
        self.channel_id = channel_id
        self.clock = clock
        self.recheck = recheck
        self.on_health = on_health
        self.watch_every = watch_every
        self._healthy: bool | None = None
        self._watched_at: datetime | None = None

    def _health(self, healthy: bool, error: str | None) -> None:
        """Tell the desk when the gateway turns unusable or usable again (alerts, dashboard);
        only on a change seen by this process, so a normal send costs no extra write."""
        if self._healthy is healthy:
            return
        self._healthy = healthy
        if self.on_health is not None:
            self.on_health(healthy, {"error": error})

    def _chat(self) -> str:
        if not self.channel_id:
            raise ChannelPaused(
                "NEWSBOT_WHATSAPP__CHANNEL_ID is not set; `newsbot check` lists the channels "
                "this number can post to",
                until=self.clock.now() + self.recheck,
            )
        return self.channel_id

    # -- publish ---------------------------------------------------------------------
    def _reserve(self, post: OutgoingPost, chat: str) -> str | None:
        """A message id saved with the post before the send; None if the engine has none."""
        saved = post.channel_data.get(RESERVED)
        if isinstance(saved, str) and saved and post.channel_data.get("waha_chat_id") == chat:
            return saved
        answer = self.http.call(
            "GET", f"/api/{quote(self.session)}/new-message-id", ok=(200, *_NO_RESERVATION)
        )
        if answer.status in _NO_RESERVATION:
            # WEBJS and WPP engines cannot pre-generate ids; ``find`` matches by text then
            return None
        reserved = answer.body.get("id") if isinstance(answer.body, dict) else None
        if not isinstance(reserved, str) or not reserved:
            return None
        post.persist({**post.channel_data, RESERVED: reserved, "waha_chat_id": chat})
        return reserved

    def publish(self, post: OutgoingPost) -> Receipt:
        try:
            receipt = self._publish(post)
        except ChannelPaused as exc:
            self._health(False, exc.reason)
            raise
        self._health(True, None)
        return receipt

    def _publish(self, post: OutgoingPost) -> Receipt:
        length = whatsapp_length(post.text)
        if length > FORMAT.limit:
            raise PermanentError(f"the post is {length} characters; WhatsApp allows {FORMAT.limit}")
        chat = self._chat()
        reserved = self._reserve(post, chat)
        notes: list[str] = []
        body: dict[str, Any] = {"session": self.session, "chatId": chat}
        if reserved:
            body["id"] = reserved
        image = post.image_url
        if image and length > CAPTION_LIMIT:
            notes.append(
                f"image dropped: the text is {length} characters and a caption "
                f"allows {CAPTION_LIMIT}; the link preview shows the article instead"
            )
            image = None
        if image:
            path = "/api/sendImage"
            body.update(file=image_file(image), caption=post.text)
        else:
            path = "/api/sendText"
            body.update(text=post.text, linkPreview=True)
        answer = self.http.call("POST", path, json=body, sending=True)
        sent = answer.body if isinstance(answer.body, dict) else {}
        remote_id = str(sent.get("id") or (f"true_{chat}_{reserved}" if reserved else ""))
        if not remote_id:
            # accepted but unnamed: we cannot delete or match it later without an id
            raise PermanentError("WAHA accepted the message but returned no id")
        return Receipt(NAME, remote_id, None, self._response(sent, chat, reserved), tuple(notes))

    @staticmethod
    def _response(sent: dict[str, Any], chat: str, reserved: str | None) -> dict[str, Any]:
        keep: dict[str, Any] = {k: sent[k] for k in _ANSWER_KEYS if k in sent}
        return {**keep, "chatId": chat, "reserved_id": reserved}

    # -- find ------------------------------------------------------------------------
    def _history(self, chat: str, post: OutgoingPost) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "filter.fromMe": "true", "limit": HISTORY, "sortBy": "timestamp",
            "sortOrder": "desc", "downloadMedia": "false",
        }  # fmt: skip
        if post.first_attempt_at is not None:
            since = post.first_attempt_at - CLOCK_SLACK
            params["filter.timestamp.gte"] = int(since.timestamp())
        answer = self.http.call(
            "GET", f"/api/{quote(self.session)}/chats/{quote(chat)}/messages", params=params
        )
        return [m for m in answer.body or [] if isinstance(m, dict)]

    def find(self, post: OutgoingPost) -> Receipt | None:
        chat = str(post.channel_data.get("waha_chat_id") or self._chat())
        reserved = post.channel_data.get(RESERVED)
        messages = self._history(chat, post)
        match, how = None, ""
        if isinstance(reserved, str) and reserved:
            match = next((m for m in messages if message_key(str(m.get("id"))) == reserved), None)
            how = "reserved id"
        if match is None:
            # no reserved id (or an engine that ignored it): the same text, sent after
            # the first attempt began, is this post
            match = next((m for m in messages if m.get("body") == post.text), None)
            how = "text"
        if match is None:
            return None
        response = {**self._response(match, chat, reserved or None), "matched_by": how}
        return Receipt(NAME, str(match["id"]), None, response)

    # -- delete ----------------------------------------------------------------------
    def delete(self, receipt: Receipt) -> None:
        parsed = _SERIALIZED.match(receipt.remote_id)
        chat = parsed.group("chat") if parsed else self._chat()
        path = f"/api/{quote(self.session)}/chats/{quote(chat)}/messages/{quote(receipt.remote_id)}"
        # 404: the message is gone already (a withdrawal retried after a crash)
        self.http.call("DELETE", path, ok=(200, 201, 204, 404))

    # -- check -----------------------------------------------------------------------
    def check(self) -> Health:
        try:
            answer = self.http.call("GET", f"/api/sessions/{quote(self.session)}", ok=(200, 404))
        except BotError as exc:
            return Health(False, f"WAHA: {exc}", {"session": self.session})
        if answer.status == 404:
            return self._no_session()
        info = answer.body if isinstance(answer.body, dict) else {}
        status = str(info.get("status", "UNKNOWN"))
        ok, detail = session_report(self.session, status)
        data: dict[str, Any] = {"session": self.session, "status": status, "me": info.get("me")}
        if not ok:
            return Health(False, detail, data)
        try:
            listed = self.http.call("GET", f"/api/{quote(self.session)}/channels").body or []
        except BotError as exc:
            return Health(False, f"{detail}; listing channels failed: {exc}", data)
        ok, where = channel_report(self.channel_id, [c for c in listed if isinstance(c, dict)])
        data["channels"] = [{k: c.get(k) for k in ("id", "name", "role")} for c in listed]
        return Health(ok, f"{detail}; {where}", data)

    # -- watch -----------------------------------------------------------------------
    def watch(self) -> Health | None:
        """Look at the gateway when a look is due (every ``watch_every``; never when it is
        zero) and record what is seen, as a send would: a session that stopped while nothing
        was being sent shows on the dashboard and alerts now, not at the next post."""
        now = self.clock.now()
        if not self.watch_every or (
            self._watched_at is not None and now - self._watched_at < self.watch_every
        ):
            return None
        self._watched_at = now
        health = self.check()
        # written every look, not only on a change this process saw: another replica may
        # have recorded the opposite (the database only alerts on a real flip)
        self._healthy = health.ok
        if self.on_health is not None:
            self.on_health(health.ok, {"error": None if health.ok else health.detail})
        return health

    def close(self) -> None:
        self.http.client.close()

    def _no_session(self) -> Health:
        try:
            names = [str(s.get("name")) for s in self.http.call("GET", "/api/sessions").body or []]
        except BotError:
            names = []
        known = f"; sessions on this gateway: {', '.join(names)}" if names else ""
        return Health(
            False,
            f"WAHA has no session '{self.session}'; set NEWSBOT_WHATSAPP__WAHA_SESSION{known}",
            {"session": self.session, "sessions": names},
        )


def build(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    on_health: OnHealth = ignore_health,
) -> Publisher:
    from bot.channels.whatsapp import whatsapp_settings

    wa = whatsapp_settings(settings)
    if wa.waha_url is None:
        raise ValueError("NEWSBOT_WHATSAPP__WAHA_URL is not set")
    key = wa.waha_api_key.get_secret_value() if wa.waha_api_key else ""
    client = make_client(
        timeout=wa.timeout,
        user_agent=settings.user_agent,
        base_url=str(wa.waha_url).rstrip("/"),
        headers={"X-Api-Key": key} if key else None,
        # a gateway that redirects is misconfigured; do not carry the key elsewhere
        follow_redirects=False,
    )
    http = WahaHttp(client, wa.waha_session, clock.now, wa.session_recheck, [key])
    return WahaPublisher(
        http,
        session=wa.waha_session,
        channel_id=wa.channel_id,
        clock=clock,
        recheck=wa.session_recheck,
        on_health=on_health,
        watch_every=wa.session_watch,
    )
