"""A loopback HTTP server that serves feeds the way real sites do (ETag, Last-Modified, 304),
and misbehaves on request: 404, hangs, HTML, truncated XML, huge bodies, entity bombs."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from tests.fakes.loopback_server import QuietHandler, ThreadedServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    conditional: bool = True  # answer 304 to a matching If-None-Match
    delay: float = 0.0
    stream_bytes: int = 0  # serve this many bytes of junk, without a Content-Length
    location: str | None = None  # a redirect's target (with a 3xx status)
    trickle: float = 0.0  # send the body one byte every this many seconds


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        fake: FeedServer = self.server.owner
        fake.requests.append((self.path, dict(self.headers.items())))
        route = fake.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if route.delay:
            time.sleep(route.delay)
        if route.stream_bytes:
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.end_headers()
            chunk = b"<" * 65536
            sent = 0
            try:
                while sent < route.stream_bytes:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
        if route.conditional and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(route.body)))
        if route.location:
            self.send_header("Location", route.location)
        if route.conditional:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")
        self.end_headers()
        if route.trickle:
            self._trickle(route, fake)
            return
        self.wfile.write(route.body)

    def _trickle(self, route: Route, fake: FeedServer) -> None:
        try:
            for byte in route.body:
                if fake.server is not None and fake.server.stopping.is_set():
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(route.trickle)
        except (BrokenPipeError, ConnectionResetError):
            fake.cut.append(self.path)


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    server: ThreadedServer | None = None
    #: the loopback address to listen on (127.0.0.0/8 is all loopback on Linux)
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    #: paths whose trickled body the client stopped reading
    cut: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://{self.host}:{self.server.port}{path}"

    def count(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def start(self) -> FeedServer:
        self.server = ThreadedServer(_Handler, self, host=self.host, port=self.port)
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
