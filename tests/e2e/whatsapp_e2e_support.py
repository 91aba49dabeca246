"""Shared by the WhatsApp end-to-end tests: a feed of fresh articles and the CLI wired to WAHA."""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit
from bot.store.db import make_engine
from bot.store.models import Post
from tests.conftest import Cli, jsonl

CHAT = "120363400000000042@newsletter"
KEY = "waha-e2e-key-5be1c07d-secret"

_FILLER = (
    "The council met on Tuesday evening in the old town hall, where residents filled every "
    "seat and stood along the walls to hear the debate. Officials presented figures on roads, "
    "schools, libraries and the harbour, and answered questions for more than two hours. "
)


@dataclass(frozen=True)
class Item:
    slug: str
    title: str
    quote: str = "We will not raise taxes this year, and not the next one either"
    speaker: str = "Mayor Ana Ruiz"
    image: bool = False


def feed(base: str, items: list[Item]) -> bytes:
    """RSS 2.0 with full text (no page fetch needed), dated an hour ago, one quote each."""
    now = datetime.now(UTC)
    parts = []
    for n, item in enumerate(items):
        body = (
            f"<p>{_FILLER * 3}</p><p>“{item.quote},” said {item.speaker}, after the vote.</p>"
            f"<p>{_FILLER * 2}</p>"
        )
        enclosure = (
            f'<enclosure url="{base}/img/{item.slug}.jpg" type="image/jpeg" length="2048"/>'
            if item.image
            else ""
        )
        parts.append(
            f"<item><title>{escape(item.title)}</title><link>{base}/news/{item.slug}</link>"
            f"<guid>{base}/news/{item.slug}</guid>"
            f"<pubDate>{format_datetime(now - timedelta(minutes=30 + n))}</pubDate>"
            f"<description>{escape(item.title)}</description>"
            f"<content:encoded>{escape(body)}</content:encoded>{enclosure}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Daily Desk</title><link>{base}/</link><description>news</description>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def waha_env(url: str, **extra: str) -> dict[str, str]:
    return {
        "NEWSBOT_CHANNELS": "whatsapp",
        "NEWSBOT_FETCH_PAGES": "never",
        "NEWSBOT_WHATSAPP__BACKEND": "waha",
        "NEWSBOT_WHATSAPP__WAHA_URL": url,
        "NEWSBOT_WHATSAPP__WAHA_API_KEY": KEY,
        "NEWSBOT_WHATSAPP__CHANNEL_ID": CHAT,
        "NEWSBOT_WHATSAPP__TIMEOUT": "1s",
        "NEWSBOT_WHATSAPP__SESSION_RECHECK": "1s",
        "NEWSBOT_BACKOFF_BASE": "1s",
        **extra,
    }


def with_env(cli: Cli, env: dict[str, str]) -> Cli:
    return Cli(cli.cwd, {**cli.env, **env})


def drafts(cli: Cli, state: str | None = None) -> list[dict[str, Any]]:
    args = ["drafts", "list", "--json"] + (["--state", state] if state else [])
    return jsonl(cli.ok(*args).stdout)


def post_log(cli: Cli, post_id: int) -> list[dict[str, Any]]:
    return jsonl(cli.ok("log", "--post", str(post_id), "--json").stdout)


def posts(cli: Cli) -> dict[int, dict[str, Any]]:
    """The posts as stored, read straight from the database the CLI uses (no extra process)."""
    engine = make_engine(cli.env["NEWSBOT_DATABASE_URL"])
    try:
        with Session(engine) as session:
            return {
                p.id: {
                    "id": p.id, "state": p.state, "text": p.text, "error": p.error,
                    "attempts": p.attempts, "remote_id": p.remote_id,
                    "waiting_reason": p.waiting_reason, "channel_data": p.channel_data,
                    "key_quote": p.key_quote,
                }
                for p in session.scalars(select(Post).order_by(Post.id))
            }  # fmt: skip
    finally:
        engine.dispose()


def actions(cli: Cli, post_id: int) -> list[tuple[str, dict[str, Any]]]:
    engine = make_engine(cli.env["NEWSBOT_DATABASE_URL"])
    try:
        with Session(engine) as session:
            return [(e.action, e.detail) for e in audit.query(session, post_id=post_id)]
    finally:
        engine.dispose()


def database_dump(url: str) -> str:
    """Every row of every table, as text: to look for things that must never be stored."""
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return "\n".join(db.iterdump())


def marker_spans(line: str, marker: str) -> list[tuple[int, int]]:
    """Where WhatsApp would format ``marker`` spans (``*bold*``, ``_italic_``) in one line.

    WhatsApp's rule, as its help describes and clients behave: an opening marker follows the
    line start, a space or punctuation and precedes a non-space; a closing marker follows a
    non-space and precedes the line end, a space or punctuation. The invisible joiners the
    editorial step puts around article markers (U+2060, a format character) are neither.
    """

    def boundary(ch: str | None) -> bool:
        return ch is None or ch.isspace() or unicodedata.category(ch).startswith("P")

    spans, i = [], 0
    while i < len(line):
        before = line[i - 1] if i else None
        after = line[i + 1] if i + 1 < len(line) else None
        opens = (
            line[i] == marker
            and boundary(before)
            and after is not None
            and not after.isspace()
            and after != marker
        )
        if opens:
            for j in range(i + 2, len(line)):
                nxt = line[j + 1] if j + 1 < len(line) else None
                if line[j] == marker and not line[j - 1].isspace() and boundary(nxt):
                    spans.append((i, j))
                    i = j
                    break
        i += 1
    return spans


def visible(text: str) -> str:
    """The text a reader sees: without the invisible joiners the editorial step adds."""
    return text.replace("\u2060", "").replace("\u2063", "")


def store_path(cli: Cli) -> Path:
    return Path(cli.env["NEWSBOT_DATABASE_URL"].removeprefix("sqlite:///"))
