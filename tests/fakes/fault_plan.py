"""What a fake does wrong, and when: scripted faults in order, plus random ones at a rate.

A plan is plain JSON so a fake in another process takes it over its control API::

    {"plan": [{"kind": "status", "status": 500, "on": "send", "times": 1}],
     "random": {"rate": 0.3, "seed": 7, "on": "send",
                "faults": [{"kind": "status", "status": 500},
                           {"kind": "status", "status": 429, "retry_after": 1},
                           {"kind": "hang", "seconds": 20},
                           {"kind": "drop_after_store"}]}}

Kinds: ``status`` (answer ``status`` before storing anything), ``status_after_store``
(store, then answer ``status``), ``hang`` (wait ``seconds`` before storing, then drop the
connection without storing: the client timed out and nothing happened),
``hang_after_store`` (store, wait, drop), ``drop_after_store`` (store, drop at once).
``code`` is the platform's error code a fake puts in the error body (Graph API's ``error.code``).
``on`` names the operation a fault applies to (each fake lists its own; ``any`` matches
all); ``times`` is how many requests it hits (-1: every one).
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("status", "status_after_store", "hang", "hang_after_store", "drop_after_store")


@dataclass
class Fault:
    kind: str
    status: int = 500
    seconds: float = 30.0
    retry_after: float | None = None
    #: the platform's own error code in the error body (Graph API ``error.code``)
    code: int | None = None
    on: str = "send"
    times: int = 1

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")

    @property
    def stores(self) -> bool:
        """Whether the platform keeps the message despite the fault."""
        return self.kind in ("status_after_store", "hang_after_store", "drop_after_store")

    def matches(self, op: str) -> bool:
        return self.on in ("any", op)


class FaultPlan:
    """Thread-safe: every request handler asks ``take(op)`` once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripted: list[Fault] = []
        self._rate = 0.0
        self._random_on = "send"
        self._random: list[Fault] = []
        self._rng = random.Random(0)
        #: (op, kind) of every fault applied, in order
        self.applied: list[tuple[str, str]] = []

    def configure(self, spec: dict[str, Any]) -> None:
        scripted = [Fault(**item) for item in spec.get("plan") or []]
        chaos = spec.get("random") or {}
        faults = [Fault(**{**item, "times": -1}) for item in chaos.get("faults") or []]
        rate = float(chaos.get("rate", 0.0))
        if not 0.0 <= rate <= 1.0:
            raise ValueError("random.rate must be between 0 and 1")
        if rate and not faults:
            raise ValueError("random.faults is empty")
        with self._lock:
            self._scripted = scripted
            self._rate = rate
            self._random_on = str(chaos.get("on", "send"))
            self._random = faults
            self._rng = random.Random(chaos.get("seed"))

    def clear(self) -> None:
        self.configure({})

    def take(self, op: str) -> Fault | None:
        with self._lock:
            for fault in self._scripted:
                if fault.matches(op) and fault.times != 0:
                    if fault.times > 0:
                        fault.times -= 1
                    self.applied.append((op, fault.kind))
                    return fault
            if self._rate and self._random_on in ("any", op) and self._rng.random() < self._rate:
                fault = self._rng.choice(self._random)
                self.applied.append((op, fault.kind))
                return fault
        return None

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "plan": [asdict(f) for f in self._scripted if f.times != 0],
                "random": {
                    "rate": self._rate,
                    "on": self._random_on,
                    "faults": [asdict(f) for f in self._random],
                },
                "applied": [list(pair) for pair in self.applied],
            }
