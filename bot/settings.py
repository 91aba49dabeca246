"""Settings: one pydantic-settings class, prefix ``NEWSBOT_``, nested with ``__``.

Built once in the composition root (``cli.py``) and passed down; never at import time,
so tests can run any number of configurations in one process.
"""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ByteSize,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.channels.registry import CHANNELS, NAMES
from bot.errors import UsageError
from bot.setting_types import CommaList, Duration


class WebSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    secret_key: SecretStr | None = None
    #: mark cookies Secure; "auto" follows the request's scheme (X-Forwarded-Proto too)
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    #: a request body over this is refused with 413 before it is read (1MiB, 512KiB, bytes)
    max_body: ByteSize = Field(ByteSize(1024 * 1024), ge=1024)
    #: reverse proxies (IPs or CIDRs) whose X-Forwarded-For names the client's address
    trusted_proxies: CommaList = Field(default_factory=list)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"expected IP addresses or CIDRs, got {item!r}") from None
        return value


class ReviewSettings(BaseModel):
    two_person: bool = False


class AlertSettings(BaseModel):
    webhook_url: AnyHttpUrl | None = None
    #: a source is reported after this many failed polls in a row
    source_failures: int = Field(3, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        # `NAME=` (as in a .env copied from .env.example, or `docker run --env-file`)
        # means "use the default", not "an empty value"
        env_ignore_empty=True,
        extra="ignore",
    )

    database_url: str = "sqlite:///data/newsbot.db"
    data_dir: Path = Path("data")
    feeds: CommaList = Field(default_factory=list)
    channels: CommaList = Field(default_factory=lambda: list(NAMES))
    timezone: str = "UTC"
    poll_interval: Duration = timedelta(minutes=5)
    publish_interval: Duration = timedelta(seconds=2)
    reconcile_interval: Duration = timedelta(seconds=30)
    approval: Literal["required", "auto"] = "required"
    max_age: Duration = timedelta(days=2)
    draft_ttl: Duration = timedelta(hours=24)
    stale_after: Duration = timedelta(hours=2)
    max_attempts: int = Field(8, ge=1, le=100)
    backoff_base: Duration = timedelta(seconds=30)
    backoff_cap: Duration = timedelta(hours=1)
    lease: Duration = timedelta(seconds=90)
    shutdown_grace: Duration = timedelta(seconds=10)
    fetch_timeout: Duration = timedelta(seconds=15)
    max_feed_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    max_page_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    fetch_pages: Literal["auto", "always", "never"] = "auto"
    #: hosts, IPs and CIDRs that content fetches may reach although they are not public
    fetch_allow: CommaList = Field(default_factory=list)
    user_agent: str = "newsbot/0.1 (+https://github.com/newsbot)"
    hashtags_file: Path | None = None
    templates_dir: Path | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "json", "console"] = "auto"

    web: WebSettings = Field(default_factory=WebSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "expected a URL such as sqlite:///data/newsbot.db "
                "or postgresql+psycopg://user@host/db"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("expected a sqlite:// or postgresql+psycopg:// URL")
        if url.get_backend_name() == "postgresql" and url.drivername != "postgresql+psycopg":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Europe/London") from None
        return value

    @field_validator("fetch_allow")
    @classmethod
    def _fetch_allow(cls, value: list[str]) -> list[str]:
        from bot.egress import parse_allow

        parse_allow(value)
        return value

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(NAMES))
        if unknown:
            choices = " and/or ".join(
                [", ".join(NAMES[:-1]), NAMES[-1]] if len(NAMES) > 1 else NAMES
            )
            raise ValueError(f"expected {choices}, got {', '.join(unknown)}")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def secret_values(self) -> list[str]:
        """Every secret's plain value, so the log redactor can scrub them anywhere."""
        found: list[str] = []
        groups = [getattr(self, n) for n in type(self).model_fields]
        for group in [g for g in groups if isinstance(g, BaseModel)]:
            for name in type(group).model_fields:
                value = getattr(group, name)
                if isinstance(value, SecretStr) and value.get_secret_value():
                    found.append(value.get_secret_value())
        # a database password, and a webhook URL (chat webhooks carry their token in it)
        from sqlalchemy.engine import make_url

        password = make_url(self.database_url).password
        if password:
            found.append(str(password))
        if self.alerts.webhook_url is not None:
            found.append(str(self.alerts.webhook_url))
        return found


def _with_channel_groups(base: type[Settings]) -> type[Settings]:
    """One nested group per registered channel (``NEWSBOT_<NAME>__…``), its model the
    channel's own: adding a channel to the registry adds its settings."""
    groups: dict[str, Any] = {
        spec.name: (spec.settings_model, Field(default_factory=spec.settings_model))
        for spec in CHANNELS
    }
    return create_model("Settings", __base__=base, __module__=__name__, **groups)


if not TYPE_CHECKING:  # type checkers see the class above; channel groups go through specs
    Settings = _with_channel_groups(Settings)


def env_name(loc: tuple[int | str, ...]) -> str:
    return "NEWSBOT_" + "__".join(str(part) for part in loc).upper()


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and ``.env``; a bad value is a one-line UsageError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        given = first.get("input")
        shown = f" (got {given!r})" if isinstance(given, str | int | float) else ""
        if first["loc"] and first["loc"][0] == "database_url":
            shown = ""  # a database URL may carry a password
        raise UsageError(f"{env_name(first['loc'])}: {message}{shown}") from None
