"""A raw HTTP/1.1 client on a socket, for what httpx will not do: send a body slowly or with
a length it does not have, and stop the moment the server answers."""

from __future__ import annotations

import contextlib
import select
import socket
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    #: body bytes the client had sent when the answer arrived
    sent: int


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest


def post(
    port: int,
    path: str,
    chunks: Iterable[bytes],
    *,
    headers: dict[str, str] | None = None,
    chunked: bool = False,
    timeout: float = 60,
) -> Answer:
    """POST ``chunks``; stops sending as soon as an answer can be read."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if chunked:
            head.append("Transfer-Encoding: chunked")
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        sent = 0
        finished = True
        for chunk in chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:  # the server answered before the whole body was sent
                finished = False
                break
            framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
            try:
                sock.sendall(framed)
            except (BrokenPipeError, ConnectionResetError):
                finished = False
                break
            sent += len(chunk)
        if finished and chunked:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(b"0\r\n\r\n")
        status, answer_headers, body = _read_answer(sock)
        return Answer(status, answer_headers, body, sent)
    finally:
        sock.close()


def answer_without_body(
    port: int, path: str, headers: dict[str, str], wait: float = 5
) -> int | None:
    """Send only the head of a request that announces a body; the status if the server
    answers within ``wait`` seconds without the body, else None."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=wait + 5)
    try:
        head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        readable, _, _ = select.select([sock], [], [], wait)
        if not readable:
            return None
        return _read_answer(sock)[0]
    finally:
        sock.close()
