"""The X channel's settings: ``NEWSBOT_X__…`` (OAuth 1.0a user context, limits, prices)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr

from bot.setting_types import Duration


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

    @property
    def publisher(self) -> str:
        """How posts go out, as the desk names it."""
        return "X API"
