"""Loads twitter-text-parser without setuptools' pkg_resources.

The package reads its emoji table with ``pkg_resources.resource_string``, the only use it
makes of setuptools. Importing pkg_resources costs ~10 MB and a fifth of a second, warns
that it is deprecated, and is gone from setuptools 81 on. For the length of the import a
stand-in answers that one call from ``importlib.resources``.
"""

from __future__ import annotations

import importlib.resources
import sys
import types
from pathlib import Path
from typing import Any


def _resource_string(module: str, name: str) -> bytes:
    """A file next to ``module``, as pkg_resources reads it (the module may be mid-import)."""
    path = getattr(sys.modules[module], "__file__", None)
    if path is None:
        return importlib.resources.files(module).joinpath(name).read_bytes()
    return Path(path).with_name(name).read_bytes()


def load() -> tuple[Any, dict[str, Any]]:
    """``(parse_tweet, config)`` of twitter-text-parser."""
    real = sys.modules.get("pkg_resources")
    if real is None:
        shim = types.ModuleType("pkg_resources")
        shim.resource_string = _resource_string  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    try:
        from twitter_text import parse_tweet
        from twitter_text.config import config
    finally:
        if real is None:
            # anyone else asking for pkg_resources later gets the real one
            sys.modules.pop("pkg_resources", None)
    return parse_tweet, config
