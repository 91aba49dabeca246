"""What may be a key quote, and which wins."""

from __future__ import annotations

from bot.editorial.quotes import choose_key_quote, find_quotes
from bot.editorial.scoring import rank
from bot.editorial.text import clean_body


def key(body: str, title: str = "Headline about the story") -> str | None:
    quote = choose_key_quote(find_quotes(clean_body(body)), title)
    return quote.text if quote else None


def test_unattributed_quotation_is_never_the_key_quote() -> None:
    assert key("Residents call it “the longest winter anyone in this valley can remember”.") is None


def test_scare_quotes_and_titles_of_works_are_not_key_quotes() -> None:
    body = (
        "The director, Ana Ruiz, said the “reset” was over.\n\n"
        "Her new film “The Long Night Of The Silent River Town” opens on Friday, Ruiz said."
    )
    assert key(body) is None


def test_a_repeat_of_the_headline_is_not_a_key_quote() -> None:
    title = "Minister: we will close every coal plant by 2030"
    body = "“We will close every coal plant by 2030,” the minister, Joan Pike, said."
    assert key(body, title) is None


def test_direct_attribution_beats_inherited_and_statements_beat_fragments() -> None:
    body = (
        "The inquiry chair, Sir Paul Grant, said the report was “a record of failure at every "
        "level of the service”.\n\n"
        "“Nobody who read these warnings in 2019 can say they did not know what was coming,” "
        "Grant said. “The families deserved far better than they got from this service.”"
    )
    ranked = rank(find_quotes(clean_body(body)), "Inquiry condemns service")
    assert ranked[0].text.startswith("Nobody who read these warnings")
    assert ranked[0].speaker == "Paul Grant"
    assert ranked[-1].text.startswith("a record of failure")  # a fragment ranks last


def test_quote_over_45_words_is_too_long() -> None:
    long = " ".join(["word"] * 50)
    assert key(f"“{long},” said Tom Reed.") is None


def test_a_quotation_too_long_for_a_post_competes_with_its_first_whole_sentences() -> None:
    from bot.editorial.model import Quote
    from bot.editorial.scoring import excerpt, rank

    text = (
        "Em 2012 eu errei. Ele não era presidente, mas fui ao Instituto e mandei felicitações "
        "por um aniversário. Não me posicionei politicamente. Não tenho partido político, tenho "
        "sim a torcida para que o Brasil seja melhor em igualdade social. E que nossas "
        "prioridades sejam educação e punição. Que seja dada a possibilidade de estudo ao "
        "garoto de São Braz, que não tem chão batido para ir à escola."
    )
    whole = Quote(text, "Tite", attribution="direct", speaker_kind="person")
    part = excerpt(whole)
    assert part is not None and text.startswith(part.text)
    assert part.text.endswith("igualdade social.")  # whole sentences only, verbatim
    assert part.speaker == "Tite"
    (key,) = rank([whole], "Tite diz que errou ao levar taça da Libertadores a Lula em 2012")
    assert key.text == part.text
    assert excerpt(Quote("Short and whole.", "Tite")) is None
