"""A channel's name is spelled out only in its own package and the registry: everywhere
else the desk asks the registry, so a new channel never falls back to another's rules."""

from __future__ import annotations

import re

from bot.channels.registry import CHANNELS
from tests.paths import REPO

BOT = REPO / "bot"
#: what may name a channel: its package, and the one list of channels
ALLOWED = ("bot/channels/registry.py",)
TEMPLATES = REPO / "templates" / "web"


def _offences(name: str) -> list[str]:
    literal = re.compile(rf"""(["']){re.escape(name)}\1""")
    own = f"bot/channels/{name}/"
    found = []
    for path in sorted(BOT.rglob("*.py")) + sorted(TEMPLATES.rglob("*.html")):
        where = path.relative_to(REPO).as_posix()
        if where.startswith(own) or where in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if literal.search(line):
                found.append(f"{where}:{number}: {line.strip()}")
    return found


def test_channel_names_appear_only_in_their_package_and_the_registry() -> None:
    names = [spec.name for spec in CHANNELS]
    assert {"x", "whatsapp"} <= set(names)
    offences = {name: _offences(name) for name in names}
    assert offences == {name: [] for name in names}


def test_the_check_finds_a_name_where_it_does_not_belong() -> None:
    # the pattern itself: both quote styles, and not a longer word
    literal = re.compile(r"""(["'])x\1""")
    assert literal.search('if channel == "x":') and literal.search("name = 'x'")
    assert not literal.search('"xy"') and not literal.search('"x-post"')


def test_no_module_in_bot_is_over_400_lines() -> None:
    long = {
        path.relative_to(REPO).as_posix(): n
        for path in BOT.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
