"""Settings: one pydantic-settings class, prefix ``NEWSBOT_``, nested with ``__``.

Built once in the composition root (``cli.py``) and passed down; never at import time,
so tests can run any number of configurations in one process.
"""

from __future__ import annotations

import re
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ByteSize,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import UsageError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """``90``, ``"90s"``, ``"15m"``, ``"2h"``, ``"2d"`` or a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError("expected a duration such as 90, 90s, 15m, 2h or 2d")
        seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError("expected a duration greater than zero")
    return timedelta(seconds=seconds)


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def parse_duration_or_off(value: Any) -> timedelta:
    """A duration as ``parse_duration`` reads it, or ``0`` / ``off`` for none."""
    off = value == 0 if isinstance(value, int | float) and not isinstance(value, bool) else False
    if off or (isinstance(value, str) and value.strip().lower() in {"0", "off"}):
        return timedelta(0)
    return parse_duration(value)


DurationOrOff = Annotated[timedelta, BeforeValidator(parse_duration_or_off)]


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split_commas)]


class XSettings(BaseModel):
    api_key: SecretStr | None = None
    api_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None
    base_url: AnyHttpUrl = AnyHttpUrl("https://api.x.com")
    timeout: Duration = timedelta(seconds=15)
    max_hashtags: int = Field(2, ge=0, le=10)
    #: posts per day the newsroom allows itself (on top of X's own 24-hour limit)
    daily_cap: int | None = Field(None, ge=0)
    #: spending limit per calendar month, in the currency of the prices below
    monthly_budget: float | None = Field(None, ge=0)
    price_per_post: float = Field(0.01, ge=0)
    price_per_post_with_link: float = Field(0.02, ge=0)

    @property
    def configured(self) -> bool:
        return all((self.api_key, self.api_secret, self.access_token, self.access_token_secret))


class WhatsAppSettings(BaseModel):
    backend: Literal["waha", "cloud"] = "waha"
    waha_url: AnyHttpUrl | None = None
    waha_api_key: SecretStr | None = None
    waha_session: str = "default"
    channel_id: str | None = None
    cloud_base_url: AnyHttpUrl = AnyHttpUrl("https://graph.facebook.com")
    cloud_api_version: str = "v23.0"
    cloud_token: SecretStr | None = None
    cloud_phone_id: str | None = None
    cloud_app_secret: SecretStr | None = None
    cloud_verify_token: SecretStr | None = None
    cloud_template: str = "news_update"
    cloud_template_language: str = "en"
    #: what fills the template's body parameters {{1}}, {{2}}, …, in order
    cloud_template_params: CommaList = Field(default_factory=lambda: ["headline", "quote", "link"])
    timeout: Duration = timedelta(seconds=15)
    max_hashtags: int = Field(3, ge=0, le=10)
    #: while the WAHA session is not WORKING, posts wait this long before the next try
    session_recheck: Duration = timedelta(seconds=30)
    #: how often the worker looks at the WAHA session while nothing is sent, so a session
    #: that stopped overnight alerts before the morning's first post waits; 0 turns it off
    session_watch: DurationOrOff = timedelta(minutes=5)

    @field_validator("channel_id")
    @classmethod
    def _newsletter(cls, value: str | None) -> str | None:
        if value and not value.endswith("@newsletter"):
            raise ValueError("expected a WhatsApp Channel id ending in @newsletter")
        return value

    @field_validator("cloud_template_params")
    @classmethod
    def _template_params(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - {"headline", "quote", "link", "hashtags", "text"})
        if unknown:
            raise ValueError(
                f"expected headline, quote, link, hashtags or text, got {', '.join(unknown)}"
            )
        return value

    @property
    def configured(self) -> bool:
        if self.backend == "waha":
            return self.waha_url is not None
        return self.cloud_token is not None and self.cloud_phone_id is not None


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
    channels: CommaList = Field(default_factory=lambda: ["x", "whatsapp"])
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
    user_agent: str = "newsbot/0.1 (+https://github.com/newsbot)"
    hashtags_file: Path | None = None
    templates_dir: Path | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "json", "console"] = "auto"

    x: XSettings = Field(default_factory=XSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
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

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - {"x", "whatsapp"})
        if unknown:
            raise ValueError(f"expected x and/or whatsapp, got {', '.join(unknown)}")
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
