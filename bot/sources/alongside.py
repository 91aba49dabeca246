"""Drafting alongside a poll round: the articles of a fast feed are drafted while a slow
one is still being read."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType


class DraftAlongside:
    """Runs ``draft`` in its own thread each time it is woken, and once more at the end."""

    def __init__(self, draft: Callable[[], object]) -> None:
        self._draft = draft
        self._woken = threading.Event()
        self._finishing = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="draft", daemon=True)

    def __enter__(self) -> DraftAlongside:
        self._thread.start()
        self.wake()  # articles left from an earlier round need no new feed item
        return self

    def wake(self) -> None:
        self._woken.set()

    def _run(self) -> None:
        while True:
            self._woken.wait()
            self._woken.clear()
            last = self._finishing
            try:
                self._draft()
            except BaseException as exc:  # raised in the round's own thread at exit
                self._error = exc
                return
            if last:
                return

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._finishing = True
        self._woken.set()
        self._thread.join()
        if self._error is not None and error is None:
            raise self._error
