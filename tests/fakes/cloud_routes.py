"""The Cloud API operations the fake implements, with Graph API error bodies.

Errors carry Meta's codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes):
190 bad token, 100 invalid parameter, 132000 parameter count, 132001 no such template,
130429 rate limit, 131000 "something went wrong".
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.fakes.fault_plan import Fault
from tests.fakes.loopback_server import Exchange, Reply

if TYPE_CHECKING:
    from tests.fakes.fake_cloud import CloudState

_DEFAULT_MESSAGES = {
    100: "Invalid parameter",
    190: "Invalid OAuth access token - Cannot parse access token",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131026: "Message undeliverable",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
}
_CODES_BY_STATUS = {400: 100, 401: 190, 404: 132001, 429: 130429, 500: 131000, 503: 131000}
# Meta refuses template parameters with new lines, tabs or more than four spaces in a row
_BAD_PARAM = re.compile(r"[\n\t]| {5,}")
_SEND = re.compile(r"^/(?P<version>v\d+\.\d+)/(?P<phone>\d+)/messages$")
_PHONE = re.compile(r"^/(?P<version>v\d+\.\d+)/(?P<phone>\d+)$")


class CloudRoutes:
    def __init__(
        self,
        state: CloudState,
        stopping: threading.Event,
        check_error: Callable[[dict[str, Any]], None],
    ) -> None:
        self.state = state
        self.stopping = stopping
        self.check_error = check_error

    def graph_error(self, status: int, code: int, message: str | None = None) -> Reply:
        body = {
            "error": {
                "message": message or _DEFAULT_MESSAGES.get(code, "Error"),
                "type": "OAuthException",
                "code": code,
                "is_transient": status >= 500 or code == 130429,
                "fbtrace_id": "A" + secrets.token_hex(10),
            }
        }
        self.check_error(body)
        return Reply(status, body)

    def dispatch(self, ex: Exchange, entry: dict[str, Any]) -> Reply:
        if ex.method == "POST" and (match := _SEND.match(ex.path)):
            entry["op"] = "send"
            phone = match["phone"]
            return self._with_faults("send", lambda: self._send(ex, phone))
        if ex.method == "GET" and (match := _PHONE.match(ex.path)):
            entry["op"] = "phone"
            return self._with_faults("phone", lambda: self._phone(match["phone"]))
        return self.graph_error(400, 100, f"Unsupported {ex.method} request to {ex.path}")

    def _with_faults(self, op: str, act: Callable[[], Reply]) -> Reply:
        fault = self.state.faults.take(op)
        if fault is not None and not fault.stores:
            return self._fail(fault)
        reply = act()
        if fault is not None and 200 <= reply.status < 300:
            return self._fail(fault)
        return reply

    def _fail(self, fault: Fault) -> Reply:
        if fault.kind in ("hang", "hang_after_store"):
            self.stopping.wait(fault.seconds)
            return Reply(drop=True)
        if fault.kind == "drop_after_store":
            return Reply(drop=True)
        code = fault.code or _CODES_BY_STATUS.get(fault.status, 131000)
        return self.graph_error(fault.status, code)

    def _unknown_phone(self, phone: str) -> Reply:
        return self.graph_error(
            400, 100,
            f"Unsupported post request. Object with ID '{phone}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation",
        )  # fmt: skip

    def _send(self, ex: Exchange, phone: str) -> Reply:
        if phone != self.state.phone_id:
            return self._unknown_phone(phone)
        body = ex.json()
        if body.get("type") != "template":
            return self.graph_error(400, 100, "the fake only takes template messages")
        template = body["template"]
        name, language = template["name"], template["language"]["code"]
        expected = self.state.templates.get((name, language))
        if expected is None:
            return self.graph_error(
                404, 132001, f"template name ({name}) does not exist in {language}"
            )
        params = [
            p.get("text", "")
            for c in template.get("components") or []
            if c.get("type") == "body"
            for p in c.get("parameters") or []
        ]
        if len(params) != expected:
            return self.graph_error(
                400, 132000, f"expected {expected} body parameters, got {len(params)}"
            )
        if any(not p.strip() or _BAD_PARAM.search(p) for p in params):
            return self.graph_error(
                400, 100,
                "Param text cannot be empty or have new-line/tab characters or more than 4 "
                "consecutive spaces",
            )  # fmt: skip
        with self.state.lock:
            stored = {
                "id": self.state.new_wamid(), "to": body["to"], "template": name,
                "language": language, "params": params,
                "callback": body.get("biz_opaque_callback_data"),
                "timestamp": int(self.state.clock()),
            }  # fmt: skip
            self.state.messages.append(stored)
        return Reply(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": stored["id"], "message_status": "accepted"}],
            },
        )

    def _phone(self, phone: str) -> Reply:
        if phone != self.state.phone_id:
            return self._unknown_phone(phone)
        return Reply(
            200,
            {
                "id": phone, "display_phone_number": "+1 555-078-3881",
                "verified_name": "Daily Desk", "quality_rating": "GREEN",
                "code_verification_status": "VERIFIED",
            },
        )  # fmt: skip
