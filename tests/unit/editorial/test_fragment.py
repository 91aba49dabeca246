"""Feed content to paragraph text: paragraphs kept, the feed's own calls to action dropped."""

from __future__ import annotations

from bot.editorial.fragment import fragment_to_text


def test_paragraphs_lists_and_breaks_become_paragraphs() -> None:
    html = "<p>Hello <b>world</b>.</p><p>“A quote,” he said.<br>Next line</p><ul><li>one</li></ul>"
    assert fragment_to_text(html) == "Hello world.\n\n“A quote,” he said.\n\nNext line\n\none"


def test_scripts_and_styles_are_not_text() -> None:
    assert fragment_to_text("<p>Kept.</p><script>alert(1)</script><style>p{}</style>") == "Kept."


def test_a_feeds_calls_to_action_are_dropped_not_short_news() -> None:
    html = (
        "<p>The FBI said it had concerns.</p><p>More rain expected.</p>"
        "<p>Related: Fact check: the speech analysed</p><p><a href='/x'>Continue reading...</a></p>"
        "<p>Read more »</p>"
    )
    assert fragment_to_text(html) == "The FBI said it had concerns.\n\nMore rain expected."


def test_plain_text_passes_through() -> None:
    assert fragment_to_text("Just words, no markup.") == "Just words, no markup."
