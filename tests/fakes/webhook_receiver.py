"""A loopback webhook receiver: stores every JSON body it is sent; can fail or hang."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback_server import QuietHandler, ThreadedServer


class _Handler(QuietHandler):
    def do_POST(self) -> None:
        fake: WebhookReceiver = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if fake.delay:
            time.sleep(fake.delay)
        if self.path == fake.path and fake.status < 300:
            with fake.arrived:
                fake.received.append(json.loads(body))
                fake.headers.append(dict(self.headers.items()))
                fake.arrived.notify_all()
        self.send_response(fake.status if self.path == fake.path else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@dataclass
class WebhookReceiver:
    path: str = "/hooks/newsbot"
    status: int = 200
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    server: ThreadedServer | None = None
    arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url + self.path

    def kinds(self) -> list[str]:
        return [m["kind"] for m in self.received]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
        return list(self.received)

    def start(self) -> WebhookReceiver:
        self.server = ThreadedServer(_Handler, self)
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
