"""Telling a request that a dying client cut short from a malformed one.

A client killed in the middle of a request (the chaos test kills workers with -9) leaves
the server half a request: headers without their end, or fewer body bytes than its
Content-Length. Parsed as it stands, that looks like a request missing its body or its
OAuth header — a spec violation the client never made. The stream below notes whether
the connection ended before the request did, so a fake can treat it as the dropped
connection it is. A complete request never hits the end of the stream while it is read:
its header block ends with an empty line and its body is exactly Content-Length long.
"""

from __future__ import annotations

from typing import BinaryIO


class WatchedStream:
    """A request handler's ``rfile`` that remembers if a read ran into the end of the stream."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        #: the connection ended in the middle of the request being read
        self.cut = False

    def readline(self, limit: int = -1) -> bytes:
        line = self.raw.readline(limit)
        full = 0 <= limit <= len(line)  # too long a line: the server refuses it as such
        if not line.endswith(b"\n") and not full:
            self.cut = True
        return line

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if size > 0 and len(data) < size:
            self.cut = True
        return data

    def close(self) -> None:
        self.raw.close()
