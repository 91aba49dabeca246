"""Where templates are found: the newsroom's folder first, then the bundled ones.

Its own module so the web pages find their templates without loading the renderer (and
twitter-text with it).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: where a regular (non-editable) install puts the bundled templates (pyproject data-files)
INSTALLED_TEMPLATES = Path(sys.prefix) / "share" / "newsbot" / "templates"


def template_dirs(override: Path | None) -> list[Path]:
    """Where templates are looked up: the newsroom's override first, then the bundled ones
    (also used by the web app for its pages)."""
    dirs = [override] if override else []
    bundled = REPO_TEMPLATES if REPO_TEMPLATES.is_dir() else INSTALLED_TEMPLATES
    dirs.append(bundled)
    return [d for d in dirs if d.is_dir()]
