"""Where the tests find the repository and the shared specs and fixtures."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSBOT_SHARED") or REPO.parent / "shared")
SPECS = SHARED / "specs"
FIXTURES = SHARED / "fixtures"
SEED = SHARED / "seed" / "article.txt"
