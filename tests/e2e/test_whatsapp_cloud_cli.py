"""The Cloud API route end to end: `newsbot web` takes webhooks, `newsbot publish` fans out."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Cli
from tests.e2e.whatsapp_e2e_support import Item, actions, database_dump, feed, posts, with_env
from tests.fakes.fake_cloud import PHONE_ID, FakeCloud, post_webhook, running_cloud
from tests.fakes.feed_server import FeedServer, Route
from tests.ops import free_port

pytestmark = pytest.mark.e2e

TOKEN = "EAAe2e-cloud-token-0c9d"
APP_SECRET = "e2e-app-secret-51f0"
READER = "15551230001"


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    yield from running_cloud(TOKEN)


@pytest.fixture
def desk(sqlite_cli: Cli, cloud: FakeCloud) -> Cli:
    return with_env(
        sqlite_cli,
        {
            "NEWSBOT_CHANNELS": "whatsapp",
            "NEWSBOT_FETCH_PAGES": "never",
            "NEWSBOT_WHATSAPP__BACKEND": "cloud",
            "NEWSBOT_WHATSAPP__CLOUD_BASE_URL": cloud.url,
            "NEWSBOT_WHATSAPP__CLOUD_TOKEN": TOKEN,
            "NEWSBOT_WHATSAPP__CLOUD_PHONE_ID": PHONE_ID,
            "NEWSBOT_WHATSAPP__CLOUD_APP_SECRET": APP_SECRET,
            "NEWSBOT_WHATSAPP__CLOUD_VERIFY_TOKEN": "e2e-verify",
            "NEWSBOT_WEB__HOST": "127.0.0.1",
            "NEWSBOT_WEB__PORT": str(free_port()),
        },
    )


@pytest.fixture
def web(desk: Cli) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"], cwd=desk.cwd, env=desk.env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{desk.env['NEWSBOT_WEB__PORT']}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"newsbot web did not start: {process.communicate()[1][-2000:]}")
        time.sleep(0.2)
    yield base + "/webhooks/whatsapp"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert APP_SECRET not in err and TOKEN not in err


def subscribers(desk: Cli) -> list[str]:
    dump = database_dump(desk.env["NEWSBOT_DATABASE_URL"])
    return [line for line in dump.splitlines() if 'INTO "subscribers"' in line]


def test_webhooks_and_fan_out_through_the_real_commands(
    desk: Cli, web: str, cloud: FakeCloud, tmp_path: object
) -> None:
    # a reader opts in by writing START to the newsroom's number
    assert (
        post_webhook(web, cloud.inbound_webhook(READER, text="START"), APP_SECRET).status_code
        == 200
    )
    opted_in = subscribers(desk)
    assert len(opted_in) == 1 and READER in opted_in[0]

    # a STOP with a bad signature, or none, is refused with 401 and changes nothing
    forged = cloud.inbound_webhook(READER, text="STOP")
    assert post_webhook(web, forged, "not-the-app-secret").status_code == 401
    assert post_webhook(web, forged, None).status_code == 401
    assert subscribers(desk) == opted_in

    # an approved post goes out as the template, once, to the reader
    feeds = FeedServer().start()
    try:
        feeds.routes["/feed.rss"] = Route(
            feed(feeds.url(""), [Item("budget", "Council approves budget")])
        )
        desk.ok(
            "poll",
            "--once",
            env={"NEWSBOT_FEEDS": feeds.url("/feed.rss"), "NEWSBOT_APPROVAL": "auto"},
        )
    finally:
        feeds.stop()
    assert "published 1" in desk.ok("publish", "--once").stdout
    [message] = cloud.messages()
    assert message["to"] == READER
    assert message["params"][0] == "Council approves budget"
    [post] = posts(desk).values()
    quote = post["key_quote"]  # the editorial step's choice, passed on word for word
    assert quote["text"].startswith("We will not raise taxes this year")
    assert message["params"][1] == f"“{quote['text']}” — {quote['speaker']}"
    assert message["params"][2].endswith("/news/budget")
    assert post["state"] == "published"

    # Meta reports delivery: the send row moves on and the audit says so
    assert post_webhook(web, cloud.statuses_for("delivered"), APP_SECRET).status_code == 200
    delivery = [d for a, d in actions(desk, post["id"]) if a == "delivery"]
    assert delivery and delivery[0]["statuses"][0]["status"] == "delivered"

    # the genuine STOP opts the reader out
    assert post_webhook(web, forged, APP_SECRET).status_code == 200
    assert subscribers(desk) != opted_in
    check = desk("check")
    assert check.returncode == 0, check.stdout
    assert "0 opted-in subscribers" in check.stdout
