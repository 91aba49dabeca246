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


def test_editorial_names_no_channel() -> None:
    """Each channel's text format is handed in: editorial imports no channel package, so
    there is no cycle between the two and no channel's rules can be a fallback."""
    code = (
        "import sys, bot.editorial.compose, bot.editorial.render, bot.editorial.extract;"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('bot.channels'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
