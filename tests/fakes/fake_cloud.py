"""A fake Meta WhatsApp Cloud API (Graph API) on loopback, and the webhooks Meta sends.

Every request is checked against ``tests/data/specs/whatsapp/meta-cloud-api.patched.yaml``
and refused with a Graph API error if Meta would refuse it; template messages are
stored. The webhook payloads it builds (status updates, a reader's "STOP") are checked
against the same description and signed the way Meta signs them (``X-Hub-Signature-256``).

    with FakeCloud(templates={("news_update", "en"): 3}) as cloud:
        cloud.url; cloud.messages(); cloud.status_webhook(wamid, "delivered", phone)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from tests.fakes.cloud_routes import CloudRoutes
from tests.fakes.fault_plan import FaultPlan
from tests.fakes.loopback_server import Exchange, LoopbackServer, Reply, ServedFake
from tests.fakes.openapi_validation import SpecValidator
from tests.paths import SPECS

CLOUD_SPEC = SPECS / "whatsapp" / "meta-cloud-api.patched.yaml"
PHONE_ID = "106540352242922"
WABA_ID = "419561257915477"
DISPLAY = "15550783881"

# The description's incoming-message schemas build on ``BaseMessageProperties``, the
# *outgoing* base (it requires ``to`` and ``recipient_type``), and map ``text`` to the
# outgoing ``TextMessage``: no real webhook validates. Incoming messages carry ``from``,
# ``id``, ``timestamp`` and ``type`` (Meta's webhook reference); check them against that.
_INBOUND_BASE = {
    "type": "object",
    "required": ["from", "id", "timestamp", "type"],
    "properties": {k: {"type": "string"} for k in ("from", "id", "timestamp", "type")},
}


def _inbound_overrides(validator: SpecValidator) -> dict[str, Any]:
    schemas = validator.spec["components"]["schemas"]
    fixed = {}
    for name, source in (("InboundText", "TextMessage_2"), ("InboundButton", "ButtonMessage")):
        parts = [p for p in schemas[source]["allOf"] if "$ref" not in p]
        fixed[name] = {"allOf": [{"$ref": "#/components/schemas/InboundBase"}, *parts]}
    return {
        "InboundBase": _INBOUND_BASE,
        **fixed,
        "IncomingMessage": {
            "oneOf": [
                {"$ref": "#/components/schemas/InboundText"},
                {"$ref": "#/components/schemas/InboundButton"},
            ]
        },
    }


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` header Meta sends with a webhook."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class CloudState:
    def __init__(
        self,
        token: str,
        phone_id: str,
        templates: dict[tuple[str, str], int],
        clock: Callable[[], float],
    ) -> None:
        self.lock = threading.RLock()
        self.token = token
        self.phone_id = phone_id
        self.templates = templates
        self.clock = clock
        self.messages: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.violations: list[dict[str, Any]] = []
        self.faults = FaultPlan()

    def new_wamid(self) -> str:
        return "wamid.HBgL" + secrets.token_urlsafe(24).replace("-", "A").replace("_", "B")


class FakeCloud(ServedFake):
    def __init__(
        self,
        *,
        token: str = "test-cloud-token",
        phone_id: str = PHONE_ID,
        templates: dict[tuple[str, str], int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = CloudState(
            token, phone_id, dict(templates or {("news_update", "en"): 3}), clock
        )
        self.validator = SpecValidator(CLOUD_SPEC)
        self.server = LoopbackServer(self._handle)
        self.routes = CloudRoutes(self.state, self.server.stopping, self._check_error)
        self._inbound = _inbound_overrides(self.validator)

    def _handle(self, ex: Exchange) -> Reply:
        entry: dict[str, Any] = {"method": ex.method, "path": ex.path}
        reply = self._api(ex, entry)
        entry["status"] = None if reply.drop else reply.status
        with self.state.lock:
            self.state.requests.append(entry)
        return reply

    def _api(self, ex: Exchange, entry: dict[str, Any]) -> Reply:
        if ex.header("Authorization") != f"Bearer {self.state.token}":
            return self.routes.graph_error(
                401, 190, "Invalid OAuth access token - Cannot parse access token"
            )
        errors = self.validator.request_errors(ex.method, ex.path, ex.query, ex.headers, ex.body)
        if errors:
            self._violation("request", ex.path, errors)
            return self.routes.graph_error(400, 100, "Invalid parameter: " + errors[-1][:200])
        reply = self.routes.dispatch(ex, entry)
        if 200 <= reply.status < 300 and not reply.drop:
            problems = self.validator.response_errors(
                ex.method, ex.path, reply.status, reply.encoded()[0],
                query=ex.query, headers=ex.headers,
            )  # fmt: skip
            if problems:
                self._violation("response", ex.path, problems)
        return reply

    def _check_error(self, body: dict[str, Any]) -> None:
        problems = self.validator.schema_errors("GraphAPIError", body)
        if problems:
            self._violation("error body", "-", problems)

    def _violation(self, what: str, path: str, errors: list[str]) -> None:
        with self.state.lock:
            self.state.violations.append({"in": what, "path": path, "errors": errors})

    # -- what tests look at and steer ------------------------------------------------
    def messages(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(m) for m in self.state.messages]

    def requests(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(r) for r in self.state.requests]

    def violations(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.violations)

    def set_faults(self, plan: dict[str, Any]) -> None:
        self.state.faults.configure(plan)

    # -- webhooks --------------------------------------------------------------------
    def _envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        metadata = {"display_phone_number": DISPLAY, "phone_number_id": self.state.phone_id}
        full = {"messaging_product": "whatsapp", "metadata": metadata, **value}
        entry = {"id": WABA_ID, "changes": [{"field": "messages", "value": full}]}
        return {"object": "whatsapp_business_account", "entry": [entry]}

    def _checked(self, payload: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
        problems = self.validator.schema_errors("WebhookPayload", payload, overrides)
        if problems:
            raise AssertionError("the fake built an invalid webhook:\n" + "\n".join(problems))
        return payload

    def status_webhook(
        self,
        message_id: str,
        status: str,
        recipient: str,
        *,
        callback: str | None = None,
        error: tuple[int, str] | None = None,
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": message_id, "status": status, "timestamp": str(int(self.state.clock())),
            "recipient_id": recipient,
        }  # fmt: skip
        if callback is not None:
            item["biz_opaque_callback_data"] = callback
        if error is not None:
            item["errors"] = [{"code": error[0], "title": error[1], "message": error[1]}]
        return self._checked(self._envelope({"statuses": [item]}), None)

    def statuses_for(self, status: str, **extra: Any) -> dict[str, Any]:
        """One webhook with ``status`` for every message stored so far (Meta batches them)."""
        items = []
        for message in self.messages():
            item = {
                "id": message["id"], "status": status, "recipient_id": message["to"],
                "timestamp": str(int(self.state.clock())), **extra,
            }  # fmt: skip
            if message["callback"]:
                item["biz_opaque_callback_data"] = message["callback"]
            items.append(item)
        return self._checked(self._envelope({"statuses": items}), None)

    def inbound_webhook(
        self, sender: str, *, text: str | None = None, button: str | None = None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "from": sender, "id": self.state.new_wamid(), "timestamp": str(int(self.state.clock())),
        }  # fmt: skip
        if button is not None:
            message.update(
                type="button",
                button={"payload": button, "text": button},
                context={"from": DISPLAY, "id": self.state.new_wamid()},
            )
        else:
            message.update(type="text", text={"body": text or ""})
        contacts = [{"profile": {"name": "A Reader"}, "wa_id": sender}]
        payload = self._envelope({"contacts": contacts, "messages": [message]})
        return self._checked(payload, self._inbound)


def running_cloud(token: str) -> Iterator[FakeCloud]:
    """A fake Cloud API for one test (``yield from`` it in a fixture); the test fails if the
    bot sent anything Meta's description refuses."""
    with FakeCloud(token=token) as fake:
        yield fake
        assert fake.violations() == []


def post_webhook(url: str, payload: dict[str, Any], app_secret: str | None) -> httpx.Response:
    """Deliver a webhook the way Meta does: raw JSON body, signed with the app secret."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    if app_secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, app_secret)
    return httpx.post(url, content=body, headers=headers, timeout=10.0)
