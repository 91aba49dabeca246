"""The platform previews: WhatsApp markup drawn as WhatsApp draws it, article text inert."""

from __future__ import annotations

import pytest

from bot.channels.whatsapp.markup import escape
from bot.channels.whatsapp.preview import whatsapp_html
from bot.channels.x.preview import x_html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("*bold* and _it_ and ~gone~", "<strong>bold</strong> and <em>it</em> and <s>gone</s>"),
        ("a*b*c stays", "a*b*c stays"),  # inside a word: not markup
        ("* lone * stars", "* lone * stars"),
        ("> quoted\nplain", '<span class="wa-quote">quoted</span>plain'),
        ("```code *x*```", "<code>code *x*</code>"),
        ("<b>not a tag</b>", "&lt;b&gt;not a tag&lt;/b&gt;"),
        (
            "see https://a.example/x?q=1&r=2",
            'see <a href="https://a.example/x?q=1&amp;r=2" '
            'rel="noopener noreferrer nofollow" target="_blank">https://a.example/x?q=1&amp;r=2</a>',
        ),
    ],
)
def test_whatsapp_markup(text: str, html: str) -> None:
    assert str(whatsapp_html(text)) == html


def test_article_markers_escaped_by_the_editor_stay_literal() -> None:
    headline = "5* hotels and *new* rules for _everyone_"
    shown = str(whatsapp_html(f"*{escape(headline)}*"))
    assert shown.startswith("<strong>") and shown.endswith("</strong>")
    assert shown.count("<strong>") == 1 and "<em>" not in shown
    assert "*new*" in shown.replace("\u2060", "")


def test_x_preview_links_and_hashtags_without_markup() -> None:
    html = str(x_html("*not bold* #Politics\nhttps://x.example/a <i>"))
    assert html == (
        '*not bold* <span class="tag">#Politics</span><br><a href="https://x.example/a" '
        'rel="noopener noreferrer nofollow" target="_blank">https://x.example/a</a> &lt;i&gt;'
    )
