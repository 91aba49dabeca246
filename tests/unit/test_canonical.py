from __future__ import annotations

import pytest

from bot.sources.canonical import canonical_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://Example.com/a?utm_source=x&utm_medium=rss&id=5", "https://example.com/a?id=5"),
        ("https://example.com/a?fbclid=abc", "https://example.com/a"),
        ("https://example.com/a?gclid=1&mc_cid=2&ref_src=twsrc", "https://example.com/a"),
        ("https://example.com:443/a#comments", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("HTTPS://EXAMPLE.COM", "https://example.com/"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
        ("https://example.com/news/Story-Title", "https://example.com/news/Story-Title"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_tracking_variants_of_one_link_are_one_article() -> None:
    base = "https://news.example/2026/03/story"
    variants = [base, base + "?utm_campaign=feed", base + "#top", base + "?fbclid=XYZ&utm_source=t"]
    assert {canonical_url(v) for v in variants} == {base}
