"""The dry-run channel: writes what it would send to a JSON Lines file, sends nothing.

The default for any channel without credentials, so a first run shows the whole flow.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from bot.channels.base import Health, OutgoingPost, Receipt
from bot.clock import Clock

_LOCK = threading.Lock()


class DryRunPublisher:
    def __init__(self, name: str, path: Path, clock: Clock) -> None:
        self.name = name
        self.path = path
        self.clock = clock

    def _append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with _LOCK, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def _records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def publish(self, post: OutgoingPost) -> Receipt:
        remote_id = f"dryrun-{self.name}-{post.post_id}"
        self._append(
            {
                "at": self.clock.now().isoformat(),
                "op": "publish",
                "channel": self.name,
                "post_id": post.post_id,
                "remote_id": remote_id,
                "text": post.text,
                "image_url": post.image_url,
            }
        )
        return Receipt(self.name, remote_id, None, {"dryrun": True, "file": str(self.path)})

    def find(self, post: OutgoingPost) -> Receipt | None:
        sent = {
            r["remote_id"]: r
            for r in self._records()
            if r.get("channel") == self.name and r.get("post_id") == post.post_id
        }
        deleted = {r["remote_id"] for r in self._records() if r.get("op") == "delete"}
        for remote_id in sent:
            if remote_id not in deleted:
                return Receipt(self.name, remote_id, None, {"dryrun": True, "found": True})
        return None

    def delete(self, receipt: Receipt) -> None:
        self._append(
            {
                "at": self.clock.now().isoformat(),
                "op": "delete",
                "channel": self.name,
                "remote_id": receipt.remote_id,
            }
        )

    def check(self) -> Health:
        return Health(True, f"dry run: posts are written to {self.path}", {"dryrun": True})

    def watch(self) -> Health | None:
        return None

    def close(self) -> None:
        """Nothing held open: each record is appended and the file closed."""
