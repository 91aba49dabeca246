"""A cache bounded by the bytes it holds, least recently used out first.

``functools.lru_cache`` counts entries: 8192 previews of 20,000-character texts that a
viewer can send to ``/posts/ID/measure`` hold about 1.5 GB. This one counts the size of
each key and value (``sys.getsizeof``) against a fixed budget, and keeps nothing bigger
than a quarter of the budget.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
MiB = 1024 * 1024


class ByteLRU(Generic[R]):
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.bytes = 0
        self._items: OrderedDict[Hashable, tuple[R, int]] = OrderedDict()
        self._lock = threading.Lock()  # the dashboard's handlers run in a thread pool

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> tuple[bool, R | None]:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return False, None
            self._items.move_to_end(key)
            return True, found[0]

    def put(self, key: Hashable, value: R, size: int) -> None:
        if size > self.budget // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._items[key] = (value, size)
            self.bytes += size
            while self.bytes > self.budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0


def size_of(*parts: object) -> int:
    return sum(sys.getsizeof(part) for part in parts)


def bounded_by_bytes(budget: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Remember a function of hashable positional arguments within ``budget`` bytes; the
    cache is the wrapper's ``cache`` attribute."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        cache: ByteLRU[R] = ByteLRU(budget)

        @wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (args, tuple(sorted(kwargs.items())))
            hit, value = cache.get(key)
            if hit:
                return value  # type: ignore[return-value]
            result = fn(*args, **kwargs)
            cache.put(key, result, size_of(*args, *kwargs.values(), result) + 200)
            return result

        wrapper.cache = cache  # type: ignore[attr-defined]
        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]  # as lru_cache's
        return wrapper

    return decorate
