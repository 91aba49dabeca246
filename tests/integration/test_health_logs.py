"""Log lines carry what they are about: request_id for web requests; post_id, article_id and
channel for whatever a channel logs while it sends."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from bot import logging as bot_logging
from bot.channels.base import OutgoingPost, Receipt
from bot.clock import FixedClock
from bot.errors import PermanentError
from bot.outbox.engine import Outbox, OutboxConfig
from bot.runtime import Runtime
from bot.store.models import Post
from bot.web.app import create_app
from tests.conftest import make_settings, pg_database_url
from tests.fakes.scripted_channel import ScriptedChannel
from tests.ops import serving
from tests.posts import make_posts


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    bot_logging.configure("debug", "json", stream=stream)
    yield stream
    structlog.contextvars.clear_contextvars()


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


class ChattyChannel(ScriptedChannel):
    """Logs while it sends, as a real channel logs its HTTP exchange."""

    def publish(self, post: OutgoingPost) -> Receipt:
        structlog.get_logger("bot.channels.chatty").info("channel.sending", size=len(post.text))
        return super().publish(post)


def test_what_a_channel_logs_while_sending_names_the_post(
    runtime: Runtime, clock: FixedClock, log_lines: io.StringIO
) -> None:
    ids = make_posts(runtime, clock, 2)
    channel = ChattyChannel("x", [None, PermanentError("HTTP 401")])
    outbox = Outbox(runtime.sessions, {"x": channel}, clock, OutboxConfig(), "w", random.Random())
    assert outbox.drain() == {"published": 1, "failed": 1}
    structlog.get_logger("t").info("after.the.round")
    found = lines(log_lines)
    with runtime.sessions() as session:
        articles = [session.get_one(Post, i).article_id for i in ids]
    sending = [line for line in found if line["event"] == "channel.sending"]
    assert [(s["post_id"], s["article_id"], s["channel"]) for s in sending] == [
        (ids[0], articles[0], "x"),
        (ids[1], articles[1], "x"),
    ]
    failed = next(line for line in found if line["event"] == "post.failed")
    assert (failed["post_id"], failed["level"], failed["action"]) == (ids[1], "error", "failed")
    after = next(line for line in found if line["event"] == "after.the.round")
    assert "post_id" not in after  # the context ends with the send


@pytest.mark.pg
def test_web_request_lines_carry_the_request_id(tmp_path: Path, log_lines: io.StringIO) -> None:
    # a database that does not exist: /metrics logs its trouble from inside the request
    url = pg_database_url("newsbot_no_such_database")
    runtime = Runtime(make_settings(url, tmp_path))
    try:
        with serving(create_app(runtime)) as client:
            answer = client.get("/metrics", headers={"X-Request-ID": "probe-42"})
            client.get("/signin")  # the sign-in page fails without a database: 500, still logged
    finally:
        runtime.close()
    assert answer.status_code == 200 and answer.headers["X-Request-ID"] == "probe-42"
    assert "newsbot_database_up 0.0" in answer.text
    found = lines(log_lines)
    trouble = next(line for line in found if line["event"] == "metrics.database_failed")
    assert trouble["request_id"] == "probe-42"
    request = next(
        line for line in found if line["event"] == "http.request" and line["path"] == "/metrics"
    )
    assert (request["request_id"], request["status"], request["method"]) == ("probe-42", 200, "GET")
    page = next(
        line for line in found if line["event"] == "http.request" and line["path"] == "/signin"
    )
    assert page["status"] == 500 and page["level"] == "info" and len(page["request_id"]) == 32
