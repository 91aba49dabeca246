"""`.env.example` lists every setting, and nothing that is not one."""

from __future__ import annotations

import re

from pydantic import BaseModel

from bot.settings import Settings
from tests.paths import REPO


def setting_names() -> set[str]:
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= {f"NEWSBOT_{name}__{sub}".upper() for sub in annotation.model_fields}
        else:
            names.add(f"NEWSBOT_{name}".upper())
    return names


def test_env_example_lists_every_setting_with_a_comment() -> None:
    text = (REPO / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*(NEWSBOT_[A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert listed == setting_names()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("NEWSBOT_"):
            # a comment sits above each setting or its group
            above = [
                candidate for candidate in lines[max(0, i - 6) : i] if candidate.startswith("#")
            ]
            assert above, f"no comment above {line}"


def test_env_example_values_are_valid_settings() -> None:
    text = (REPO / ".env.example").read_text()
    values = dict(re.findall(r"^(NEWSBOT_[A-Z0-9_]+)=(.*)$", text, flags=re.MULTILINE))
    env = {k: v for k, v in values.items() if v}
    import os

    saved = dict(os.environ)
    try:
        os.environ.update(env)
        Settings(_env_file=None)
    finally:
        os.environ.clear()
        os.environ.update(saved)
