"""The two fake platforms as separate processes, with random faults, for the chaos run.

Each fails 30 % of all requests at random — sends, the id a WhatsApp send reserves
first, and the lookups reconciliation makes — four ways: 500; 429 with a reset a second
away; a hang past the client's timeout before anything is stored; a dropped connection
after the post was stored (after the answer was made, for a read).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes.fake_waha_process import WahaProcess
from tests.fakes.fake_x import CREDENTIALS
from tests.fakes.fake_x_process import FakeXProcess

FAULT_RATE = 0.3
HANG_SECONDS = 2.5  # longer than the channels' 1.5 s timeout in the chaos workers
CHAT = "120363400000000077@newsletter"
WAHA_KEY = "chaos-waha-key"


def x_plan(seed: int) -> dict[str, Any]:
    return {
        "random": {
            "rate": FAULT_RATE,
            "actions": ["500", "429", "hang", "drop_after_store"],
            "seed": seed,
            "method": "*",
            "path": "/2/*",
        },
        "hang_seconds": HANG_SECONDS,
        "reset_in": 1,
    }


def waha_plan(seed: int) -> dict[str, Any]:
    return {
        "random": {
            "rate": FAULT_RATE,
            "seed": seed,
            "on": "any",
            "faults": [
                {"kind": "status", "status": 500},
                {"kind": "status", "status": 429, "retry_after": 1},
                {"kind": "hang", "seconds": HANG_SECONDS},
                {"kind": "drop_after_store"},
            ],
        }
    }


@dataclass
class Platforms:
    x: FakeXProcess
    waha: WahaProcess

    @classmethod
    def start(cls, seed: int, folder: Path) -> Platforms:
        x = FakeXProcess(
            "--hang-seconds", str(HANG_SECONDS),
            "--state-file", str(folder / "fake-x.json"),
            "--plan", json.dumps(x_plan(seed)),
        )  # fmt: skip
        try:
            waha = WahaProcess.start(
                api_key=WAHA_KEY, channels=[f"{CHAT}:Chaos Desk"], faults=waha_plan(seed + 1)
            )
        except BaseException:
            x.stop()
            raise
        return cls(x, waha)

    def env(self) -> dict[str, str]:
        """Worker settings that point both channels at the fakes."""
        c = CREDENTIALS
        return {
            "NEWSBOT_CHANNELS": "x,whatsapp",
            "NEWSBOT_X__API_KEY": c.api_key,
            "NEWSBOT_X__API_SECRET": c.api_secret,
            "NEWSBOT_X__ACCESS_TOKEN": c.access_token,
            "NEWSBOT_X__ACCESS_TOKEN_SECRET": c.access_token_secret,
            "NEWSBOT_X__BASE_URL": self.x.url,
            "NEWSBOT_X__TIMEOUT": "1.5s",
            "NEWSBOT_WHATSAPP__BACKEND": "waha",
            "NEWSBOT_WHATSAPP__WAHA_URL": self.waha.url,
            "NEWSBOT_WHATSAPP__WAHA_API_KEY": WAHA_KEY,
            "NEWSBOT_WHATSAPP__CHANNEL_ID": CHAT,
            "NEWSBOT_WHATSAPP__TIMEOUT": "1.5s",
        }

    def injected(self) -> dict[str, int]:
        x = sum(1 for r in self.x.requests() if r.get("action") not in (None, "ok"))
        waha = len(self.waha.faults()["applied"])
        return {"x": x, "whatsapp": waha, "total": x + waha}

    def stop(self) -> str:
        self.x.stop()
        return self.waha.stop()
