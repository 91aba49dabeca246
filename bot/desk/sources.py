"""Feeds on the desk: the one validation of an address and a backfill, and removal."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.desk import rules
from bot.desk.commands import AddSource
from bot.desk.errors import BadSource, NotFound
from bot.sources.fetch import is_local, local_path
from bot.store.models import Source


def feed_address(cmd: AddSource) -> str:
    """The address to store: a web feed's URL, or (CLI only) a feed file's full path."""
    rules.check_backfill(cmd.backfill)
    url = cmd.url.strip()
    if cmd.allow_files and url and is_local(url):
        path = local_path(url)
        if not path.is_file():
            raise BadSource(
                f"{url}: no such file; give a feed URL (http:// or https://) or a feed file"
            )
        return str(path.resolve())
    return rules.check_feed_url(url)


def remove(session: Session, source_id: int) -> Source:
    """Its articles and posts are kept (their source becomes empty); the removed row."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}; see `newsbot sources list`")
    session.delete(source)
    return source
