"""A live desk for the end-to-end benchmarks: fake X and fake WAHA in their own processes,
a feed on loopback, and the real `newsbot run` against them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx

from tests.fakes.fake_waha_process import WahaProcess
from tests.fakes.fake_x_fixtures import X_ENV
from tests.fakes.fake_x_process import FakeXProcess
from tests.fakes.feed_server import FeedServer, Route
from tests.paths import REPO

CHAT = "120363400000000077@newsletter"
WAHA_KEY = "bench-waha-key"
FILLER = (
    "The council met on Tuesday evening in the old town hall, where residents filled every "
    "seat and stood along the walls to hear the debate about roads, schools and the harbour. "
) * 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def item_xml(base: str, slug: str, when: datetime) -> str:
    quote = "“We will open the new harbour in spring, on time and on budget,” said Mayor Ana Ruiz."
    body = f"<p>{FILLER}</p><p>{quote}</p>"
    return (
        f"<item><title>Harbour story {escape(slug)}</title><link>{base}/news/{slug}</link>"
        f"<guid>{base}/news/{slug}</guid><pubDate>{format_datetime(when)}</pubDate>"
        f"<description>Harbour story {escape(slug)}</description>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )


def feed_xml(items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Bench</title>'
        "<link>https://bench.example/</link>" + "".join(items) + "</channel></rss>"
    ).encode()


class LiveDesk:
    def __init__(self, extra_env: dict[str, str] | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="newsbot-live-"))
        self.x = FakeXProcess()
        self.x_url = self.x.url
        self.waha = WahaProcess.start(api_key=WAHA_KEY, channels=[f"{CHAT}:Bench:OWNER"])
        self.feeds = FeedServer().start()
        self.items: list[str] = []
        self.feeds.routes["/feed.rss"] = Route(feed_xml(self.items))
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        self.env.update(X_ENV)
        self.env.update(
            {
                "PYTHONPATH": str(REPO),
                "NEWSBOT_DATABASE_URL": f"sqlite:///{self.folder / 'bench.db'}",
                "NEWSBOT_DATA_DIR": str(self.folder / "data"),
                "NEWSBOT_X__BASE_URL": self.x_url,
                "NEWSBOT_WHATSAPP__WAHA_URL": self.waha.url,
                "NEWSBOT_WHATSAPP__WAHA_API_KEY": WAHA_KEY,
                "NEWSBOT_WHATSAPP__CHANNEL_ID": CHAT,
                "NEWSBOT_WEB__PORT": str(self.port),
                "NEWSBOT_APPROVAL": "auto",
                "NEWSBOT_LOG_LEVEL": "warning",
                **(extra_env or {}),
            }
        )
        subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            cwd=self.folder,
            env=self.env,
            check=True,
            capture_output=True,
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def newsbot(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            input=stdin,
            check=True,
        )
        return result.stdout

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=self.folder,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("newsbot run never became ready")

    def add_item(self, slug: str) -> str:
        """Publish a new item in the feed; returns its headline (X shows links as t.co)."""
        base = self.feeds.url("")
        self.items.insert(0, item_xml(base, slug, datetime.now(UTC)))
        self.feeds.routes["/feed.rss"] = Route(feed_xml(self.items))
        return f"Harbour story {slug}"

    def delivered(self, marker: str) -> tuple[bool, bool]:
        """Whether fake X and fake WAHA hold a post containing ``marker``."""
        on_x = any(marker in p.get("text", "") for p in self.x.posts())
        on_wa = any(marker in json.dumps(m) for m in self.waha.messages())
        return on_x, on_wa

    def wait_delivered(self, marker: str, timeout: float = 60) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if all(self.delivered(marker)):
                return time.perf_counter()
            time.sleep(0.02)
        raise RuntimeError(f"{marker} never reached both fakes")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.feeds.stop()
        self.waha.stop()
        self.x.stop()
