"""The error classes every part of newsbot speaks.

Where a request failed decides the class: a request that never left is transient, one
that may have been delivered is an unknown outcome and is never resent blindly.
"""

from __future__ import annotations

from datetime import datetime


class BotError(Exception):
    """Something went wrong in newsbot."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())


class UsageError(BotError):
    """Bad usage or bad settings: the user must change something (exit status 2)."""


class TransientError(BotError):
    """A send failed in a way that a later attempt may fix (connect error, 429, 5xx)."""

    def __init__(self, message: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        #: seconds the server asked us to wait; the backoff never waits less.
        self.retry_after = retry_after


class ChannelPaused(TransientError):
    """The channel cannot take posts for now (quota, budget, session down); posts wait.

    Unlike a plain transient error this does not count as an attempt of the post: the
    post did nothing wrong, the channel is closed until ``until``.
    """

    def __init__(self, reason: str, until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until = until


class PermanentError(BotError):
    """A send failed for good (bad request, bad credentials, content refused)."""


class UnknownOutcome(BotError):
    """The request may have reached the platform; look before sending again."""
