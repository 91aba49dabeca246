"""What the desk refuses, by kind, so each front end can answer in its own terms.

The CLI prints any of them on one line (exit 2; a platform's refusal exits 1), the pages
flash them, the API maps each class to a status code (``bot.web.api``).
"""

from __future__ import annotations

from bot.errors import BotError


class DeskError(BotError):
    """The desk refused the action."""


class NotFound(DeskError):
    """No such post or source."""


class Refused(DeskError):
    """The action is not allowed on this post in its state (or with this input)."""


class TwoPersonRule(Refused):
    """Whoever wrote a post's words cannot also approve them (two-person rule)."""


class BadTime(DeskError):
    """The time is unreadable, does not exist in the newsroom's zone, or is in the past."""


class BadSource(DeskError):
    """The feed address or the backfill is not acceptable."""


class SourceExists(DeskError):
    """A source already watches this address."""


class PlatformRefused(DeskError):
    """The platform did not take the post down; it stays published, the error recorded."""
