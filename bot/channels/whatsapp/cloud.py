"""WhatsApp through Meta's Cloud API (pywa): an approved template to each opted-in subscriber.

https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
The Cloud API cannot post to a Channel; it messages people who opted in, one by one, with
a template Meta approved. A post is a fan-out: one ``SubscriberSend`` row per subscriber,
committed before its message goes out, so a retry or a second worker never sends one
subscriber the same post twice. Status webhooks (``bot/web/routes/whatsapp_webhook.py``)
move the rows on and write ``delivery`` audit events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
from pywa.client import WhatsApp
from pywa.errors import WhatsAppError
from pywa.types.templates import TemplateLanguage
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import Health, OnHealth, OutgoingPost, Publisher, Receipt
from bot.channels.whatsapp.cloud_errors import OPTED_OUT_CODES, Verdict, judge, judge_transport
from bot.channels.whatsapp.cloud_events import callback_data
from bot.channels.whatsapp.settings import WhatsAppSettings
from bot.channels.whatsapp.subscribers import (
    DELIVERED,
    fanout_complete,
    fanout_counts,
    opt_out,
    opted_in_count,
    prepare_fanout,
    set_status,
)
from bot.channels.whatsapp.text import FORMAT
from bot.clock import Clock
from bot.errors import BotError, PermanentError, TransientError
from bot.http import make_client
from bot.store.db import transaction

if TYPE_CHECKING:
    from bot.settings import Settings

NAME = FORMAT.name
LANGUAGES = {language.value: language for language in TemplateLanguage}
#: failures listed in the audit per post (the rest are counted)
FAILURES_SHOWN = 20


def template_values(post: OutgoingPost, names: list[str]) -> list[str]:
    """The template's body parameters, in order. Meta refuses empty ones and any with new
    lines, tabs or runs of spaces, so whitespace is folded; a quote is never cut."""
    quote = post.key_quote and f"“{post.key_quote}”" + (
        f" — {post.speaker}" if post.speaker else ""
    )
    values = {
        "headline": post.title,
        "quote": quote or "—",
        "link": post.url,
        "hashtags": " ".join(post.hashtags) or "—",
        "text": post.text,
    }
    return [" ".join(values[name].split()) or "—" for name in names]


class Rehost(httpx.BaseTransport):
    """pywa always aims at graph.facebook.com; send its requests to the configured host."""

    def __init__(self, base: httpx.URL, inner: httpx.BaseTransport | None = None) -> None:
        self.base = base
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class CloudPublisher:
    name = NAME

    def __init__(
        self,
        wa: WhatsApp,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Clock,
        client: httpx.Client | None = None,
    ) -> None:
        from bot.channels.whatsapp import whatsapp_settings

        self.client = client
        self.wa = wa
        self.settings: WhatsAppSettings = whatsapp_settings(settings)
        self.sessions = sessions
        self.clock = clock

    def _language(self) -> TemplateLanguage:
        code = self.settings.cloud_template_language
        if code not in LANGUAGES:
            raise PermanentError(
                f"NEWSBOT_WHATSAPP__CLOUD_TEMPLATE_LANGUAGE={code} is not a language Meta "
                "offers for templates (e.g. en, en_US, pt_BR)"
            )
        return LANGUAGES[code]

    def _send_one(self, post: OutgoingPost, subscriber_id: int, phone: str) -> str:
        params = [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": value}
                    for value in template_values(post, self.settings.cloud_template_params)
                ],
            }
        ]
        sent = self.wa.send_template(
            to=phone,
            name=self.settings.cloud_template,
            language=self._language(),
            params=params,
            tracker=callback_data(post.post_id, subscriber_id),
        )
        return str(sent.id)

    def _mark(
        self, post_id: int, subscriber_id: int, status: str, message_id: str | None = None
    ) -> None:
        with transaction(self.sessions) as session:
            set_status(
                session,
                post_id=post_id,
                subscriber_id=subscriber_id,
                status=status,
                now=self.clock.now(),
                message_id=message_id,
            )

    def publish(self, post: OutgoingPost) -> Receipt:
        self._language()
        with transaction(self.sessions) as session:
            due = prepare_fanout(session, post.post_id, self.clock.now())
        failures: list[dict[str, Any]] = []
        for subscriber_id, phone in due:
            self._mark(post.post_id, subscriber_id, "sending")
            try:
                message_id = self._send_one(post, subscriber_id, phone)
            except WhatsAppError as exc:
                verdict = judge(exc)
            except httpx.TransportError as exc:
                verdict = judge_transport(exc)
            else:
                self._mark(post.post_id, subscriber_id, "sent", message_id)
                continue
            self._settle(post, subscriber_id, phone, verdict, failures)
        return self._receipt(post, failures)

    def _settle(
        self,
        post: OutgoingPost,
        subscriber_id: int,
        phone: str,
        verdict: Verdict,
        failures: list[dict[str, Any]],
    ) -> None:
        """Record one subscriber's failure; raise when the rest of the fan-out must stop."""
        if verdict.scope == "recipient":
            self._mark(post.post_id, subscriber_id, "failed")
            failures.append(
                {"subscriber_id": subscriber_id, "code": verdict.code, "error": verdict.message}
            )
            if verdict.code in OPTED_OUT_CODES:
                with transaction(self.sessions) as session:
                    opt_out(session, phone, self.clock.now())
            return
        if verdict.scope == "unknown":
            self._mark(post.post_id, subscriber_id, "unknown")
            raise TransientError(verdict.message)
        self._mark(post.post_id, subscriber_id, "pending")
        if verdict.scope == "retry":
            raise TransientError(verdict.message, retry_after=verdict.retry_after)
        raise PermanentError(verdict.message)

    def _summary(self, post_id: int) -> dict[str, Any]:
        with self.sessions() as session:
            counts = fanout_counts(session, post_id)
        return {
            "template": self.settings.cloud_template,
            "language": self.settings.cloud_template_language,
            "subscribers": sum(counts.values()),
            "sent": sum(counts[s] for s in DELIVERED),
            **{s: counts[s] for s in ("failed", "unknown", "skipped") if counts[s]},
        }

    def _receipt(self, post: OutgoingPost, failures: list[dict[str, Any]]) -> Receipt:
        summary = self._summary(post.post_id)
        if failures:
            summary["failures"] = failures[:FAILURES_SHOWN]
        notes: tuple[str, ...] = ()
        if not summary["subscribers"]:
            notes = ("no opted-in subscribers: nothing was sent",)
        elif not summary["sent"] and not summary.get("unknown"):
            first = failures[0]["error"] if failures else "every send failed"
            raise PermanentError(
                f"the template reached none of {summary['subscribers']} subscribers: {first}"
            )
        return Receipt(NAME, f"cloud-post-{post.post_id}", None, summary, notes)

    def find(self, post: OutgoingPost) -> Receipt | None:
        """Done when every opted-in subscriber has its row and none waits; else the engine
        publishes again, which sends only to the subscribers still waiting."""
        with self.sessions() as session:
            complete = fanout_complete(session, post.post_id)
        if not complete:
            return None
        summary = self._summary(post.post_id)
        if summary["subscribers"] and not summary["sent"] and not summary.get("unknown"):
            return None
        return Receipt(NAME, f"cloud-post-{post.post_id}", None, {**summary, "found": True})

    def delete(self, receipt: Receipt) -> None:
        raise PermanentError(
            "the Cloud API cannot take back a message delivered to subscribers; "
            "send a correction instead"
        )

    def check(self) -> Health:
        problems = []
        wa = self.settings
        if wa.cloud_app_secret is None:
            problems.append(
                "NEWSBOT_WHATSAPP__CLOUD_APP_SECRET is not set: status webhooks and STOP "
                "replies are refused"
            )
        if wa.cloud_verify_token is None:
            problems.append(
                "NEWSBOT_WHATSAPP__CLOUD_VERIFY_TOKEN is not set: Meta cannot verify the "
                "webhook URL"
            )
        try:
            self._language()
            number = self.wa.get_business_phone_number()
        except (BotError, WhatsAppError, httpx.TransportError) as exc:
            text = (
                judge(exc).message
                if isinstance(exc, WhatsAppError)
                else str(exc) or type(exc).__name__
            )
            return Health(False, "; ".join([f"Cloud API: {text}", *problems]), {})
        with self.sessions() as session:
            subscribers = opted_in_count(session)
        detail = (
            f"Cloud API number {number.display_phone_number} ({number.verified_name}), quality "
            f"{number.quality_rating}; template {wa.cloud_template}/{wa.cloud_template_language}; "
            f"{subscribers} opted-in subscribers"
        )
        data = {
            "phone": number.display_phone_number,
            "name": number.verified_name,
            "subscribers": subscribers,
        }
        return Health(not problems, "; ".join([detail, *problems]), data)

    def watch(self) -> Health | None:
        """No look of its own: subscribers' sends and status webhooks tell how it goes."""
        return None

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def build(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    on_health: OnHealth | None = None,  # the Cloud API reports through `newsbot check`
) -> Publisher:
    from bot.channels.whatsapp import whatsapp_settings

    wa = whatsapp_settings(settings)
    if wa.cloud_token is None or wa.cloud_phone_id is None:
        raise ValueError("NEWSBOT_WHATSAPP__CLOUD_TOKEN and _CLOUD_PHONE_ID are needed")
    client = make_client(
        timeout=wa.timeout,
        transport=Rehost(httpx.URL(str(wa.cloud_base_url))),
        follow_redirects=False,  # never carry the token to another host
    )
    api = WhatsApp(
        phone_id=wa.cloud_phone_id,
        token=wa.cloud_token.get_secret_value(),
        session=client,
        api_version=wa.cloud_api_version.removeprefix("v"),
    )
    return CloudPublisher(api, settings, sessions, clock, client)
