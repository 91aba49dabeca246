"""Quotations and their speakers on articles written for the test, in several styles."""

from __future__ import annotations

from bot.editorial.quotes import choose_key_quote, find_quotes
from bot.editorial.text import clean_body


def quotes_of(text: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in find_quotes(clean_body(text)) if not q.nested]


def test_trailing_and_inverted_attribution() -> None:
    body = (
        "The mayor of Springfield, Ana Lopez, opened the bridge on Monday.\n\n"
        "“This bridge will carry forty thousand cars a day across the river,” Lopez said.\n\n"
        "“Nobody asked the residents what they wanted from the project,” said Tom Reed, "
        "who leads the tenants' association."
    )
    assert quotes_of(body) == [
        ("This bridge will carry forty thousand cars a day across the river,", "Ana Lopez"),
        ("Nobody asked the residents what they wanted from the project,", "Tom Reed"),
    ]


def test_pronoun_resolves_to_the_last_speaker_not_the_last_name() -> None:
    body = (
        "A senior European official told reporters on Tuesday that talks had stalled.\n\n"
        "He said progress depended on the other side.\n\n"
        "The summit, where Chancellor Olaf Scholz meets President Emmanuel Macron, opens "
        "in May.\n\n"
        "“We cannot sign an agreement that our parliaments would reject outright,” he said."
    )
    ((_, speaker),) = quotes_of(body)
    assert speaker == "a senior European official"


def test_she_skips_a_man_and_he_skips_a_woman() -> None:
    body = (
        "Mrs Helen Park, the head teacher, spoke first. Mr David Cole, the council leader, "
        "spoke after her.\n\n"
        "“The school has waited eleven years for a new roof and a working boiler,” she said.\n\n"
        "“The money will be in next year's budget, I can promise you that,” he said."
    )
    assert [s for _, s in quotes_of(body)] == ["Helen Park", "David Cole"]


def test_split_quote_and_a_second_sentence_take_the_same_speaker() -> None:
    body = (
        "“We are ready,” the coach, Maria Silva, said, “and the players know exactly what is "
        "at stake on Saturday.” “Nobody here is thinking about the weather or the crowd.”"
    )
    assert quotes_of(body) == [
        ("We are ready,", "Maria Silva"),
        ("and the players know exactly what is at stake on Saturday.", "Maria Silva"),
        ("Nobody here is thinking about the weather or the crowd.", "Maria Silva"),
    ]


def test_quote_over_two_paragraphs_is_one_quote_with_parts() -> None:
    body = (
        "Jane Doe, a nurse at the clinic, described the night.\n\n"
        "“We had twelve patients and two beds. Nobody slept that night.\n\n"
        "“By morning the corridor was full of families waiting for news,” she said."
    )
    (quote,) = find_quotes(clean_body(body))
    assert quote.parts == (
        "We had twelve patients and two beds. Nobody slept that night.",
        "By morning the corridor was full of families waiting for news,",
    )
    assert quote.text == " ".join(quote.parts)
    assert quote.speaker == "Jane Doe"


def test_paragraph_of_quoted_text_takes_the_speaker_of_the_paragraph_before() -> None:
    body = (
        "The minister, Pedro Alves, defended the plan in parliament on Thursday.\n\n"
        "“The reform will not touch a single pension that is already being paid.”"
    )
    assert quotes_of(body)[0][1] == "Pedro Alves"


def test_unattributed_quote_in_running_text_has_no_speaker() -> None:
    body = "The bill protects “the independence of the national territory and its defence” in law."
    assert quotes_of(body) == [("the independence of the national territory and its defence", None)]


def test_french_guillemets_with_inner_spaces() -> None:
    body = (
        "« Nous ne reculerons pas devant la pression de la rue », a déclaré Emmanuel Macron "
        "mardi soir.\n\n"
        "« Le texte sera voté avant l’été », a-t-il ajouté."
    )
    assert quotes_of(body) == [
        ("Nous ne reculerons pas devant la pression de la rue", "Emmanuel Macron"),
        ("Le texte sera voté avant l’été", "Emmanuel Macron"),
    ]


def test_german_low_high_quotes() -> None:
    body = (
        "„Wir werden die Steuern im nächsten Jahr nicht erhöhen“, sagte Finanzministerin Anna Berg."
    )
    assert quotes_of(body) == [
        ("Wir werden die Steuern im nächsten Jahr nicht erhöhen", "Anna Berg")
    ]


def test_german_reversed_guillemets() -> None:
    body = (
        "»Das ist ein guter Tag für die Stadt und für alle Pendler«, sagte Bürgermeister Jan Vogt."
    )
    assert quotes_of(body) == [
        ("Das ist ein guter Tag für die Stadt und für alle Pendler", "Jan Vogt")
    ]


def test_japanese_corner_brackets() -> None:
    body = "田中首相は記者団に「経済の再生が最優先の課題だ」と述べた。"
    ((text, speaker),) = quotes_of(body)
    assert text == "経済の再生が最優先の課題だ"
    assert speaker is not None and "田中首相" in speaker


def test_nested_quote_keeps_inner_marks_verbatim() -> None:
    body = "“They told us ‘the water is safe to drink’ and we believed them,” said resident Li Wei."
    quotes = find_quotes(clean_body(body))
    outer = [q for q in quotes if not q.nested]
    inner = [q for q in quotes if q.nested]
    assert outer[0].text == "They told us ‘the water is safe to drink’ and we believed them,"
    assert inner[0].text == "the water is safe to drink"


def test_apostrophes_are_not_quotes() -> None:
    body = "It’s the workers’ union that won, and the drivers’ pay rose by a fifth this year."
    assert quotes_of(body) == []


def test_an_unclosed_mark_does_not_swallow_the_next_quote() -> None:
    body = (
        'He measured 6" on the ruler and wrote “see annex, then left. Later '
        "“The annex was never published by the ministry,” said auditor Sara Lind."
    )
    assert ("The annex was never published by the ministry,", "Sara Lind") in quotes_of(body)


def test_article_without_quotations_gets_no_key_quote() -> None:
    body = clean_body(
        "The company released version 5.3 of its password manager on Wednesday.\n\n"
        "The update adds one-time passwords and faster autofill in the browser."
    )
    assert find_quotes(body) == []
    assert choose_key_quote(find_quotes(body), "Password manager update") is None
