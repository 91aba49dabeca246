"""A fake X API v2: a real HTTP server on loopback for the X channel's tests.

Every request is checked against X's own API description (``tests/data/specs/x/openapi.json``,
with openapi-core) and must carry a well-formed OAuth 1.0a header; a request that fails
either is recorded as a violation (tests assert there are none) and answered 400/401. The
signature is verified with the fake's credentials, so wrong credentials get X's 401.

It stores posts and media, keeps X's limits (x-rate-limit-*, x-user-limit-24hour-*), and
can be told to misbehave: answer 429/402/401/403/500/503, hang past the client's timeout,
or drop the connection before or after storing the post (see ``fake_x_state.ACTIONS``).

In-process::

    with FakeX() as fake:
        fake.fail("drop_after_store")      # the next POST /2/tweets
        ... NEWSBOT_X__BASE_URL=fake.base_url ...
        assert len(fake.posts()) == 1

As a process (the chaos test)::

    python -m tests.fakes.fake_x --port 0 --state-file x.json   # prints {"port": N}

Control API (JSON, not part of X): ``GET /_control/posts`` (``?all=1`` with deleted ones),
``GET /_control/requests``, ``GET /_control/violations``, ``POST /_control/faults`` with a
plan ``{"rules": [{"action", "method", "path", "times"}], "random": {"rate", "actions",
"seed", "method", "path"}, "hang_seconds", "reset_in", "user_limit_24h", "access_level"}``,
``DELETE /_control/faults``, ``POST /_control/reset``. A plan changes only the keys it
names.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes import fake_x_api as api
from tests.fakes.cut_requests import WatchedStream
from tests.fakes.fake_x_oauth import Credentials, Malformed, parse_header, signature_valid
from tests.fakes.fake_x_state import USER, StoredPost, XState, iso
from tests.fakes.loopback_server import QuietHandler, ServedFake, ThreadedServer
from tests.fakes.openapi_validation import SpecValidator
from tests.paths import SPECS

SPEC = SPECS / "x" / "openapi.json"
CREDENTIALS = Credentials(
    api_key="fake-consumer-key",
    api_secret="fake-consumer-secret-do-not-log",
    access_token=f"{USER['id']}-fake-access-token",
    access_token_secret="fake-token-secret-do-not-log",
)
_TWEET = re.compile(r"^/2/tweets/([^/]+)$")
_TIMELINE = re.compile(r"^/2/users/([^/]+)/tweets$")


class _Handler(QuietHandler):
    """Its own handler rather than a ``LoopbackServer`` app: it works on the raw query
    string, as sent, which the OAuth 1.0a signature covers."""

    protocol_version = "HTTP/1.1"

    @property
    def fake(self) -> FakeX:
        fake: FakeX = self.server.owner
        return fake

    def setup(self) -> None:
        super().setup()
        self.rfile = WatchedStream(self.rfile)  # type: ignore[assignment,arg-type]

    def do_GET(self) -> None:
        try:
            self._handle()
        except ConnectionError:
            # the client went away (killed, or it gave up) while we read or answered: a
            # dropped connection, as X would see it, not something wrong with the request
            self.close_connection = True
        except Exception as exc:  # a crash in the fake must fail the test, not hang it
            self.fake.state.violation(f"the fake crashed: {exc!r}")
            self._send(500, {}, {"title": "fake crashed", "detail": repr(exc)})

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

    # --- plumbing -----------------------------------------------------------------

    def _send(self, status: int, headers: dict[str, str], payload: dict[str, Any] | None) -> None:
        body = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        headers = {"Content-Type": "application/json", **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _say_nothing(self) -> None:
        self.close_connection = True

    def _headers(self) -> dict[str, str]:
        # one spelling per name, as requests sends them (Authorization, Content-Type)
        return {name.title(): value for name, value in self.headers.items()}

    # --- the X API ----------------------------------------------------------------

    def _handle(self) -> None:
        fake = self.fake
        state = fake.state
        url = urlsplit(self.path)
        method, path, query = self.command, url.path, url.query
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.rfile.cut:  # type: ignore[attr-defined]
            # cut short by a client that died mid-request: nothing to check, no one to answer
            state.log({"at": iso(time.time()), "method": method, "path": path, "cut": True})
            self.close_connection = True
            return
        if path.startswith("/_control/"):
            self._control(method, path, query, body)
            return
        headers = self._headers()
        now = time.time()
        entry: dict[str, Any] = {"at": iso(now), "method": method, "path": path, "query": query}
        state.log(entry)
        refused = self._check(method, path, query, headers, body, entry)
        if refused is not None:
            entry["status"] = refused[0]
            self._send(*refused)
            return
        action = state.pick_fault(method, path) or "ok"
        entry["action"] = action
        endpoint = (
            f"{method} {_TWEET.sub('/2/tweets/:id', _TIMELINE.sub('/2/users/:id/tweets', path))}"
        )
        rate, exhausted = state.rate(endpoint, now)
        if exhausted and action == "ok":
            action = "429"  # X's own 15-minute window, not an injected fault
        if action in ("hang", "drop_before_store"):
            if action == "hang":
                fake.stopping.wait(state.hang_seconds)
            self._say_nothing()
            return
        if action in api.FAULT_ANSWERS or action == "429_daily":
            status, extra, payload = self._fault(action, now, rate)
            if method == "POST" and path == "/2/tweets" and action != "429_daily":
                extra = {**state.user_limit(now), **extra}
            entry["status"] = status
            self._send(status, extra, payload)
            return
        status, extra, payload = self._operate(method, path, query, headers, body, now)
        entry["status"] = status
        if action == "hang_after_store":
            fake.stopping.wait(state.hang_seconds)
        if action in ("hang_after_store", "drop_after_store"):
            self._say_nothing()
            return
        if 200 <= status < 300:
            encoded = json.dumps(payload).encode()
            problems = fake.validator.response_errors(method, path, status, encoded, query=query)
            for problem in problems:
                state.violation(f"fake answered against the spec: {method} {path}: {problem}")
        self._send(status, {**rate, **extra}, payload)

    def _check(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        entry: dict[str, Any],
    ) -> api.Answer | None:
        """A refusal for a request that is malformed, off-spec or wrongly signed."""
        fake = self.fake
        try:
            oauth = parse_header(headers.get("Authorization"))
        except Malformed as exc:
            fake.state.violation(f"{method} {path}: OAuth 1.0a header: {exc}")
            entry["violation"] = True
            return api.FAULT_ANSWERS["401"]
        errors = fake.validator.request_errors(method, path, query, headers, body)
        if errors:
            for error in errors:
                fake.state.violation(f"{method} {path}: {error}")
            entry["violation"] = True
            return api.invalid("; ".join(errors))
        if fake.state.nonce_seen(oauth["oauth_timestamp"], oauth["oauth_nonce"]):
            fake.state.violation(f"{method} {path}: OAuth nonce used twice (a replayed request)")
            return api.FAULT_ANSWERS["401"]
        url = f"http://{headers.get('Host', '')}{path}"
        if not signature_valid(
            fake.credentials, method=method, url=url, query=query, headers=headers, body=body
        ):
            fake.state.auth_failures.append(f"{method} {path}")
            return api.FAULT_ANSWERS["401"]
        return None

    def _fault(self, action: str, now: float, rate: dict[str, str]) -> api.Answer:
        state = self.fake.state
        if action == "429":
            status, extra, payload = api.FAULT_ANSWERS["429"]
            reset = {
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(now + state.reset_in)),
            }
            return status, {**extra, **rate, **reset}, payload
        if action == "429_daily":
            status, extra, payload = api.FAULT_ANSWERS["429"]
            limits = {
                "x-user-limit-24hour-limit": str(state.user_limit_24h),
                "x-user-limit-24hour-remaining": "0",
                "x-user-limit-24hour-reset": str(int(now + state.reset_in)),
            }
            return status, {**extra, **rate, **limits}, payload
        status, extra, payload = api.FAULT_ANSWERS[action]
        return status, {**extra, **rate}, payload

    def _operate(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, now: float
    ) -> api.Answer:
        state = self.fake.state
        if method == "POST" and path == "/2/tweets":
            with state.lock:
                answer, _post = api.create_post(state, json.loads(body or b"{}"), now)
            return answer
        if method == "POST" and path == "/2/media/upload":
            return api.upload(state, headers.get("Content-Type", ""), body)
        if method == "GET" and path == "/2/users/me":
            return api.me(state)
        match = _TIMELINE.match(path)
        if method == "GET" and match:
            return api.timeline(state, match.group(1), query)
        match = _TWEET.match(path)
        if method == "DELETE" and match:
            return api.delete_post(state, match.group(1))
        state.violation(f"{method} {path}: valid for X but not an endpoint the bot should use")
        return api.problem(404, "Not Found", "not served by the fake")

    # --- control ------------------------------------------------------------------

    def _control(self, method: str, path: str, query: str, body: bytes) -> None:
        state = self.fake.state
        args = parse_qs(query)
        with state.lock:
            if method == "GET" and path == "/_control/posts":
                posts = state.posts if args.get("all") else state.live_posts()
                self._send(200, {}, {"posts": [asdict(p) for p in posts]})
            elif method == "GET" and path == "/_control/requests":
                self._send(200, {}, {"requests": list(state.requests)})
            elif method == "GET" and path == "/_control/violations":
                self._send(200, {}, {"violations": list(state.violations)})
            elif method == "POST" and path == "/_control/faults":
                try:
                    state.set_plan(json.loads(body or b"{}"))
                except (ValueError, TypeError) as exc:
                    self._send(400, {}, {"error": str(exc)})
                    return
                self._send(200, {}, {"ok": True})
            elif method == "DELETE" and path == "/_control/faults":
                state.set_plan({"rules": [], "random": None})
                self._send(200, {}, {"ok": True})
            elif method == "POST" and path == "/_control/reset":
                state.reset()
                self._send(200, {}, {"ok": True})
            else:
                self._send(404, {}, {"error": f"no control endpoint {method} {path}"})


class FakeX(ServedFake):
    """The fake, served from a thread: ``start()`` / ``stop()`` or ``with FakeX() as fake``."""

    def __init__(
        self,
        *,
        credentials: Credentials = CREDENTIALS,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: Path | None = None,
        **limits: Any,
    ) -> None:
        self.credentials = credentials
        self.state = XState(state_file=state_file, **limits)
        self.validator = SpecValidator(SPEC, reject_unknown_query=True)
        self.server = ThreadedServer(_Handler, self, host=host, port=port)
        #: set when stopping, so hanging requests wake up and finish
        self.stopping = self.server.stopping

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def base_url(self) -> str:
        return self.server.url

    # --- for tests ----------------------------------------------------------------

    def fail(
        self, action: str, *, method: str = "POST", path: str = "/2/tweets", times: int | None = 1
    ) -> None:
        """Answer the next ``times`` matching requests with ``action`` (None: all of them)."""
        rules = [{"action": action, "method": method, "path": path, "times": times}]
        with self.state.lock:
            current = [asdict(rule) for rule in self.state.rules]
            self.state.set_plan({"rules": current + rules})

    def plan(self, plan: dict[str, Any]) -> None:
        self.state.set_plan(plan)

    def posts(self, *, include_deleted: bool = False) -> list[StoredPost]:
        with self.state.lock:
            return list(self.state.posts) if include_deleted else self.state.live_posts()

    @property
    def violations(self) -> list[str]:
        with self.state.lock:
            return list(self.state.violations)

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        with self.state.lock:
            return [
                r
                for r in self.state.requests
                if (method is None or r["method"] == method) and (path is None or r["path"] == path)
            ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A fake X API v2 on loopback.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-file", type=Path)
    parser.add_argument("--port-file", type=Path, help="write the port here once listening")
    parser.add_argument("--plan", help="a fault plan as JSON (see the module docstring)")
    parser.add_argument("--user-limit-24h", type=int, default=100)
    parser.add_argument("--hang-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    fake = FakeX(
        host=args.host,
        port=args.port,
        state_file=args.state_file,
        user_limit_24h=args.user_limit_24h,
        hang_seconds=args.hang_seconds,
    )
    if args.plan:
        fake.plan(json.loads(args.plan))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    fake.start()
    if args.port_file:
        args.port_file.write_text(str(fake.port), encoding="utf-8")
    sys.stdout.write(json.dumps({"port": fake.port, "base_url": fake.base_url}) + "\n")
    sys.stdout.flush()
    done.wait()
    fake.stop()
    fake.state.save()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
