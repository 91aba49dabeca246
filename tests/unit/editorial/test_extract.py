"""Extraction from real saved pages (the fixtures in tests/data)."""

from __future__ import annotations

import json

import pytest

from bot.editorial.extract import from_html
from bot.editorial.model import ArticleData
from tests.paths import FIXTURES

LABELS = json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8"))
PAGES = [pytest.param(label, id=label["id"]) for label in LABELS if label["file"].endswith(".html")]


@pytest.mark.parametrize("label", PAGES)
def test_page_metadata(label: dict[str, object]) -> None:
    html = (FIXTURES / str(label["file"])).read_text(encoding="utf-8")
    article = from_html(html)
    assert article.title in {label["title"], *label.get("title_alternatives", [])}  # type: ignore[misc]
    assert article.language == label["language"]
    assert article.canonical_url == label["canonical_url"]
    assert str(label["title"]) not in article.body.split("\n\n")[0]


def test_feed_fields_fill_what_the_page_lacks() -> None:
    html = "<html><head><title>T</title></head><body><article><h1>Page headline here</h1>" + (
        "<p>" + "Some words of the story here. " * 30 + "</p></article></body></html>"
    )
    feed = ArticleData(
        title="Feed title", url="https://example.com/a", author="Feed Author", tags=("Politics",)
    )
    article = from_html(html, "https://example.com/a", fallback=feed)
    assert article.author == "Feed Author"
    assert "Politics" in article.tags
    assert "Some words of the story" in article.body
