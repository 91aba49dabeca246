"""The WAHA operations the fake implements, with faults applied around the "store" step.

Error bodies follow what WAHA (NestJS) answers: ``{"statusCode", "message", "error"}``,
and for a session that is not running the 422 body of WAHA's session manager.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tests.fakes.fault_plan import Fault
from tests.fakes.loopback_server import Exchange, Reply

if TYPE_CHECKING:
    from tests.fakes.fake_waha import WahaState

_REASONS = {
    400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 422: "Unprocessable Entity",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}  # fmt: skip

_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/api/sendText$"), "send"),
    ("POST", re.compile(r"^/api/sendImage$"), "send"),
    ("GET", re.compile(r"^/api/(?P<session>[^/]+)/new-message-id$"), "new-message-id"),
    ("GET", re.compile(r"^/api/(?P<session>[^/]+)/chats/(?P<chat>[^/]+)/messages$"), "messages"),
    (
        "DELETE",
        re.compile(r"^/api/(?P<session>[^/]+)/chats/(?P<chat>[^/]+)/messages/(?P<msg>[^/]+)$"),
        "delete",
    ),
    ("GET", re.compile(r"^/api/sessions$"), "sessions"),
    ("GET", re.compile(r"^/api/sessions/(?P<session>[^/]+)$"), "session"),
    ("GET", re.compile(r"^/api/(?P<session>[^/]+)/channels$"), "channels"),
    ("GET", re.compile(r"^/api/(?P<session>[^/]+)/channels/(?P<chat>[^/]+)$"), "channel"),
]
_UNSCOPED = ("sessions", "session")


def error(status: int, message: str | list[str] | None = None, **extra: Any) -> Reply:
    reason = _REASONS.get(status, "Error")
    return Reply(
        status, {"statusCode": status, "message": message or reason, "error": reason, **extra}
    )


class WahaRoutes:
    def __init__(self, state: WahaState, stopping: threading.Event) -> None:
        self.state = state
        self.stopping = stopping

    def dispatch(self, ex: Exchange, entry: dict[str, Any]) -> Reply:
        for method, pattern, op in _ROUTES:
            match = pattern.match(ex.path)
            if method == ex.method and match:
                params = {k: unquote(v) for k, v in match.groupdict().items()}
                with self.state.lock:  # the entry is already in the log others read
                    entry["op"] = op
                return self._run(op, ex, params, entry)
        return error(501, f"the fake does not implement {ex.method} {ex.path}")

    def _run(self, op: str, ex: Exchange, params: dict[str, str], entry: dict[str, Any]) -> Reply:
        fault = self.state.faults.take(op)
        if fault is not None:
            with self.state.lock:
                entry["fault"] = fault.kind
        if fault is not None and not fault.stores:
            return self._fail(fault)
        if op not in _UNSCOPED:
            session = params.get("session") or (ex.json() or {}).get("session")
            refused = self._session_refusal(session)
            if refused is not None:
                return refused
        handler: Callable[[Exchange, dict[str, str]], Reply] = getattr(
            self, "_" + op.replace("-", "_")
        )
        reply = handler(ex, params)
        if fault is not None and 200 <= reply.status < 300:
            return self._fail(fault)
        return reply

    def _fail(self, fault: Fault) -> Reply:
        if fault.kind in ("hang", "hang_after_store"):
            self.stopping.wait(fault.seconds)
            return Reply(drop=True)
        if fault.kind == "drop_after_store":
            return Reply(drop=True)
        reply = error(fault.status)
        if fault.status == 429:
            wait = fault.retry_after if fault.retry_after is not None else 1.0
            reply.headers["Retry-After"] = str(math.ceil(wait))
            reply.headers["X-RateLimit-Reset"] = str(math.ceil(self.state.clock() + wait))
        return reply

    def _session_refusal(self, session: str | None) -> Reply | None:
        if session != self.state.session:
            return error(
                404,
                f"We didn't find a session with name '{session}'.\n"
                f"Please start it first by using POST /api/sessions/{session}/start request",
            )
        if self.state.status != "WORKING":
            return Reply(
                422,
                {
                    "error": "Session status is not as expected. "
                    "Try again later or restart the session",
                    "session": session,
                    "status": self.state.status,
                    "expected": ["WORKING"],
                },
            )
        return None

    # -- operations ------------------------------------------------------------------
    def _wa_message(self, stored: dict[str, Any]) -> dict[str, Any]:
        me = self.state.me["id"]
        media_url = (stored.get("file") or {}).get("url", "")
        return {
            "id": stored["id"], "timestamp": stored["timestamp"], "from": me, "fromMe": True,
            "source": "api", "to": stored["chatId"], "participant": me, "body": stored["body"],
            "hasMedia": stored["type"] == "image", "mediaUrl": media_url,
            "ack": 1, "ackName": "SERVER",
        }  # fmt: skip

    def _send(self, ex: Exchange, params: dict[str, str]) -> Reply:
        body = ex.json()
        image = ex.path.endswith("sendImage")
        key = body.get("id") or self.state.new_key()
        with self.state.lock:
            stored = {
                "id": f"true_{body['chatId']}_{key}",
                "key": key,
                "reserved": bool(body.get("id")),
                "session": body["session"],
                "chatId": body["chatId"],
                "type": "image" if image else "text",
                "body": body.get("caption", "") if image else body["text"],
                "linkPreview": body.get("linkPreview", True) if not image else None,
                "file": body.get("file") if image else None,
                "timestamp": int(self.state.clock()),
                "deleted": False,
            }
            self.state.messages.append(stored)
        return Reply(201, self._wa_message(stored))

    def _new_message_id(self, ex: Exchange, params: dict[str, str]) -> Reply:
        return Reply(200, {"id": self.state.new_key()})

    def _messages(self, ex: Exchange, params: dict[str, str]) -> Reply:
        from_me = ex.arg("filter.fromMe")
        gte, lte = ex.arg("filter.timestamp.gte"), ex.arg("filter.timestamp.lte")
        with self.state.lock:
            found = [
                m for m in self.state.messages
                if m["chatId"] == params["chat"] and not m["deleted"]
                and (from_me is None or from_me == "true")
                and (gte is None or m["timestamp"] >= float(gte))
                and (lte is None or m["timestamp"] <= float(lte))
            ]  # fmt: skip
        found.sort(key=lambda m: m["timestamp"], reverse=ex.arg("sortOrder") != "asc")
        offset = int(float(ex.arg("offset") or 0))
        limit = int(float(ex.arg("limit") or 10))
        return Reply(200, [self._wa_message(m) for m in found[offset : offset + limit]])

    def _delete(self, ex: Exchange, params: dict[str, str]) -> Reply:
        with self.state.lock:
            for stored in self.state.messages:
                if stored["id"] == params["msg"] and stored["chatId"] == params["chat"]:
                    if stored["deleted"]:
                        break
                    stored["deleted"] = True
                    stored["deletedAt"] = int(self.state.clock())
                    return Reply(200, None)
        return error(404, f"Message '{params['msg']}' not found")

    def _session_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "name": self.state.session, "status": self.state.status, "presence": {},
            "timestamps": {"activity": int(self.state.clock() * 1000)},
        }  # fmt: skip
        if self.state.status == "WORKING":
            info["me"] = dict(self.state.me)
        return info

    def _sessions(self, ex: Exchange, params: dict[str, str]) -> Reply:
        return Reply(200, [self._session_info()])

    def _session(self, ex: Exchange, params: dict[str, str]) -> Reply:
        if params["session"] != self.state.session:
            return error(404, f"We didn't find a session with name '{params['session']}'.")
        return Reply(200, self._session_info())

    def _channels(self, ex: Exchange, params: dict[str, str]) -> Reply:
        role = ex.arg("role")
        with self.state.lock:
            listed = [c for c in self.state.channels if role is None or c["role"] == role]
        return Reply(200, listed)

    def _channel(self, ex: Exchange, params: dict[str, str]) -> Reply:
        with self.state.lock:
            for found in self.state.channels:
                if found["id"] == params["chat"]:
                    return Reply(200, found)
        return error(404, "Channel not found")
