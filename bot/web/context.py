"""What every dashboard and API handler reaches through ``request.app.state.web``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from jinja2 import Environment
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.service import Desk
from bot.logging import Redactor
from bot.runtime import Runtime
from bot.scheduler import Scheduler
from bot.store.db import transaction


@dataclass
class Web:
    runtime: Runtime
    scheduler: Scheduler | None
    key: bytes
    reads: sessionmaker[Session]
    pages: Environment
    redactor: Redactor

    def now(self) -> datetime:
        return self.runtime.clock.now()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot (see ``readdb``)."""
        with self.reads() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with transaction(self.runtime.sessions) as session:
            yield session

    def scrub(self, text: str | None) -> str:
        """Error texts shown to people never carry a configured secret."""
        return str(self.redactor.scrub(text or ""))

    def desk(self) -> Desk:
        """The desk service, waking this process's publisher when a post becomes due."""
        return self.runtime.desk(wake=self.wake_publisher)

    def wake_publisher(self) -> None:
        if self.scheduler is not None:
            self.scheduler.wake("publish")
