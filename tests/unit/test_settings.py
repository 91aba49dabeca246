from __future__ import annotations

from datetime import timedelta

import pytest

from bot.channels.whatsapp import whatsapp_settings
from bot.channels.x import x_settings
from bot.errors import UsageError
from bot.setting_types import parse_duration, parse_duration_or_off
from bot.settings import load_settings


def test_defaults_are_the_embedded_desk() -> None:
    s = load_settings(_env_file=None)
    assert s.database_url == "sqlite:///data/newsbot.db"
    assert s.approval == "required"
    assert s.max_age == timedelta(days=2)
    assert s.web.port == 8000
    assert not x_settings(s).configured and not whatsapp_settings(s).configured


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("NEWSBOT_POLL_INTERVAL", "abc", "NEWSBOT_POLL_INTERVAL: expected a duration"),
        ("NEWSBOT_APPROVAL", "sometimes", "NEWSBOT_APPROVAL:"),
        ("NEWSBOT_DATABASE_URL", "not a url", "NEWSBOT_DATABASE_URL: expected a URL"),
        ("NEWSBOT_DATABASE_URL", "mysql://x@y/z", "NEWSBOT_DATABASE_URL: expected a sqlite://"),
        ("NEWSBOT_TIMEZONE", "Mars/Olympus", "NEWSBOT_TIMEZONE: expected an IANA time zone"),
        ("NEWSBOT_WEB__PORT", "99999", "NEWSBOT_WEB__PORT:"),
        (
            "NEWSBOT_WHATSAPP__CHANNEL_ID",
            "12345@c.us",
            "NEWSBOT_WHATSAPP__CHANNEL_ID: expected a WhatsApp Channel id",
        ),
        ("NEWSBOT_CHANNELS", "x,telegram", "NEWSBOT_CHANNELS: expected x and/or whatsapp"),
    ],
)
def test_a_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(UsageError) as info:
        load_settings(_env_file=None)
    message = str(info.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_a_bad_database_url_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", "oracle://admin:hunter2hunter2@db/x")
    with pytest.raises(UsageError) as info:
        load_settings(_env_file=None)
    assert "hunter2" not in str(info.value)


def test_nested_and_list_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSBOT_FEEDS", "https://a.example/feed, https://b.example/rss")
    monkeypatch.setenv("NEWSBOT_X__API_KEY", "k" * 10)
    monkeypatch.setenv("NEWSBOT_POLL_INTERVAL", "90s")
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", "postgresql://u@h/db")
    s = load_settings(_env_file=None)
    assert s.feeds == ["https://a.example/feed", "https://b.example/rss"]
    api_key = x_settings(s).api_key
    assert api_key is not None and api_key.get_secret_value() == "k" * 10
    assert "k" * 10 not in repr(s)
    assert s.poll_interval == timedelta(seconds=90)
    assert s.database_url.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("15m", 900), ("2h", 7200), ("2d", 172800), ("0.5", 0.5)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["abc", "-5", "0", "5 parsecs"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "seconds"), [("0", 0), ("off", 0), (0, 0), ("5m", 300)])
def test_a_watch_interval_can_be_off(text: object, seconds: float) -> None:
    assert parse_duration_or_off(text).total_seconds() == seconds


def test_a_bad_watch_interval_is_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_WHATSAPP__SESSION_WATCH", "sometimes")
    with pytest.raises(UsageError, match="NEWSBOT_WHATSAPP__SESSION_WATCH"):
        load_settings(_env_file=None)
