"""newsbot: a self-hosted publishing desk for newsrooms."""

__version__ = "0.1.0"
