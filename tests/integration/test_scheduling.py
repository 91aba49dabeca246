"""Scheduling in the newsroom's time zone, through the real CLI, on the days clocks change.

`drafts approve ID --at TIME` reads TIME in NEWSBOT_TIMEZONE and stores UTC; the outbox
sends at that UTC instant, not a minute before; a post found more than
NEWSBOT_STALE_AFTER late (the worker was down all night) goes back to an editor.

The CLI refuses times in the past, so the days are the next transition days after today,
found from the tz database; the expected UTC times come from each zone's known offsets
(London GMT/BST = +0/+1, New York EST/EDT = -5/-4, Kolkata +5:30, no DST). The command
runs in-process here (``bot.cli.main`` with the environment set), for speed; the e2e
tests run it as a subprocess.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.store.models import Post
from tests.conftest import make_settings
from tests.posts import make_posts

#: standard and summer offsets, in hours east of UTC
OFFSETS = {"Europe/London": (0, 1), "America/New_York": (-5, -4), "Asia/Kolkata": (5.5, 5.5)}


def transition_day(zone: str, forward: bool) -> date:
    """The next day (from a week ahead) whose noon offset differs from the day before's."""
    tz = ZoneInfo(zone)
    day = datetime.now(UTC).date() + timedelta(days=7)
    for _ in range(400):
        before = datetime.combine(day - timedelta(days=1), time(12), tz).utcoffset()
        after = datetime.combine(day, time(12), tz).utcoffset()
        assert before is not None and after is not None
        if (after > before) if forward else (after < before):
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone} has no {'spring' if forward else 'autumn'} change in a year")


def utc(day: date, hour: float, offset: float) -> datetime:
    local = datetime.combine(day, time(0), UTC) + timedelta(hours=hour)
    return local - timedelta(hours=offset)


class Newsbot:
    """``newsbot ARGS`` in this process, against the test's database."""

    def __init__(
        self, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
    ) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        monkeypatch.setenv("NEWSBOT_DATABASE_URL", db_url)
        monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("NEWSBOT_LOG_FORMAT", "json")
        monkeypatch.chdir(tmp_path)

    def __call__(self, *args: str, zone: str = "UTC") -> tuple[int, str, str]:
        self.monkeypatch.setenv("NEWSBOT_TIMEZONE", zone)
        self.capsys.readouterr()
        code = main(list(args))
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *args: str, zone: str = "UTC") -> str:
        code, out, err = self(*args, zone=zone)
        assert code == 0, f"newsbot {' '.join(args)} -> {code}: {out} {err}"
        return out


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Newsbot:
    return Newsbot(db_url, tmp_path, monkeypatch, capsys)


def scheduled(cli: Newsbot, zone: str) -> dict[int, datetime]:
    out = cli.ok("drafts", "list", "--state", "scheduled", "--json", zone=zone)
    rows = [json.loads(line) for line in out.splitlines()]
    return {r["id"]: datetime.fromisoformat(r["scheduled_at"]) for r in rows}


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_approve_at_a_newsroom_time_on_the_days_the_clocks_change(
    zone: str, cli: Newsbot, runtime: Runtime
) -> None:
    standard, summer = OFFSETS[zone]
    spring = transition_day(zone, forward=True)
    autumn = transition_day(zone, forward=False)
    eve, on_spring, twice, on_autumn = make_posts(runtime, runtime.clock, 4, approve=False)
    wanted = {
        # the day before the change: still standard time
        eve: (f"{spring - timedelta(days=1)} 09:00", utc(spring - timedelta(days=1), 9, standard)),
        # the spring day is 23 hours long: 09:00 is summer time
        on_spring: (f"{spring} 09:00", utc(spring, 9, summer)),
        # 01:30 happens twice in autumn: the first one, still summer time
        twice: (f"{autumn} 01:30", utc(autumn, 1.5, summer)),
        on_autumn: (f"{autumn} 09:00", utc(autumn, 9, standard)),
    }
    for post_id, (text, _) in wanted.items():
        said = cli.ok("drafts", "approve", str(post_id), "--at", text, zone=zone)
        assert said.startswith(f"post {post_id}: scheduled for {text}")
    assert scheduled(cli, zone) == {pid: at for pid, (_, at) in wanted.items()}
    # a time in the spring gap does not exist there: refused, not guessed
    gap = "01:30" if zone == "Europe/London" else "02:30"
    code, _, err = cli("drafts", "approve", str(eve), "--at", f"{spring} {gap}", zone=zone)
    assert code == 2
    assert f"does not exist in {zone}" in err


