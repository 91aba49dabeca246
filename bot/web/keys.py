"""The dashboard's signing key: NEWSBOT_WEB__SECRET_KEY, or one kept in the data folder.

With no key set, a random key is made once and stored in ``<data_dir>/web-secret-key``
(mode 0600), so open forms survive a restart; if that folder cannot be
written, a key for this process only (and a warning). Replicas on other machines do
not share that file: set NEWSBOT_WEB__SECRET_KEY for them (a warning says so).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import structlog

from bot.settings import Settings

log = structlog.get_logger("bot.web")

KEY_FILE = "web-secret-key"


def _read_or_create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together agree on one key, the first one's
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key.encode()
        raise ValueError(f"{path} holds no usable key; delete it to make a new one") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.warning("web.secret_key_created", path=str(path))
    return key.encode()


def signing_key(settings: Settings) -> bytes:
    given = settings.web.secret_key
    if given is not None and given.get_secret_value():
        return given.get_secret_value().encode()
    path = settings.data_dir / KEY_FILE
    try:
        key = _read_or_create(path)
    except OSError as exc:  # a read-only data folder: still start; open forms need a reload
        log.warning("web.secret_key_ephemeral", path=str(path), error=exc.__class__.__name__)
        return secrets.token_urlsafe(48).encode()
    if not settings.database_url.startswith("sqlite"):
        log.warning(
            "web.secret_key_unset",
            hint="replicas on other machines need one shared NEWSBOT_WEB__SECRET_KEY",
            path=str(path),
        )
    return key
