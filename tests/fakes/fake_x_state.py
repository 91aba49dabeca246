"""The fake X's memory: one account, its posts and media, limits, and the faults to inject.

Plain data behind one lock; no sockets here. A state file, when given, is rewritten after
every change (atomically), so a fake run as a separate process can be inspected after it
stopped, or restarted with what it had stored.
"""

from __future__ import annotations

import html
import json
import os
import random
import threading
import time
import unicodedata
import zlib
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from twitter_text import extract_urls_with_indices

USER = {"id": "1600000000000000001", "name": "Newsroom Desk", "username": "newsroom_desk"}
FIRST_ID = 1_800_000_000_000_000_000

#: what the fake can be told to do instead of (or around) the real operation
ACTIONS = frozenset(
    {
        "ok",  # behave normally
        "429",  # rate limit window exhausted (x-rate-limit-* headers)
        "429_daily",  # the account's 24-hour post limit reached (x-user-limit-24hour-* headers)
        "402",  # pay-per-use credits depleted
        "401",  # credentials refused
        "403_duplicate",  # duplicate content (without storing anything)
        "403_forbidden",  # a 403 that is not about duplicates
        "403_oauth1_permissions",  # the app's token may read but not write
        "500",
        "503",
        "hang",  # say nothing past the client's timeout, store nothing
        "hang_after_store",  # store, then say nothing past the client's timeout
        "drop_before_store",  # close the connection at once, store nothing
        "drop_after_store",  # store, then close the connection without an answer
    }
)


@dataclass
class StoredPost:
    id: str
    text: str  # as the client sent it
    shown: str  # as X shows it: links as t.co links, &<> escaped
    created_at: str  # ISO 8601, UTC, "Z"
    author_id: str = USER["id"]
    media_ids: list[str] = field(default_factory=list)
    deleted: bool = False


@dataclass
class Rule:
    action: str
    method: str = "*"
    path: str = "*"  # fnmatch pattern on the path, e.g. "/2/tweets" or "/2/users/*/tweets"
    times: int | None = 1  # None: every matching request

    def matches(self, method: str, path: str) -> bool:
        return fnmatchcase(method.upper(), self.method.upper()) and fnmatchcase(path, self.path)


@dataclass
class RandomFaults:
    rate: float
    actions: list[str]
    seed: int | None = None
    method: str = "POST"
    path: str = "/2/tweets"


def link_token(url: str) -> str:
    """A stable t.co-style token for a URL (X gives every link its own short link)."""
    return f"{zlib.crc32(url.encode()):08x}{len(url):02x}"


def shown_text(text: str, media_ids: list[str]) -> str:
    """The text as X answers it: every link becomes a t.co link; a photo adds one more."""
    text = unicodedata.normalize("NFC", text)
    out, last = [], 0
    for entity in extract_urls_with_indices(text):
        start, end = entity["indices"]
        out.append(html.escape(text[last:start], quote=False))
        out.append(f"https://t.co/{link_token(entity['url'])}")
        last = end
    out.append(html.escape(text[last:], quote=False))
    shown = "".join(out)
    for media_id in media_ids:
        shown += f" https://t.co/{link_token('media:' + media_id)}"
    return shown


def iso(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at * 1000) % 1000:03d}Z"


