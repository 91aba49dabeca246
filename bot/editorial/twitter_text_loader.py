"""Loads twitter-text-parser without setuptools' pkg_resources.

The package reads its emoji table with ``pkg_resources.resource_string``, the only use it
makes of setuptools. Importing pkg_resources costs ~3 MB resident in the bot's process,
warns that it is deprecated, and is gone from setuptools 81 on. For the length of the import a
stand-in answers that one call from ``importlib.resources``.

The module that builds the emoji pattern also keeps what it built it from (the Unicode
emoji table as text, as a list and as a dict, ~1.6 MB resident); nothing reads them after
the pattern is compiled, so they are let go.
"""

from __future__ import annotations

import functools
import importlib.resources
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple


class TwitterText(NamedTuple):
    parse_tweet: Callable[..., Any]
    config: dict[str, Any]
    extract_urls: Callable[[str], list[str]]
    extract_urls_with_indices: Callable[[str], list[dict[str, Any]]]


def _resource_string(module: str, name: str) -> bytes:
    """A file next to ``module``, as pkg_resources reads it (the module may be mid-import)."""
    path = getattr(sys.modules[module], "__file__", None)
    if path is None:
        return importlib.resources.files(module).joinpath(name).read_bytes()
    return Path(path).with_name(name).read_bytes()


@functools.cache
def load() -> TwitterText:
    """What we use of twitter-text-parser; every module imports it through here."""
    real = sys.modules.get("pkg_resources")
    if real is None:
        shim = types.ModuleType("pkg_resources")
        shim.resource_string = _resource_string  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    try:
        from twitter_text import extract_urls, extract_urls_with_indices, parse_tweet
        from twitter_text.config import config
    finally:
        if real is None:
            # anyone else asking for pkg_resources later gets the real one
            sys.modules.pop("pkg_resources", None)
    _drop_emoji_tables()
    return TwitterText(parse_tweet, config, extract_urls, extract_urls_with_indices)


# names twitter_text.regexp.emoji leaves behind once ``emoji`` (the pattern) is compiled
_EMOJI_TABLES = (
    "emoji_raw",
    "emoji_list",
    "emoji_dict",
    "multi_codepoint_emoji_joined",
    "single_codepoint_emoji",
    "single_codepoint_emoji_int",
    "single_codepoint_emoji_ranges",
    "single_codepoint_emoji_raw",
)


def _drop_emoji_tables() -> None:
    module = sys.modules.get("twitter_text.regexp.emoji")
    for name in _EMOJI_TABLES:
        if module is not None and hasattr(module, name):
            delattr(module, name)
