"""What of a feed's summary a WhatsApp post shows: the first paragraph, whole sentences."""

from __future__ import annotations

from bot.channels.registry import FORMATS
from bot.editorial.compose import Editor
from bot.editorial.model import ArticleData
from bot.editorial.standfirst import LIMIT, standfirst

LONG_SENTENCE = "The council met for six hours on Tuesday and agreed on a budget that " * 3


def test_a_short_summary_is_kept_whole() -> None:
    assert standfirst("Ministers agree a deal.") == "Ministers agree a deal."


def test_only_the_first_paragraph_is_kept() -> None:
    text = "The standfirst, in one line.\n\nThe story's first paragraph.\n\nIts second."
    assert standfirst(text) == "The standfirst, in one line."


def test_a_long_paragraph_keeps_the_sentences_that_fit() -> None:
    first = "Ministers agreed a deal on Tuesday after talks in Brussels."
    text = f"{first} {LONG_SENTENCE}{LONG_SENTENCE}ended."
    assert standfirst(text) == first


def test_abbreviations_and_initials_do_not_end_a_sentence() -> None:
    first = "Mr. Smith told J. Doe that the U.S. delegation would stay. "
    text = first + LONG_SENTENCE * 2 + "ended."
    assert standfirst(text) == first.strip()


def test_a_paragraph_without_a_sentence_end_in_reach_is_cut_at_a_word() -> None:
    text = "word " * 200
    short = standfirst(text)
    assert short.endswith("word…") and len(short) <= LIMIT + 1


def test_whatsapp_post_shows_the_standfirst_not_the_story() -> None:
    summary = (
        "Agency raises concerns about omissions in the document.\n\n"
        "The FBI said on Wednesday it had concerns about the memo.\n\n"
        "After both leaders made statements, the fight took a twist."
    )
    article = ArticleData(
        title="FBI has concerns about memo",
        url="https://news.example/fbi",
        body="The FBI said on Wednesday it had concerns.",
        summary=summary,
    )
    (post,) = Editor(FORMATS, {}).draft(article, ["whatsapp"]).posts
    assert "Agency raises concerns about omissions in the document." in post.text
    assert "The FBI said on Wednesday" not in post.text
    assert post.text.rstrip().endswith("https://news.example/fbi")


def test_a_summary_that_only_repeats_the_headline_is_left_out() -> None:
    from bot.editorial.standfirst import without_headline

    title = "India-Japan Ties Steady; Upgrade Around The Corner?"
    assert without_headline(title, title) is None
    assert without_headline("India-Japan ties steady: upgrade around the corner", title) is None
    assert without_headline(f"{title}\n\nJapan is a technological power house.", title) == (
        "Japan is a technological power house."
    )
    assert without_headline("Japan is a technological power house.", title) == (
        "Japan is a technological power house."
    )


def test_the_bundled_example_prints_its_first_headline_once_on_whatsapp() -> None:
    from pathlib import Path

    from bot.http import make_client
    from bot.sources.articles import articles_from_source

    feed = Path(__file__).resolve().parents[3] / "bot" / "example" / "feed.xml"
    with make_client() as client:
        first = articles_from_source(str(feed), client, "never", 10_000_000)[0]
    (post,) = Editor(FORMATS, {}).draft(first, ["whatsapp"]).posts
    assert post.text.count("India-Japan Ties Steady") == 1