class XState:
    def __init__(
        self,
        *,
        state_file: Path | None = None,
        user_limit_24h: int = 100,
        rate_limit: int = 1000,
        hang_seconds: float = 5.0,
        reset_in: float = 60.0,
    ) -> None:
        self.lock = threading.RLock()
        self.state_file = state_file
        self.user_limit_24h = user_limit_24h
        self.rate_limit = rate_limit
        self.hang_seconds = hang_seconds
        #: seconds until a forced 429's window resets (the x-rate-limit-reset it announces)
        self.reset_in = reset_in
        self.access_level = "read-write"
        self.posts: list[StoredPost] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.next_id = FIRST_ID
        self.window_start: float | None = None  # the account's 24-hour post window
        self.window_posts = 0
        self.rate_windows: dict[str, tuple[float, int]] = {}
        self.nonces: set[tuple[str, str]] = set()
        self.rules: list[Rule] = []
        self.random: RandomFaults | None = None
        self.rng = random.Random()
        self.requests: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.auth_failures: list[str] = []
        if state_file and state_file.exists():
            self._load(state_file)

    # --- faults -------------------------------------------------------------------

    def set_plan(self, plan: dict[str, Any]) -> None:
        """Change the faults and the account's settings; keys left out stay as they are."""
        rules = [Rule(**rule) for rule in plan.get("rules", [])]
        rand = RandomFaults(**plan["random"]) if plan.get("random") else None
        unknown = ({r.action for r in rules} | set(rand.actions if rand else ())) - ACTIONS
        if unknown:
            raise ValueError(f"unknown fault actions: {sorted(unknown)}")
        with self.lock:
            # only what the plan names changes: {"access_level": "read"} keeps the rules
            if "rules" in plan:
                self.rules = rules
            if "random" in plan:
                self.random = rand
                if rand is not None:
                    self.rng.seed(rand.seed)
            if "hang_seconds" in plan:
                self.hang_seconds = float(plan["hang_seconds"])
            if "reset_in" in plan:
                self.reset_in = float(plan["reset_in"])
            if "user_limit_24h" in plan:
                self.user_limit_24h = int(plan["user_limit_24h"])
            if "access_level" in plan:
                self.access_level = str(plan["access_level"])

    def pick_fault(self, method: str, path: str) -> str | None:
        """The action for this request: the first matching rule, else the random plan."""
        with self.lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self.rules.remove(rule)
                    return rule.action
            rand = self.random
            if (
                rand
                and fnmatchcase(method, rand.method)
                and fnmatchcase(path, rand.path)
                and self.rng.random() < rand.rate
            ):
                return self.rng.choice(rand.actions)
            return None

    # --- limits -------------------------------------------------------------------

    def user_limit(self, now: float) -> dict[str, str]:
        """The x-user-limit-24hour-* headers X sends on post creation."""
        with self.lock:
            if self.window_start is None or now >= self.window_start + 86400:
                self.window_start, self.window_posts = now, 0
            return {
                "x-user-limit-24hour-limit": str(self.user_limit_24h),
                "x-user-limit-24hour-remaining": str(
                    max(0, self.user_limit_24h - self.window_posts)
                ),
                "x-user-limit-24hour-reset": str(int(self.window_start + 86400)),
            }

    def rate(self, endpoint: str, now: float) -> tuple[dict[str, str], bool]:
        """Count a request in its endpoint's 15-minute window: the x-rate-limit-* headers,
        and whether the window was already used up."""
        with self.lock:
            start, used = self.rate_windows.get(endpoint, (now, 0))
            if now >= start + 900:
                start, used = now, 0
            used += 1
            self.rate_windows[endpoint] = (start, used)
            headers = {
                "x-rate-limit-limit": str(self.rate_limit),
                "x-rate-limit-remaining": str(max(0, self.rate_limit - used)),
                "x-rate-limit-reset": str(int(start + 900)),
            }
            return headers, used > self.rate_limit

    def nonce_seen(self, timestamp: str, nonce: str) -> bool:
        with self.lock:
            key = (timestamp, nonce)
            if key in self.nonces:
                return True
            self.nonces.add(key)
            return False

    # --- posts and media ----------------------------------------------------------

    def new_id(self) -> str:
        with self.lock:
            self.next_id += 1
            return str(self.next_id)

    def duplicate_of(self, text: str) -> StoredPost | None:
        wanted = unicodedata.normalize("NFC", text).strip()
        with self.lock:
            for post in self.posts:
                if not post.deleted and unicodedata.normalize("NFC", post.text).strip() == wanted:
                    return post
        return None

    def store_post(self, text: str, media_ids: list[str], now: float) -> StoredPost:
        with self.lock:
            post = StoredPost(
                self.new_id(), text, shown_text(text, media_ids), iso(now), media_ids=media_ids
            )
            self.posts.append(post)
            self.user_limit(now)
            self.window_posts += 1
            self.save()
            return post

    def store_media(self, info: dict[str, Any]) -> str:
        with self.lock:
            media_id = self.new_id()
            self.media[media_id] = info
            self.save()
            return media_id

    def find(self, post_id: str) -> StoredPost | None:
        with self.lock:
            return next((p for p in self.posts if p.id == post_id), None)

    def delete(self, post_id: str) -> bool:
        with self.lock:
            post = self.find(post_id)
            if post is None or post.deleted:
                return False
            post.deleted = True
            self.save()
            return True

    def live_posts(self) -> list[StoredPost]:
        with self.lock:
            return [p for p in self.posts if not p.deleted]

    def log(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)

    def violation(self, message: str) -> None:
        with self.lock:
            self.violations.append(message)

    def reset(self) -> None:
        with self.lock:
            self.posts.clear()
            self.media.clear()
            self.rules.clear()
            self.random = None
            self.requests.clear()
            self.violations.clear()
            self.auth_failures.clear()
            self.window_start, self.window_posts = None, 0
            self.rate_windows.clear()
            self.save()

    # --- persistence --------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "posts": [asdict(p) for p in self.posts],
                "media": self.media,
                "next_id": self.next_id,
                "window_start": self.window_start,
                "window_posts": self.window_posts,
            }

    def save(self) -> None:
        if self.state_file is None:
            return
        with self.lock:
            tmp = self.state_file.with_suffix(self.state_file.suffix + ".tmp")
            tmp.write_text(json.dumps(self.snapshot(), indent=1), encoding="utf-8")
            os.replace(tmp, self.state_file)

    def _load(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.posts = [StoredPost(**p) for p in data.get("posts", [])]
        self.media = data.get("media", {})
        self.next_id = int(data.get("next_id", FIRST_ID))
        self.window_start = data.get("window_start")
        self.window_posts = int(data.get("window_posts", 0))
