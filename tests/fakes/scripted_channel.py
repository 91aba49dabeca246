"""A channel whose next answers are scripted: for outbox tests that need faults on demand.

It stores what it publishes like a platform would, so tests count real sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channels.base import Health, OutgoingPost, Receipt
from bot.errors import BotError


@dataclass
class ScriptedChannel:
    name: str
    #: errors to raise on the next publish calls, in order; None means "succeed"
    script: list[BotError | None] = field(default_factory=list)
    #: store the post even though the call then raises (a send whose answer was lost)
    store_then_raise: bool = False
    sent: dict[str, OutgoingPost] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    calls: int = 0
    find_calls: int = 0

    def publish(self, post: OutgoingPost) -> Receipt:
        self.calls += 1
        step = self.script.pop(0) if self.script else None
        if step is not None and not self.store_then_raise:
            raise step
        remote_id = f"{self.name}-{len(self.sent) + 1}"
        self.sent[remote_id] = post
        if step is not None:
            raise step
        return Receipt(
            self.name, remote_id, f"https://{self.name}.example/{remote_id}", {"id": remote_id}
        )

    def find(self, post: OutgoingPost) -> Receipt | None:
        self.find_calls += 1
        for remote_id, sent in self.sent.items():
            if sent.post_id == post.post_id and remote_id not in self.deleted:
                return Receipt(self.name, remote_id, None, {"found": True})
        return None

    def delete(self, receipt: Receipt) -> None:
        self.deleted.append(receipt.remote_id)

    def check(self) -> Health:
        return Health(True, "scripted")

    def watch(self) -> Health | None:
        return None

    def close(self) -> None:
        pass

    def sends_of(self, post_id: int) -> int:
        return sum(1 for p in self.sent.values() if p.post_id == post_id)
