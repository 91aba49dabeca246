"""The HTTP client for content fetches: the egress policy at connect, one deadline per request.

httpx resolves and connects inside httpcore's network backend, so the policy sits there:
the host is resolved once, every address is checked, and the connection goes to a checked
address (never to a name resolved again). Redirects open their connections through the
same backend, so each hop is checked too.

``NEWSBOT_FETCH_TIMEOUT`` is the whole request's deadline (connect, TLS, headers, body and
redirects), not a bound on each read: every read and write gets what is left of it, so a
server that sends one byte a second is cut at the deadline.
"""

from __future__ import annotations

import ssl
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import httpcore
import httpx

from bot import __version__
from bot.egress import EgressPolicy

#: the monotonic time this thread's current request must be done by
_DEADLINE: ContextVar[float | None] = ContextVar("newsbot_fetch_deadline", default=None)


@contextmanager
def deadline_at(at: float) -> Iterator[float]:
    """Bound what runs inside by the monotonic time ``at`` (an earlier outer deadline stays)."""
    outer = _DEADLINE.get()
    at = at if outer is None else min(outer, at)
    token = _DEADLINE.set(at)
    try:
        yield at
    finally:
        _DEADLINE.reset(token)


def deadline(seconds: float) -> typing.ContextManager[float]:
    """Bound what runs inside by ``seconds`` from now."""
    return deadline_at(time.monotonic() + seconds)


def _budget(timeout: float | None, error: type[Exception]) -> float | None:
    """What a socket operation may wait: its own timeout, or less if the deadline is near."""
    at = _DEADLINE.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the fetch deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _budget(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _budget(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # the certificate is checked against the URL's host name, not the address
        budget = _budget(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, budget))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve once, check every address, connect to a checked one."""

    def __init__(self, policy: EgressPolicy, inner: httpcore.NetworkBackend | None = None):
        self.policy = policy
        self.inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.policy.addresses(host, port)  # raises EgressRefused
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = self.inner.connect_tcp(
                    address,
                    port,
                    timeout=_budget(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                failure = exc
                continue
            return _DeadlineStream(stream)
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("content fetches use no unix sockets")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _DeadlineBody(httpx.SyncByteStream):
    """A response body read under the deadline of the request that asked for it."""

    def __init__(self, inner: httpx.SyncByteStream, at: float) -> None:
        self._inner = inner
        self._at = at

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._inner)
        while True:
            with deadline_at(self._at):
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        self._inner.close()


class EgressTransport(httpx.HTTPTransport):
    """httpx's own transport over the guarded backend; http and https URLs only."""

    def __init__(self, policy: EgressPolicy, seconds: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.policy = policy
        self.seconds = seconds
        limits = httpx.Limits()
        # httpx takes no network backend, so its pool is built again with one
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.policy.check_url(str(request.url))  # raises EgressRefused
        with deadline(self.seconds) as at:
            response = super().handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _DeadlineBody(response.stream, at)
        return response


class ContentClient(httpx.Client):
    """One deadline for a request and every redirect it follows, body included."""

    def __init__(self, seconds: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deadline_seconds = seconds

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        with deadline(self.deadline_seconds) as at:
            response = super().send(request, **kwargs)
        if not response.is_closed and isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _DeadlineBody(response.stream, at)
        return response


def content_client(
    policy: EgressPolicy,
    *,
    timeout: timedelta | float = 15.0,
    user_agent: str = f"newsbot/{__version__}",
) -> httpx.Client:
    """The client for URLs from content or users (feeds, pages, images, pushed URLs)."""
    seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
    return ContentClient(
        seconds,
        timeout=httpx.Timeout(seconds, connect=min(seconds, 5.0)),
        headers={"User-Agent": user_agent},
        follow_redirects=True,
        max_redirects=5,
        transport=EgressTransport(policy, seconds),
    )
