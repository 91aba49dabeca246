"""A fake WAHA (WhatsApp HTTP API) gateway: a real HTTP server on loopback.

Every request to the API is checked against WAHA's own OpenAPI description
(``tests/data/specs/whatsapp/waha-openapi.json``) and refused with 400 if WAHA would not
accept it; the violation is kept so a test can fail on it. Successful answers are
checked against the description too. Messages are stored, so a test counts what reached
the channel, and faults (``fault_plan``) make it fail the ways a real gateway fails.

In-process (fixtures)::

    with FakeWaha(api_key="k", channels=[channel("123@newsletter")]) as waha:
        waha.url ...

As a process (the chaos test), controlled over HTTP with ``WahaControl``::

    python -m tests.fakes.fake_waha --port 0 --api-key k --channel 123@newsletter
    # prints "LISTENING http://127.0.0.1:PORT" and serves until SIGTERM

Control API (no key, not part of WAHA): ``GET /_control/messages``, ``GET
/_control/requests``, ``GET /_control/violations``, ``POST /_control/faults`` (a plan,
see ``fault_plan``), ``DELETE /_control/faults``, ``POST /_control/session-status``
``{"status": "SCAN_QR_CODE"}``, ``POST /_control/channels`` (a list), ``POST
/_control/reset``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from tests.fakes.fault_plan import FaultPlan
from tests.fakes.loopback_server import Exchange, LoopbackServer, Reply
from tests.fakes.openapi_validation import SpecValidator
from tests.fakes.waha_routes import WahaRoutes
from tests.paths import SPECS

WAHA_SPEC = SPECS / "whatsapp" / "waha-openapi.json"
STATUSES = (
    "STOPPED", "STARTING", "SCAN_QR_CODE", "PASSKEY_REQUIRED",
    "PASSKEY_CONFIRMATION_REQUIRED", "WORKING", "FAILED",
)  # fmt: skip


def channel(
    channel_id: str, name: str = "Newsroom", role: str = "OWNER", subscribers: int = 120
) -> dict[str, Any]:
    """A WAHA ``Channel`` object, as ``GET /api/{session}/channels`` lists it."""
    invite = "https://whatsapp.com/channel/" + channel_id.split("@", maxsplit=1)[0]
    return {
        "id": channel_id, "name": name, "invite": invite, "role": role,
        "verified": False, "subscribersCount": subscribers,
    }  # fmt: skip


class WahaState:
    """Everything the fake remembers; guarded by one lock."""

    def __init__(
        self,
        api_key: str,
        session: str,
        channels: list[dict[str, Any]],
        clock: Callable[[], float],
    ) -> None:
        self.lock = threading.RLock()
        self.api_key = api_key
        self.session = session
        self.status = "WORKING"
        self.me = {"id": "15550001111@c.us", "pushName": "Newsroom Desk"}
        self.channels = channels
        self.clock = clock
        self.messages: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.violations: list[dict[str, Any]] = []
        self.faults = FaultPlan()

    def new_key(self) -> str:
        return "3EB0" + secrets.token_hex(8).upper()

    def reset(self) -> None:
        with self.lock:
            self.status = "WORKING"
            self.messages.clear()
            self.requests.clear()
            self.violations.clear()
            self.faults = FaultPlan()


class FakeWaha:
    """The fake gateway; ``start()``/``stop()`` or use it as a context manager."""

    def __init__(
        self,
        *,
        api_key: str = "test-waha-key",
        session: str = "default",
        channels: list[dict[str, Any]] | None = None,
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = WahaState(api_key, session, list(channels or []), clock)
        self.validator = SpecValidator(WAHA_SPEC)
        self.server = LoopbackServer(self._handle, port)
        self.routes = WahaRoutes(self.state, self.server.stopping)

    # -- the server ------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> FakeWaha:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> FakeWaha:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _handle(self, ex: Exchange) -> Reply:
        if len(ex.body) < int(ex.header("Content-Length") or 0):
            # cut short by a client that died mid-request (the chaos test kills workers):
            # a dropped connection, not a request to check against the spec
            with self.state.lock:
                self.state.requests.append(
                    {"method": ex.method, "path": ex.path, "query": ex.query,
                     "status": None, "done": True, "cut": True}
                )  # fmt: skip
            return Reply(drop=True)
        if ex.path.startswith("/_control/"):
            return self._control(ex)
        # Logged on arrival, not on answer: a hanging fault holds the answer for seconds,
        # and a test that asks "was it sent?" must not depend on whether the hang is over.
        # ``done`` turns true with the outcome; ``status`` is None while pending or dropped.
        entry: dict[str, Any] = {
            "method": ex.method, "path": ex.path, "query": ex.query, "status": None, "done": False,
        }  # fmt: skip
        with self.state.lock:
            self.state.requests.append(entry)
        reply = self._api(ex, entry)
        with self.state.lock:
            entry["status"] = None if reply.drop else reply.status
            entry["done"] = True
        return reply

    def _api(self, ex: Exchange, entry: dict[str, Any]) -> Reply:
        if ex.header("X-Api-Key") != self.state.api_key:
            return Reply(401, {"message": "Unauthorized", "statusCode": 401})
        errors = self.validator.request_errors(ex.method, ex.path, ex.query, ex.headers, ex.body)
        if errors:
            self._violation("request", ex, errors)
            return Reply(400, {"statusCode": 400, "message": errors, "error": "Bad Request"})
        reply = self.routes.dispatch(ex, entry)
        if 200 <= reply.status < 300 and not reply.drop:
            problems = self.validator.response_errors(
                ex.method, ex.path, reply.status, reply.encoded()[0],
                query=ex.query, headers=ex.headers,
            )  # fmt: skip
            if problems:
                self._violation("response", ex, problems)
        return reply

    def _violation(self, what: str, ex: Exchange, errors: list[str]) -> None:
        with self.state.lock:
            self.state.violations.append(
                {"in": what, "method": ex.method, "path": ex.path, "errors": errors}
            )

    # -- the control API and its Python twin -----------------------------------------
    def _control(self, ex: Exchange) -> Reply:
        name = ex.path.removeprefix("/_control/")
        try:
            if (ex.method, name) == ("GET", "health"):
                return Reply(200, {"ok": True})
            if (ex.method, name) == ("GET", "messages"):
                return Reply(200, self.messages())
            if (ex.method, name) == ("GET", "requests"):
                return Reply(200, self.requests())
            if (ex.method, name) == ("GET", "violations"):
                return Reply(200, self.violations())
            if (ex.method, name) == ("GET", "faults"):
                return Reply(200, self.state.faults.describe())
            if (ex.method, name) == ("POST", "faults"):
                self.set_faults(ex.json())
                return Reply(200, self.state.faults.describe())
            if (ex.method, name) == ("DELETE", "faults"):
                self.set_faults({})
                return Reply(200, self.state.faults.describe())
            if (ex.method, name) == ("POST", "session-status"):
                self.set_session_status(ex.json()["status"])
                return Reply(200, {"status": self.state.status})
            if (ex.method, name) == ("POST", "channels"):
                self.set_channels(ex.json())
                return Reply(200, self.state.channels)
            if (ex.method, name) == ("POST", "reset"):
                self.state.reset()
                return Reply(200, {"ok": True})
        except (ValueError, KeyError, TypeError) as exc:
            return Reply(400, {"error": str(exc)})
        return Reply(404, {"error": f"no control endpoint {ex.method} {ex.path}"})

    def messages(self) -> list[dict[str, Any]]:
        """Every message the gateway sent, deleted ones included (``deleted: true``)."""
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

    def set_session_status(self, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown session status {status!r}")
        with self.state.lock:
            self.state.status = status

    def set_channels(self, channels: list[dict[str, Any]]) -> None:
        with self.state.lock:
            self.state.channels = list(channels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.fake_waha")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default="test-waha-key")
    parser.add_argument("--session", default="default")
    parser.add_argument("--channel", action="append", default=[], help="ID[:NAME[:ROLE]]")
    parser.add_argument("--status", default="WORKING", choices=STATUSES)
    parser.add_argument("--faults", help="a fault plan as JSON (see fault_plan)")
    args = parser.parse_args(argv)
    channels = [channel(*spec.split(":", 2)) for spec in args.channel]
    fake = FakeWaha(api_key=args.api_key, session=args.session, channels=channels, port=args.port)
    fake.set_session_status(args.status)
    if args.faults:
        fake.set_faults(json.loads(args.faults))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    fake.start()
    print(f"LISTENING {fake.url}", flush=True)
    done.wait()
    fake.stop()
    if fake.violations():
        print(json.dumps(fake.violations(), indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
