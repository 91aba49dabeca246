"""Rendering and fitting posts; template errors name their file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.registry import FORMATS
from bot.channels.whatsapp.markup import unescape
from bot.channels.x.text import x_length
from bot.editorial.compose import Editor
from bot.editorial.model import ArticleData, Quote
from bot.editorial.text import squash
from bot.errors import UsageError

URL = "https://news.example.com/2025/05/article-with-a-long-slug-that-twitter-counts-as-23"


def _article(title: str, quote: str = "", speaker: str = "Jane Doe", **kw: object) -> ArticleData:
    body = f"Intro paragraph about the story.\n\n“{quote},” said {speaker}." if quote else "Intro."
    return ArticleData(title=title, url=URL, body=body, **kw)  # type: ignore[arg-type]


def test_fitting_drops_hashtags_first_then_quotes_never_the_link() -> None:
    quote = "We will rebuild every school that the floods destroyed, and we will start this week"
    article = _article(
        "Floods: minister promises to rebuild " * 4, quote, tags=("Floods", "Schools", "Budget")
    )
    draft = Editor(FORMATS, {"x": 3}).draft(article, ["x"])
    (post,) = draft.posts
    assert post.fits and URL in post.text
    assert draft.key_quote is not None and post.key_quote == draft.key_quote
    assert len(post.hashtags) < 3 and post.key_quote is not None  # hashtags go before the quote


def test_quote_dropped_before_headline_is_cut() -> None:
    quote = " ".join(["word"] * 40)
    article = _article("A" * 10 + " " + "headline " * 20, quote)
    (post,) = Editor(FORMATS, {}).draft(article, ["x"]).posts
    assert post.fits and post.key_quote is None
    assert post.text.splitlines()[0].endswith("headline") or "…" not in post.text


def test_headline_cut_at_a_word_with_an_ellipsis_as_last_resort() -> None:
    article = _article(" ".join(f"word{i}" for i in range(80)))
    (post,) = Editor(FORMATS, {}).draft(article, ["x"]).posts
    first = post.text.splitlines()[0]
    assert post.fits and first.endswith("…")
    assert first[:-1] in article.title and article.title[len(first) - 1] == " "
    assert URL in post.text


def test_whatsapp_post_keeps_the_quote_verbatim_under_escaping() -> None:
    quote = "The *only* rule is that nobody_ever gives up on a patient, not once"
    article = _article("Hospital *reopens* after fire", quote)
    draft = Editor(FORMATS, {}).draft(article, ["whatsapp"])
    (post,) = draft.posts
    assert draft.key_quote is not None
    assert draft.key_quote.text.rstrip(",") in unescape(post.text)
    assert "*Hospital" in post.text and "*reopens*" not in post.text


def test_template_override_and_strict_undefined(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "x.txt.j2").write_text("{{ title }}\n{{ titel }}\n{{ url }}\n")
    editor = Editor(FORMATS, {}, templates_dir=tmp_path)
    with pytest.raises(UsageError, match=r"x\.txt\.j2, line 2: .*titel"):
        editor.draft(_article("Title"), ["x"])


def test_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "x.txt.j2").write_text("{{ title }}\n\n{% if %}\n")
    with pytest.raises(UsageError, match=r"x\.txt\.j2, line 3"):
        Editor(FORMATS, {}, templates_dir=tmp_path).draft(_article("Title"), ["x"])


def test_sandbox_refuses_unsafe_attribute_access(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "x.txt.j2").write_text("{{ title.__class__.__mro__ }}\n{{ url }}")
    with pytest.raises(UsageError, match=r"x\.txt\.j2"):
        Editor(FORMATS, {}, templates_dir=tmp_path).draft(_article("Title"), ["x"])


headlines = st.text(min_size=1, max_size=400).filter(lambda s: s.strip())
quotes = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300
)
hashtags = st.lists(st.from_regex(r"#[A-Za-zÀ-ÿ0-9]{1,30}", fullmatch=True), max_size=5)


@settings(max_examples=150, deadline=None)
@given(headlines, quotes, hashtags)
def test_any_x_post_fits_and_keeps_the_link(title: str, quote: str, tags: list[str]) -> None:
    article = ArticleData(title=title, url=URL, body="x")
    editor = Editor(FORMATS, {"x": 5})
    key = Quote(text=quote, speaker="A Speaker", score=1.0)
    post = editor.post("x", article, key, [key], tags)
    assert x_length(post.text) <= 280
    assert post.fits and URL in post.text
    if post.key_quote is not None:
        assert post.key_quote.text == quote


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet="abcdefghij klmno*_~“”,.", min_size=5, max_size=120),
        min_size=1,
        max_size=6,
    )
)
def test_any_quote_in_a_post_is_a_substring_of_the_article(paragraphs: list[str]) -> None:
    body = "\n\n".join(f"“{p},” said Jane Doe." for p in paragraphs)
    article = ArticleData(title="Headline", url=URL, body=body)
    draft = Editor(FORMATS, {}).draft(article, ["x", "whatsapp"])
    # the article's words, whitespace aside (a run of spaces in the source may be one)
    source = squash(body)
    for post in draft.posts:
        if post.key_quote is not None:
            for piece in post.key_quote.pieces:
                assert squash(piece) in source
            shown = post.key_quote.text.rstrip(",;:")
            assert shown in unescape(post.text)
