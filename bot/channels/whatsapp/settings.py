"""The WhatsApp channel's settings: ``NEWSBOT_WHATSAPP__…`` (WAHA gateway or Cloud API)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr, field_validator

from bot.setting_types import CommaList, Duration, DurationOrOff


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

    @property
    def publisher(self) -> str:
        """How posts go out, as the desk names it."""
        return "WAHA" if self.backend == "waha" else "Cloud API"