def test_kolkata_has_a_half_hour_offset_and_no_dst(cli: Newsbot, runtime: Runtime) -> None:
    [pid] = make_posts(runtime, runtime.clock, 1, approve=False)
    day = datetime.now(UTC).date() + timedelta(days=30)
    said = cli.ok("drafts", "approve", str(pid), "--at", f"{day} 09:00", zone="Asia/Kolkata")
    assert said.strip() == f"post {pid}: scheduled for {day} 09:00 IST"
    assert scheduled(cli, "Asia/Kolkata") == {pid: utc(day, 9, 5.5)}


@pytest.fixture
def spring_runtime(db_url: str, tmp_path: Path) -> Runtime:
    """The outbox's view: a fixed clock on London's spring-forward morning."""
    spring = transition_day("Europe/London", forward=True)
    clock = FixedClock(datetime.combine(spring - timedelta(days=1), time(12), UTC))
    settings = make_settings(
        db_url, tmp_path, timezone="Europe/London", stale_after=timedelta(hours=2)
    )
    return Runtime(settings, clock=clock)


def test_a_scheduled_post_goes_out_at_its_utc_time_not_a_minute_before(
    spring_runtime: Runtime, cli: Newsbot
) -> None:
    rt = spring_runtime
    assert isinstance(rt.clock, FixedClock)
    spring = transition_day("Europe/London", forward=True)
    [pid] = make_posts(rt, rt.clock, 1, approve=False)
    cli.ok(
        "drafts",
        "approve",
        str(pid),
        "--at",
        f"{spring} 09:00",
        zone="Europe/London",
    )
    due = utc(spring, 9, 1)  # 08:00 UTC: a 24-hour-late guess would be an hour out
    rt.clock.set(due - timedelta(minutes=1))
    assert rt.publish_round() == {}
    rt.clock.set(due)
    assert rt.publish_round() == {"published": 1}
    rt.close()


def test_a_post_found_too_late_is_held_for_an_editor(spring_runtime: Runtime, cli: Newsbot) -> None:
    """The worker was down all night: at exactly NEWSBOT_STALE_AFTER late a post still goes;
    later than that it goes back to review with a `held` event, and is never sent stale."""
    rt = spring_runtime
    assert isinstance(rt.clock, FixedClock)
    spring = transition_day("Europe/London", forward=True)
    on_time, late = make_posts(rt, rt.clock, 2, approve=False)
    london = "Europe/London"
    cli.ok("drafts", "approve", str(on_time), "--at", f"{spring} 07:00", zone=london)
    cli.ok("drafts", "approve", str(late), "--at", f"{spring} 06:59", zone=london)
    rt.clock.set(utc(spring, 9, 1))  # two hours after 07:00 BST
    assert rt.publish_round() == {"published": 1}
    assert rt.maintenance_round()["held"] == 1
    with rt.sessions() as session:
        states = {p.id: p.state for p in session.query(Post)}
    assert states == {on_time: "published", late: "pending_review"}
    log = [json.loads(line) for line in cli.ok("log", "--post", str(late), "--json").splitlines()]
    assert [e["action"] for e in log] == ["scheduled", "held"]
    assert log[-1]["detail"]["late_by_seconds"] == 2 * 3600 + 60
    # the editor decides again: approving now sends it
    cli.ok("drafts", "approve", str(late))
    assert rt.publish_round() == {"published": 1}
    rt.close()
