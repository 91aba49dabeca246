"""X's weighted length is twitter-text's: every case of the conformance sections passes."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.channels.registry import measure
from bot.channels.whatsapp.text import whatsapp_length
from bot.channels.x.text import x_length, x_parse
from tests.paths import SPECS

CASES = yaml.safe_load((SPECS / "x" / "twitter-text-validate.yml").read_text(encoding="utf-8"))[
    "tests"
]


def _cases(section: str) -> list[Any]:
    return [pytest.param(case, id=case["description"]) for case in CASES[section]]


@pytest.mark.parametrize("case", _cases("WeightedTweetsWithDiscountedEmojiCounterTest"))
def test_v3_counting(case: dict[str, Any]) -> None:
    assert x_parse(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _cases("UnicodeDirectionalMarkerCounterTest"))
def test_directional_markers(case: dict[str, Any]) -> None:
    assert x_parse(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _cases("WeightedTweetsCounterTest"))
def test_v2_counting_without_emoji_discount(case: dict[str, Any]) -> None:
    # this section predates emoji discounting; every other rule is the same
    assert x_parse(case["text"], discount_emoji=False) == case["expected"]


def test_sections_are_not_empty() -> None:
    assert len(CASES["WeightedTweetsCounterTest"]) >= 20
    assert len(CASES["WeightedTweetsWithDiscountedEmojiCounterTest"]) >= 20


def test_link_counts_23_and_cjk_counts_2() -> None:
    assert x_length("https://example.com/" + "a" * 100) == 23
    assert x_length("日本語") == 6
    assert measure("x", "abc") == 3


def test_whatsapp_counts_utf16_units() -> None:
    assert whatsapp_length("abc") == 3
    assert whatsapp_length("😷") == 2
    assert measure("whatsapp", "é") == 1
