"""After the run: what reached each fake, counted by post, against what the store says.

A fake's stored post is matched to our post by its text (unique per post); the number
of copies of each post on each fake decides duplicates (copies beyond one) and lost
posts (no copy). The store must agree: every post ``published`` with the id the platform
gave that copy, its approval and its publication in the audit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import AuditEvent, Post


@dataclass
class Figures:
    database: str
    workers: int
    seed: int = 0
    posts: int = 0
    kills: int = 0
    injected_faults: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    lost: int = 0
    stray_copies: int = 0
    wall_seconds: float = 0.0
    states: dict[str, int] = field(default_factory=dict)
    wrong_remote_id: int = 0
    missing_audit: int = 0
    duplicate_events: int = 0
    x_duplicate_refusals: int = 0
    died_mid_send: int = 0
    #: of those, posts the platform had stored before the kill: found, not resent
    died_after_store: int = 0
    found_by_reconcile: int = 0
    resent_after_lookup: int = 0
    attempts: int = 0
    worker_exit_codes: list[int | None] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    #: requests a kill cut short, which the fakes took as dropped connections
    cut_requests: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        rows = [
            ("database", self.database),
            ("workers", str(self.workers)),
            ("seed (CHAOS_SEED)", str(self.seed)),
            ("posts", str(self.posts)),
            ("kills (kill -9)", str(self.kills)),
            (
                "injected faults",
                f"{self.injected_faults.get('total', 0)} "
                f"(X {self.injected_faults.get('x', 0)}, "
                f"WhatsApp {self.injected_faults.get('whatsapp', 0)})",
            ),
            ("duplicates", str(self.duplicates)),
            ("lost", str(self.lost)),
            ("wall time", f"{self.wall_seconds:.1f} s"),
            ("send attempts", str(self.attempts)),
            ("died mid-send (lease expired)", str(self.died_mid_send)),
            ("  ... after the platform stored it", str(self.died_after_store)),
            ("found by reconciliation", str(self.found_by_reconcile)),
            ("resent after lookup found nothing", str(self.resent_after_lookup)),
            ("requests cut short by a kill", str(self.cut_requests)),
        ]
        width = max(len(name) for name, _ in rows)
        lines = [f"chaos on {self.database}"] + [f"  {n.ljust(width)}  {v}" for n, v in rows]
        return "\n".join(lines)


def copies(
    stored_texts: list[str], posts: dict[int, tuple[str, str]], channel: str
) -> Counter[int]:
    """How many copies of each of our posts a fake holds (strays under id -1)."""
    by_text = {text: pid for pid, (ch, text) in posts.items() if ch == channel}
    counted: Counter[int] = Counter(dict.fromkeys(by_text.values(), 0))
    for text in stored_texts:
        counted[by_text.get(text, -1)] += 1
    return counted


def check_store(
    sessions: sessionmaker[Session],
    figures: Figures,
    remote_ids: dict[str, dict[str, int]],
) -> None:
    """States, recorded remote ids and the audit trail of every post."""
    with sessions() as session:
        states = dict(session.execute(select(Post.state, func.count()).group_by(Post.state)).all())
        figures.states = {str(k): int(v) for k, v in states.items()}
        events: dict[int, list[AuditEvent]] = {}
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            if event.post_id is not None:
                events.setdefault(event.post_id, []).append(event)
        for post in session.scalars(select(Post)):
            trail = events.get(post.id, [])
            names = [e.action for e in trail]
            # the id the store recorded is the id of this post's copy on the platform
            if (
                post.state == "published"
                and remote_ids[post.channel].get(post.remote_id or "") != post.id
            ):
                figures.wrong_remote_id += 1
            approved = "approved" in names
            out = "published" in names or any(
                e.action == "reconciled" and e.detail.get("found") for e in trail
            )
            figures.missing_audit += not (approved and out)
            figures.duplicate_events += names.count("duplicate")
            figures.attempts += names.count("claimed")
            for i, event in enumerate(trail):
                if event.action == "unknown" and "lease expired" in str(event.detail):
                    figures.died_mid_send += 1
                    looked = next((e for e in trail[i + 1 :] if e.action == "reconciled"), None)
                    figures.died_after_store += bool(looked and looked.detail.get("found"))
            figures.found_by_reconcile += sum(
                1 for e in trail if e.action == "reconciled" and e.detail.get("found")
            )
            figures.resent_after_lookup += sum(
                1 for e in trail if e.action == "reconciled" and e.detail.get("found") is False
            )
