"""A TCP proxy on loopback that makes chosen requests slow: a slow platform, for real.

Put in front of a fake server, it holds either the *answer* (the platform stored the
post at once but takes long to say so) or the *request* (it reaches the platform late;
if the client has hung up meanwhile it never arrives) of every request whose first line
starts with one of ``prefixes``. Everything else passes through untouched.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from types import TracebackType
from urllib.parse import urlsplit


class SlowProxy:
    def __init__(
        self, upstream: str, delay: float, prefixes: tuple[bytes, ...], hold: str = "answer"
    ) -> None:
        if hold not in ("answer", "request"):
            raise ValueError("hold is 'answer' or 'request'")
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.delay = delay
        self.prefixes = prefixes
        self.hold = hold
        #: set when a slow request arrived (the test's cue that a send is in flight)
        self.seen = threading.Event()
        self.slowed = 0
        self.dropped = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._thread = threading.Thread(target=self._accept, daemon=True, name="slow-proxy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> SlowProxy:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _hold(self, client: socket.socket, data: bytes) -> bytes | None:
        """Keep the request (and whatever follows it) for ``delay`` seconds; None if the
        client hung up meanwhile."""
        deadline = time.monotonic() + self.delay
        while (left := deadline - time.monotonic()) > 0 and not self._stop.is_set():
            readable, _, _ = select.select([client], [], [], min(left, 0.1))
            if readable:
                try:
                    more = client.recv(65536)
                except OSError:
                    return None
                if not more:
                    return None
                data += more
        return data

    def _serve(self, client: socket.socket) -> None:
        with contextlib.ExitStack() as stack:
            stack.enter_context(client)
            try:
                upstream = stack.enter_context(socket.create_connection(self.upstream, 5))
            except OSError:
                return
            slow_answer = False
            sockets = [client, upstream]
            while not self._stop.is_set():
                readable, _, _ = select.select(sockets, [], [], 0.2)
                for sock in readable:
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    if sock is client:
                        slow = data.startswith(self.prefixes)
                        if slow:
                            self.slowed += 1
                            self.seen.set()
                        if slow and self.hold == "request":
                            held = self._hold(client, data)
                            if held is None:
                                self.dropped += 1  # the client gave up: it never arrives
                                return
                            data = held
                        upstream.sendall(data)
                        # the body may follow the headers in another packet: keep the mark
                        slow_answer = slow_answer or (slow and self.hold == "answer")
                    else:
                        if slow_answer:
                            self._stop.wait(self.delay)
                            slow_answer = False
                        try:
                            client.sendall(data)
                        except OSError:
                            return
