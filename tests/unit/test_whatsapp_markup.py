"""Article text cannot switch WhatsApp markup on, and stays the article's characters."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.whatsapp.markup import JOINER, escape, unescape

# WhatsApp pairs a marker that opens at a boundary (start, space, punctuation) before a
# non-space, with one that closes after a non-space at a boundary.
_PAIRED = re.compile(r"(?:^|(?<=[\s\W]))([*_~])(?=\S)(?:(?!\1).)*?(?<=\S)\1(?=$|[\s\W])")


def _pairs(text: str) -> list[str]:
    """The formatted runs WhatsApp would see, treating U+2060 as a letter (as it is not a
    boundary): a marker touching a joiner can neither open nor close."""
    probe = text.replace(JOINER, "a")
    return [m.group(0) for m in _PAIRED.finditer(probe) if "a" + m.group(1) not in m.group(0)[:2]]


def test_headline_with_asterisks_cannot_start_bold() -> None:
    title = "5* hotels and *new* rules for _all_ guests"
    post = f"*{escape(title)}*"
    assert unescape(post) == f"*{title}*"
    inner = escape(title)
    assert _pairs(inner) == []
    assert "*new*" not in post


def test_lone_marker_between_spaces_is_left_alone() -> None:
    assert escape("a * b") == "a * b"


def test_line_start_markup_is_neutralised() -> None:
    assert escape("> not a quote").startswith(JOINER + ">")
    assert escape("- not a list").startswith(JOINER + "-")


@given(st.text(alphabet=st.sampled_from(list("ab *_~`>-1. \u00e9")), max_size=40))
def test_escape_only_adds_joiners(text: str) -> None:
    assert unescape(escape(text)) == text
    assert _pairs(escape(text)) == []
