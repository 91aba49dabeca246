from __future__ import annotations

from pathlib import Path

import pytest

from bot.editorial.hashtags import hashtags_for, load_map, to_hashtag
from bot.errors import UsageError


def test_camel_case_keeps_existing_capitals_and_unicode_letters() -> None:
    assert to_hashtag("online shopping") == "#OnlineShopping"
    assert to_hashtag("iPhone sales") == "#iPhoneSales"
    assert to_hashtag("sécurité sociale") == "#SécuritéSociale"
    assert to_hashtag("安倍晋三") == "#安倍晋三"
    assert to_hashtag("Côte d'Ivoire") == "#CôteDIvoire"
    assert to_hashtag("2024") is None
    assert to_hashtag("—") is None


def test_categories_first_generic_dropped_duplicates_merged() -> None:
    tags = hashtags_for(["News", "Climate change", "climate Change"], keywords=["flooding", "UK"])
    assert tags == ["#ClimateChange", "#Flooding", "#UK"]


def test_map_wins_and_matches_the_headline(tmp_path: Path) -> None:
    path = tmp_path / "tags.toml"
    path.write_text(
        """[hashtags]
"India-Japan relations" = "#IndiaJapan"
"Quad" = "#QuadSummit"
"Politics" = ""
"""
    )
    mapping = load_map(path)
    tags = hashtags_for(
        ["Politics", "India-Japan relations"], mapping, text="Quad leaders meet in Delhi"
    )
    assert tags == ["#IndiaJapan", "#QuadSummit"]


def test_long_seo_keywords_are_not_hashtags() -> None:
    assert hashtags_for([], keywords=["tunis attack tunisia attack terror", "tunisia"]) == [
        "#Tunisia"
    ]


def test_bad_map_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("not = [valid")
    with pytest.raises(UsageError, match="NEWSBOT_HASHTAGS_FILE"):
        load_map(path)
    with pytest.raises(UsageError, match="does not exist"):
        load_map(tmp_path / "missing.toml")
