"""Where the tests find the repository and the specs and fixtures copied into it (tests/data)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SPECS = DATA / "specs"
FIXTURES = DATA / "fixtures"
SEED = DATA / "seed" / "article.txt"
