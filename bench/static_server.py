"""A static file server for the benchmarks, in its own process: HTTP/1.1 keep-alive,
Last-Modified and 304, and a listen backlog big enough for concurrent clients (the
standard library's default of 5 drops connections, which costs a 1 s SYN retry each)."""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


def main() -> None:
    folder, port = sys.argv[1], int(sys.argv[2])
    Server(("127.0.0.1", port), functools.partial(Handler, directory=folder)).serve_forever()


if __name__ == "__main__":
    main()
