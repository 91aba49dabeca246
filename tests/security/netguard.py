"""Every socket connection the code under test attempts, seen through Python's audit hook.

Tests here aim the bot at private and metadata addresses; they must be refused before any
packet leaves. While ``watching()`` is on, each ``socket.connect`` is recorded and one to
a non-loopback address is stopped (it raises) before the connection is made, so a
regression fails the test instead of reaching the network.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
#: how many ``watching()`` blocks are open
_open = [0]
attempts: list[str] = []


class NonLoopbackConnect(RuntimeError):
    """The code under test tried to connect outside loopback."""


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "socket.connect" or not _open[0]:
        return
    sock, address = args
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = str(address[0]).split("%", 1)[0]
    with _lock:
        attempts.append(host)
    if not ipaddress.ip_address(host).is_loopback:
        raise NonLoopbackConnect(f"connect to {host} attempted")


sys.addaudithook(_hook)


@contextmanager
def watching() -> Iterator[list[str]]:
    """Record connection attempts (hosts) made inside; stop any to a non-loopback address."""
    with _lock:
        _open[0] += 1
        attempts.clear()
    try:
        yield attempts
    finally:
        with _lock:
            _open[0] -= 1
