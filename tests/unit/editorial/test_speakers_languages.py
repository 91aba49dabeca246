"""Attribution beyond English: the verb after the quote, the speaker after the verb, and a
role resolved to the person named before. Sentences from the multilingual fixtures."""

from __future__ import annotations

import pytest

from bot.editorial.quotes import find_quotes
from bot.editorial.text import clean_body


def _speakers(text: str) -> list[str | None]:
    return [q.speaker for q in find_quotes(clean_body(text)) if len(q.text.split()) >= 6]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "“Pilar estaba gobernada por Cambiemos y nos encontramos con obras paralizadas, "
            "sin financiación”, destacó Achával.",
            "Achával",
        ),
        (
            '"Ele era um dos líderes, mas resistiu à prisão. Esse grupo é antigo. Tem raiz há '
            'cinco anos", declarou o delegado Odair Carneiro, do Draco.',
            "Odair Carneiro",
        ),
        (
            "„Naším zájmem je co nejrychlejší předání moci. Zatím nevíme, kdo má být ministr "
            "financí,“ řekl Stanjura.",
            "Stanjura",
        ),
        (
            "«Pour certains d’entre eux on est très interrogatif», a ajouté Laurent Fabius.",
            "Laurent Fabius",
        ),
        (
            "«È molto emozionante, sono qui con una donna fantastica, la premier italiana», ha "
            "detto Trump agli ospiti riuniti nel salone.",
            "Trump",
        ),
        (
            "»Der Zusammenbruch der SVB zeigt, dass es Mängel in der Regulierung gibt«, "
            "erklärte der für die Bankenaufsicht zuständige Fed-Vizechef Michael Barr in einem "
            "Brief.",
            "Michael Barr",
        ),
    ],
    ids=["es", "pt", "cs", "fr", "it", "de"],
)
def test_verb_after_the_quote_speaker_after_the_verb(text: str, speaker: str) -> None:
    assert _speakers(text) == [speaker]


def test_a_role_is_the_person_named_before() -> None:
    text = (
        "Após rechaçar um encontro, o técnico Tite declarou que errou.\n\n"
        '"Em 2012 eu errei. Ele não era presidente, mas fui ao Instituto", falou Tite.\n\n'
        '"Em 2012 eu fiz e errei. O protocolo e a situação são fatos de opinião pessoal", '
        "acrescentou o comandante."
    )
    assert _speakers(text) == ["Tite", "Tite"]


def test_a_person_named_inside_the_quotation_is_not_its_speaker() -> None:
    text = (
        "„Andrej Babiš nemá vyřešený střet zájmů a nová vláda musí schválit rozpočet,“ "
        "řekl Stanjura."
    )
    assert _speakers(text) == ["Stanjura"]


def test_a_quote_after_an_attributed_sentence_in_its_paragraph_takes_that_speaker() -> None:
    text = (
        "Es sei erschreckend, wie ahnungslos die Landesregierung war, sagt "
        "SWR-Landeskorrespondent Matthias Zahn. „Dreyer will in der Flutnacht nichts von den "
        "dramatischen Entwicklungen gewusst haben. Sie verließ sich allein auf ihre Minister.“"
    )
    assert _speakers(text) == ["Matthias Zahn"]


def test_a_role_is_the_person_named_mid_sentence_before() -> None:
    text = (
        "El primer ministro polaco, el liberal de centroderecha Donald Tusk, anunció el pasado "
        "sábado que suspendía el derecho al asilo. “Nuestro derecho y nuestro deber es proteger "
        "la frontera polaca y europea”, dijo el jefe de Gobierno polaco."
    )
    assert _speakers(text) == ["Donald Tusk"]


def test_a_name_after_a_place_written_on() -> None:
    text = (
        "„Stali se excelentním týmem. Jsou skvělí ve všech částech hřiště,“ píše na Twitter "
        "Gary Lineker."
    )
    assert _speakers(text) == ["Gary Lineker"]


def test_von_der_stays_in_the_name() -> None:
    text = (
        "“Este es un conjunto de soluciones europeas para un desafío europeo”, dice Von der Leyen."
    )
    assert _speakers(text) == ["Von der Leyen"]


def test_an_attribution_between_dashes_inside_the_marks() -> None:
    text = (
        "«Non si va al lavoro, non si va in palestra - commenta Walter Artibani Segretario "
        "generale della Società italiana di urologia - Questa alterazione dei ritmi va "
        "mitigata il più possibile».\n\n"
        "«Consistono nel contrarre i muscoli del pavimento pelvico - spiega Artibani - "
        "tenendoli in tensione per qualche momento e poi rilassandoli»."
    )
    # the second names him as the incise does: the full name stood inside a quotation
    assert _speakers(text) == ["Walter Artibani", "Artibani"]


def test_a_quotation_over_paragraphs_with_straight_marks_is_one() -> None:
    text = (
        '"We will rebuild the bridge before winter and we will do it with local firms," the '
        "mayor, Jane Doe, said.\n\n"
        '"The first part of the work starts on Monday and the council has the money.\n\n'
        '"Nobody in this town will wait another year for a crossing that works."'
    )
    quotes = find_quotes(clean_body(text))
    assert len(quotes) == 2
    assert len(quotes[1].parts) == 2 and quotes[1].speaker == "Jane Doe"
