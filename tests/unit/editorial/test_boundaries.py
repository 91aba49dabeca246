"""The editorial package decides; it does no I/O of its own (DESIGN.md, STYLE.md §1)."""

from __future__ import annotations

import subprocess
import sys


def test_editorial_imports_no_network_database_or_web_library() -> None:
    code = (
        "import sys, bot.editorial.compose, bot.editorial.extract;"
        "print(','.join(m for m in ('httpx','sqlalchemy','tweepy','fastapi') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
