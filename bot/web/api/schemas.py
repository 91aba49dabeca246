"""The REST API's shapes. Request bodies refuse unknown fields and text that no database
can store (NUL, lone surrogates), so bad input is a 422, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from bot.channels.registry import NAMES
from bot.outbox.states import State


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


def _sane_time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # a CMS that sends no offset means UTC
    if not 1970 <= value.year <= 2200:
        raise ValueError("expected a date between 1970 and 2200")
    return value.astimezone(UTC)


Text = Annotated[str, AfterValidator(_storable)]
Url = Annotated[
    str,
    StringConstraints(min_length=10, max_length=2048, pattern=r"^https?://[^\s/?#]+[^\s]*$"),
    AfterValidator(_storable),
]
#: newsroom time ("2026-03-29 09:00") or ISO 8601 with an offset ("2026-03-29T08:00Z")
LocalTime = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?$"),
]


def _time_text(value: object) -> object:
    if value is not None and not isinstance(value, str | datetime):
        raise ValueError("expected an ISO 8601 date-time string")  # not a number of seconds
    return value


Time = Annotated[datetime | None, BeforeValidator(_time_text), AfterValidator(_sane_time)]
if TYPE_CHECKING:
    ChannelName = str
else:  # the registry's channels, as an enum in the OpenAPI description
    ChannelName = Literal[NAMES]
StateName = Literal[
    "pending_review",
    "approved",
    "scheduled",
    "rejected",
    "expired",
    "publishing",
    "published",
    "failed",
    "unknown",
    "withdrawn",
]
assert set(StateName.__args__) == {s.value for s in State}  # type: ignore[attr-defined]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(BaseModel):
    detail: str
    errors: list[dict[str, Any]] | None = None


class KeyQuote(BaseModel):
    text: str
    speaker: str | None = None


class PostOut(BaseModel):
    id: int
    article_id: int
    source_id: int | None
    title: str
    url: str
    channel: str
    state: str
    text: str
    length: int
    limit: int
    key_quote: KeyQuote | None
    hashtags: list[str]
    scheduled_at: datetime | None
    attempts: int
    remote_id: str | None
    remote_url: str | None
    error: str | None
    waiting_reason: str | None
    approved_by: str | None
    last_edited_by: str | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class PostList(BaseModel):
    items: list[PostOut]
    #: pass as ``before`` for the next page; null on the last page
    next_before: int | None


class EditIn(Input):
    text: Text = Field(min_length=1, max_length=20000)


class ApproveIn(Input):
    #: newsroom time ("2026-03-29 09:00") or ISO 8601 with an offset; omit to approve now
    at: LocalTime | None = None


class RejectIn(Input):
    note: Text = Field(min_length=1, max_length=2000)


class WithdrawIn(Input):
    reason: Text = Field("", max_length=2000)


class MeasureIn(Input):
    channel: ChannelName
    text: Text = Field(max_length=20000)


class MeasureOut(BaseModel):
    channel: str
    length: int
    limit: int
    fits: bool


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    post_id: int | None
    article_id: int | None
    channel: str | None
    detail: dict[str, Any]


class AuditList(BaseModel):
    items: list[AuditEventOut]
    next_before: int | None


class SourceOut(BaseModel):
    id: int
    url: str
    title: str | None
    auto_approve: bool
    last_polled_at: datetime | None
    last_status: str | None
    last_error: str | None
    items: int


class SourceIn(Input):
    url: Url
    auto_approve: StrictBool = False
    backfill: StrictInt = Field(0, ge=0, le=1000)


class ArticleIn(Input):
    url: Url
    canonical_url: Url | None = None
    title: Text = Field(min_length=1, max_length=1000)
    summary: Text | None = Field(None, max_length=10000)
    body: Text | None = Field(None, max_length=500_000)
    author: Text | None = Field(None, max_length=500)
    published_at: Time = None
    language: Text | None = Field(None, max_length=20)
    tags: list[Annotated[Text, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    image_url: Url | None = None
    #: approve the drafts that fit at once, as the token's user (needs the editor role)
    auto_approve: StrictBool = False


class PushOut(BaseModel):
    article_id: int
    #: false when the canonical URL was already known: nothing new was stored or drafted
    created: bool
    drafts: list[PostOut]


class Me(BaseModel):
    name: str
    role: str
