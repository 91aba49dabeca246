"""No secret gets out: every secret setting set to a known value, the whole flow run through
the CLI and the web (failures included: X answers 401 to every call), then the logs, the
audit, the alerts and every page searched for the values."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import UnionType
from typing import Any, get_args
from urllib.parse import quote

import pytest
from pydantic import BaseModel, SecretStr

from bot.runtime import Runtime
from bot.settings import Settings
from tests.browser.webapp import make_token, make_user
from tests.conftest import PG_ADMIN_URL, Cli, cli_env, make_settings
from tests.fakes import fake_waha, fake_x
from tests.fakes.feed_server import FeedServer, Route
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.feeds import guardian_feed
from tests.ops import Process, free_port, get, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.pg, pytest.mark.slow]

CHANNEL_ID = "120363000000000001@newsletter"


def _is_secret(annotation: Any) -> bool:
    return (
        annotation is SecretStr
        or (isinstance(annotation, UnionType) and SecretStr in get_args(annotation))
        or SecretStr in get_args(annotation)
    )


def secret_settings() -> dict[str, str]:
    """NEWSBOT_… name → a known value, for every SecretStr field of Settings, nested too."""
    found: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        if _is_secret(field.annotation):
            found[f"NEWSBOT_{name.upper()}"] = f"S3cret-{name}-{uuid.uuid4().hex}"
        group = field.annotation if isinstance(field.annotation, type) else None
        if group is not None and issubclass(group, BaseModel):
            for sub, subfield in group.model_fields.items():
                if _is_secret(subfield.annotation):
                    env = f"NEWSBOT_{name.upper()}__{sub.upper()}"
                    found[env] = f"S3cret-{name}-{sub}-{uuid.uuid4().hex}"
    return found


@pytest.fixture
def pg_with_password(pg_template: str) -> Iterator[tuple[str, str]]:
    """A migrated PostgreSQL database whose URL carries a password (the server trusts
    loopback, so any password works — which is what lets the test know its value)."""
    from tests.conftest import drop_pg_database, new_pg_database

    name = new_pg_database(pg_template)
    password = f"Db-{uuid.uuid4().hex}"
    server = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgres@", f"postgres:{password}@")
    yield f"{server}/{name}", password
    drop_pg_database(name)


def admin_token(db_url: str, tmp_path: Path) -> str:
    rt = Runtime(make_settings(db_url, tmp_path / "token"))
    try:
        make_user(rt, "ops", "admin")
        return make_token(rt, "ops")
    finally:
        rt.close()


def test_no_secret_in_logs_audit_alerts_or_pages(
    pg_with_password: tuple[str, str], tmp_path: Path
) -> None:
    db_url, db_password = pg_with_password
    secrets = secret_settings()
    # every group that has secrets is covered, and the walk found them all
    assert {k.split("__")[0] for k in secrets if "__" in k} >= {
        "NEWSBOT_X",
        "NEWSBOT_WHATSAPP",
        "NEWSBOT_WEB",
    }
    assert len(secrets) >= 9
    receiver = WebhookReceiver(path=f"/hooks/T0KEN-{uuid.uuid4().hex}").start()
    feeds = FeedServer().start()
    feeds.routes["/feed.rss"] = Route(guardian_feed(datetime.now(UTC), fresh=2))
    waha_key = secrets["NEWSBOT_WHATSAPP__WAHA_API_KEY"]
    waha = fake_waha.FakeWaha(api_key=waha_key, channels=[fake_waha.channel(CHANNEL_ID)]).start()
    x = fake_x.FakeX().start()  # its own credentials: ours get X's 401 on every call
    user_password = f"Pw-{uuid.uuid4().hex}"
    values = [*secrets.values(), db_password, receiver.url, user_password]
    port = free_port()
    env = cli_env(db_url, tmp_path / "data")
    env.update(secrets)
    env.update(
        {
            "NEWSBOT_LOG_LEVEL": "debug",  # the most a log would ever show
            "NEWSBOT_X__BASE_URL": x.base_url,
            "NEWSBOT_WHATSAPP__BACKEND": "waha",
            "NEWSBOT_WHATSAPP__WAHA_URL": waha.url,
            "NEWSBOT_WHATSAPP__CHANNEL_ID": CHANNEL_ID,
            "NEWSBOT_ALERTS__WEBHOOK_URL": receiver.url,
            "NEWSBOT_WEB__PORT": str(port),
            "NEWSBOT_PUBLISH_INTERVAL": "1s",
        }
    )
    work = tmp_path / "cwd"
    work.mkdir()
    cli = Cli(work, env)
    seen: list[str] = []  # everything a person or a log collector could read

    def run(*args: str, ok: bool = True, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        result = cli.ok(*args, **kwargs) if ok else cli(*args, **kwargs)
        seen.extend((result.stdout, result.stderr))
        return result

    try:
        assert run("check", ok=False).returncode == 1  # X refuses our credentials
        run("users", "add", "maria", "--role", "editor", input=user_password + "\n")
        run("sources", "add", feeds.url("/feed.rss"))
        run("sources", "add", feeds.url("/gone.rss"))  # 404: a failing source
        run("poll", "--once")
        drafts = [json.loads(line) for line in run("drafts", "list", "--json").stdout.splitlines()]
        assert len(drafts) == 4
        for draft in drafts:
            run("drafts", "approve", str(draft["id"]))
        run("publish", "--once", ok=False)  # X posts fail for good: exit 1
        failed = [d for d in drafts if d["channel"] == "x"]
        run("drafts", "retry", str(failed[0]["id"]))
        run("publish", "--once", ok=False)
        for draft in drafts:
            run("drafts", "show", str(draft["id"]))
        run("drafts", "list", "--json")
        run("sources", "list", "--json")
        run("log", "--json")
        run("log")

        # the web: every page without parameters, probes, metrics, the webhook refusing
        server = Process(["run"], work, env, tmp_path / "run.log")
        try:
            wait_until(lambda: get(f"http://127.0.0.1:{port}/healthz")[0] == 200, timeout=30)
            paths = sorted(get_pages(db_url, tmp_path) | {"/", "/healthz", "/readyz", "/metrics"})
            pages = {}
            for path in [*paths, "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=no"]:
                status, headers, body = get(f"http://127.0.0.1:{port}{path}")
                pages[path] = status
                seen.extend((json.dumps(headers), body))
            assert pages["/readyz"] in (200, 503) and pages["/metrics"] == 200
            # the detail is an admin's (or a token's): searched too
            token = {"Authorization": f"Bearer {admin_token(db_url, tmp_path)}"}
            detailed = get(f"http://127.0.0.1:{port}/readyz", headers=token)[2]
            seen.append(detailed)
            assert json.loads(detailed)["channels"]["x"]["mode"] == "live"
        finally:
            assert server.stop() == 0
        seen.append(server.log.read_text())
    finally:
        feeds.stop()
        x.stop()
        waha.stop()
        receiver.stop()

    # the failures happened: X refused every post, WhatsApp carried its posts, alerts went out
    states = {(d["channel"], d["state"]) for d in map(json.loads, seen_lines(cli, "drafts"))}
    assert ("x", "failed") in states and ("whatsapp", "published") in states
    assert len(waha.messages()) == 2
    assert "post_failed" in receiver.kinds()
    seen.extend(json.dumps(m) for m in receiver.received)
    seen.extend(seen_lines(cli, "log"))

    text = "\n".join(seen)
    assert "401" in text  # the refusals are in there, so the search below reads real failures
    leaks = [
        value
        for value in values
        if value in text or quote(value, safe="") in text or quote(value) in text
    ]
    assert leaks == []


def seen_lines(cli: Cli, what: str) -> list[str]:
    args = ("drafts", "list", "--json") if what == "drafts" else ("log", "--json")
    return [line for line in cli.ok(*args).stdout.splitlines() if line.strip()]


def get_pages(db_url: str, tmp_path: Path) -> set[str]:
    """Every GET route of the web app that takes no parameter."""
    from starlette.routing import Route

    from bot.runtime import Runtime
    from bot.web.app import create_app

    runtime = Runtime(Settings(_env_file=None, database_url=db_url, data_dir=tmp_path / "x"))
    try:
        return {
            route.path
            for route in create_app(runtime).routes
            if isinstance(route, Route) and "GET" in (route.methods or ()) and "{" not in route.path
        }
    finally:
        runtime.close()
