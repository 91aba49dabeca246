"""`newsbot run` tells the webhook when a source keeps failing, once, and when it is back."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.fakes.feed_server import FeedServer, Route
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.feeds import guardian_feed
from tests.ops import Process, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_failing_source_alerts_the_webhook(cli: Cli, tmp_path: Path) -> None:
    feeds = FeedServer().start()
    receiver = WebhookReceiver().start()
    feeds.routes["/feed.rss"] = Route(b"<html>maintenance</html>", status=503)
    env = {
        **cli.env,
        "NEWSBOT_WEB__PORT": str(free_port()),
        "NEWSBOT_FEEDS": feeds.url("/feed.rss"),
        "NEWSBOT_POLL_INTERVAL": "0.5s",
        "NEWSBOT_ALERTS__WEBHOOK_URL": receiver.url,
        "NEWSBOT_ALERTS__SOURCE_FAILURES": "2",
    }
    run = Process(["run"], cli.cwd, env, tmp_path / "run.log")
    try:
        [failing] = receiver.wait_for(1, timeout=60)
        assert failing["kind"] == "source_failing"
        assert failing["url"] == feeds.url("/feed.rss") and failing["failures_in_row"] == 2
        assert "503" in failing["error"]
        polls = feeds.count("/feed.rss")
        deadline = time.monotonic() + 30
        while feeds.count("/feed.rss") < polls + 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert feeds.count("/feed.rss") >= polls + 3  # it kept failing...
        assert receiver.kinds() == ["source_failing"]  # ...and nobody was told again
        feeds.routes["/feed.rss"] = Route(guardian_feed(datetime.now(UTC), fresh=0))
        recovered = receiver.wait_for(2, timeout=30)[1]
        assert recovered["kind"] == "source_recovered"
    finally:
        code = run.stop()
        feeds.stop()
        receiver.stop()
    assert code == 0
    sent = [line for line in run.lines() if line["event"] == "alert.sent"]
    assert [line["alert"] for line in sent] == ["source_failing", "source_recovered"]
    assert receiver.url not in run.log.read_text()  # the webhook URL may carry a token
