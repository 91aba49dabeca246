"""The dashboard in a real browser (Debian's Chromium through Playwright) against the real
`newsbot run`: sign in, open a draft, type until the counter turns red, fix it, approve,
see it published on the dry-run channel, find it in the audit log."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.channels.x.text import x_length
from tests.conftest import Cli, cli_env, migrated
from tests.fakes.feed_server import FeedServer, Route
from tests.feeds import guardian_feed
from tests.ops import free_port
from tests.paths import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[str, Path, Cli]]:
    """`newsbot run` on a free port, its SQLite database seeded through the CLI."""
    feeds = FeedServer().start()
    feeds.routes["/feed.rss"] = Route(guardian_feed(datetime.now(UTC), fresh=3))
    url = migrated(f"sqlite:///{tmp_path / 'desk.db'}")
    port = free_port()
    work = tmp_path / "cwd"
    work.mkdir()
    env = cli_env(
        url,
        tmp_path / "data",
        NEWSBOT_WEB__PORT=str(port),
        NEWSBOT_FETCH_PAGES="never",
        NEWSBOT_POLL_INTERVAL="1h",
        NEWSBOT_PUBLISH_INTERVAL="1s",
    )
    cli = Cli(work, env)
    cli.ok("sources", "add", feeds.url("/feed.rss"))
    cli.ok("poll", "--once")
    cli.ok("users", "add", "maria", "--role", "editor", input="correct horse battery\n")
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "run.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # a cap, not a wait: it returns on the first answer; on a loaded machine the start
        # alone took longer than 30 s
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("newsbot run did not start:\n" + (tmp_path / "run.log").read_text())
        yield base, tmp_path / "data", cli
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        feeds.stop()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium (scripts/test-prereqs.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # a fresh profile per test; never a browser download: Debian's Chromium
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=LAUNCH_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def test_edit_approve_publish_audit(desk: tuple[str, Path, Cli], page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    base, data, _cli = desk
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # no page without signing in
    page.goto(base + "/")
    expect(page).to_have_url(base + "/signin")
    page.fill('input[name="name"]', "maria")
    page.fill('input[name="password"]', "correct horse battery")
    page.click('button[type="submit"]')
    expect(page.locator("h1")).to_contain_text("Queue")
    cards = page.locator("article.card")
    expect(cards).to_have_count(3)
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)

    # open the first X draft
    first_x = page.locator('section.post[data-channel="x"]').first
    post_id = int(first_x.get_attribute("data-post") or "0")
    first_x.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(f"{base}/posts/{post_id}")
    text = page.locator("textarea#text")
    counter = page.locator("#live-preview [data-counter]")
    original = text.input_value()
    expect(counter).to_have_text(f"{x_length(original)}/280")

    # type until the counter turns red; the number is the server's x_length of the text
    text.click()
    page.keyboard.press("End")
    typed = 0
    while "over" not in (counter.get_attribute("class") or ""):
        page.keyboard.type(" more words 東京", delay=5)
        typed += 1
        assert typed < 40, "the counter never turned red"
        page.wait_for_timeout(250)
    expect(counter).not_to_have_class(re.compile(r"\bpending\b"))  # the last answer is in
    shown = int(counter.inner_text().split("/")[0])
    assert shown > 280
    assert shown == x_length(text.input_value())
    assert counter.evaluate("el => getComputedStyle(el).color") == "rgb(185, 28, 28)"
    page.screenshot(path=str(ARTIFACTS / "edit.png"), full_page=True)

    # fix it: a shorter text of our own
    fixed = original.split("\n")[0] + "\n\nEdited in the browser: 東京 ✅\n\nhttps://news.example/a"
    text.fill(fixed)
    expect(counter).to_have_text(f"{x_length(fixed)}/280")
    assert "over" not in (counter.get_attribute("class") or "")
    assert "Edited in the browser" in page.locator("#live-preview [data-preview-body]").inner_text()
    page.get_by_role("button", name="Save text").click()
    expect(page.locator(".flash")).to_contain_text(f"Saved post {post_id}")

    # approve now, and watch it go out on the dry-run channel
    page.get_by_role("button", name="Approve now").click()
    expect(page.locator(".flash")).to_contain_text(f"Post {post_id}: approved")
    page.goto(base + "/published")
    row = page.locator(f'tr[data-post="{post_id}"]')
    for _ in range(40):
        if row.count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(row).to_contain_text("published")
    sent = [json.loads(line) for line in (data / "dryrun.jsonl").read_text().splitlines()]
    assert [s["text"] for s in sent if s["post_id"] == post_id] == [fixed]

    # and in the audit log: drafted, edited (before/after), approved by maria, published
    page.goto(f"{base}/audit?post={post_id}")
    rows = page.locator("table.audit tbody tr")
    actions = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())]
    assert actions[::-1] == ["drafted", "edited", "approved", "claimed", "published"]
    edited = page.locator("tr", has_text="edited")
    expect(edited.locator("td").nth(1)).to_have_text("maria")
    edited.locator("summary").click()
    expect(edited.locator(".diff")).to_contain_text("Edited in the browser")
    assert (ARTIFACTS / "edit.png").stat().st_size > 10_000
