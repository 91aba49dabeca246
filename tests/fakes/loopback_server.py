"""A threaded HTTP server on 127.0.0.1 that hands each request to a plain function.

The fakes are real servers so the bot's real socket code runs: a timeout is a real
timeout, a dropped connection is a real closed socket. The function returns a ``Reply``;
``drop=True`` closes the connection without answering (after whatever the fake already
stored), which is how "the platform stored it, then the connection died" looks on the wire.

``ThreadedServer`` is the plumbing underneath (a threaded server, its port, start and stop)
for a fake that needs its own ``BaseHTTPRequestHandler`` (streaming, no keep-alive).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Exchange:
    """One request as the fake sees it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def arg(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: close the socket without answering
    drop: bool = False

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if self.body is None:
            return b"", "application/json"
        return json.dumps(self.body).encode(), "application/json"


App = Callable[[Exchange], Reply]


class QuietHandler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fakes keep their own request log."""


class _Handler(QuietHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the bot's client expects
    disable_nagle_algorithm = True  # headers and body go out as two writes

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        exchange = Exchange(
            method=self.command,
            path=parts.path,
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers=dict(self.headers.items()),
            body=body,
        )
        reply = self.server.owner(exchange)
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload, content_type = reply.encoded()
        try:
            self.send_response(reply.status)
            headers = {"Content-Type": content_type, **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client gave up (it timed out); nothing to do

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: what the handlers serve: the ``App`` of a ``LoopbackServer``, or a fake's own object
    owner: Any


class ThreadedServer:
    """Serve ``handler`` (a ``BaseHTTPRequestHandler``) from a thread; ``port=0`` picks a
    free port. The handler reaches ``owner`` as ``self.server.owner``."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        owner: Any = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._server = _Server((host, port), handler)
        self._server.owner = owner
        self._thread: threading.Thread | None = None
        #: set when stopping, so hanging handlers wake up and finish
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class LoopbackServer(ThreadedServer):
    """Serve ``app`` on 127.0.0.1; ``port=0`` picks a free port."""

    def __init__(self, app: App, port: int = 0) -> None:
        super().__init__(_Handler, app, port=port)


class ServedFake:
    """What every fake served by a ``ThreadedServer`` offers: its URL, ``start()``/``stop()``
    and ``with fake:``. The fake sets ``self.server``."""

    server: ThreadedServer

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
