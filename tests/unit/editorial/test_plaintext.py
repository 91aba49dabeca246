from __future__ import annotations

from bot.editorial.extract import from_text
from tests.paths import SEED

TEXT = """News > Europe > Energy

Gas prices fall as storage fills up

Gas prices fell for a third week as storage sites filled up before winter.
The terminal at Rotterdam (Photo: Port authority)

“We have never started a winter with this much gas in the ground,” said trader Eva Lund.

Follow our Energy Desk on Telegram

Analysts expect prices to rise again in January.
"""


def test_breadcrumb_promo_and_caption_are_not_article_text() -> None:
    article = from_text(TEXT, url="file:///a.txt")
    assert article.title == "Gas prices fall as storage fills up"
    assert "Telegram" not in article.body
    assert "Photo:" not in article.body
    assert "Europe > Energy" not in article.body
    assert "Eva Lund" in article.body
    assert article.language == "en"


def test_seed_headline_and_no_promo_line() -> None:
    article = from_text(SEED.read_text(encoding="utf-8"))
    assert article.title == "India-Japan Ties Steady; Upgrade Around The Corner?"
    assert "WhatsApp Channel" not in article.body
    assert "Home Asia" not in article.body
    assert not article.body.startswith(article.title)


def test_plain_first_line_is_the_headline() -> None:
    article = from_text("Council approves budget\n\nThe council approved the budget on Monday.")
    assert article.title == "Council approves budget"
    assert article.body == "The council approved the budget on Monday."
