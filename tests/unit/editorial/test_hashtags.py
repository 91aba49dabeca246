from __future__ import annotations

from pathlib import Path

import pytest

from bot.editorial.hashtags import Hashtag, choose_hashtags, hashtags_for, load_map, to_hashtag
from bot.errors import UsageError

SEED_HEADLINE = "India-Japan Ties Steady; Upgrade Around The Corner?"
SEED_STANDFIRST = (
    "Japan is a technological power house and even if its military industry is only now "
    "getting its act together, India has much to gain from closer defence links with Tokyo"
)


def test_camel_case_keeps_existing_capitals_and_unicode_letters() -> None:
    assert to_hashtag("online shopping") == "#OnlineShopping"
    assert to_hashtag("iPhone sales") == "#iPhoneSales"
    assert to_hashtag("sécurité sociale") == "#SécuritéSociale"
    assert to_hashtag("安倍晋三") == "#安倍晋三"
    assert to_hashtag("Côte d'Ivoire") == "#CôteDIvoire"
    assert to_hashtag("São Paulo") == "#SãoPaulo"
    assert to_hashtag("UN Security Council") == "#UNSecurityCouncil"
    assert to_hashtag("2024") is None
    assert to_hashtag("—") is None


def test_categories_the_article_uses_generic_dropped_duplicates_merged() -> None:
    text = "Climate change brings flooding to the UK\nThe climate change report is out"
    tags = hashtags_for(["News", "Climate change", "climate Change"], keywords=["UK"], text=text)
    assert tags == ["#UK", "#ClimateChange"]


def test_a_category_the_article_never_mentions_is_not_a_hashtag() -> None:
    assert hashtags_for(["Politics"], text="Quad leaders meet in Delhi\n") == ["#Delhi"]


def test_map_wins_and_matches_the_headline(tmp_path: Path) -> None:
    path = tmp_path / "tags.toml"
    path.write_text(
        """[hashtags]
"India-Japan relations" = "#IndiaJapan"
"Quad" = "#QuadSummit"
"Politics" = ""
"""
    )
    mapping = load_map(path)
    tags = hashtags_for(
        ["Politics", "India-Japan relations"], mapping, text="Quad leaders meet in Delhi"
    )
    assert tags[:2] == ["#IndiaJapan", "#QuadSummit"]


def test_long_seo_keywords_are_not_hashtags() -> None:
    text = "Tunisia attack: gunman kills tourists\n"
    assert hashtags_for(
        [], keywords=["tunis attack tunisia attack terror", "tunisia"], text=text
    ) == ["#Tunisia"]


def test_seed_headline_gives_india_and_japan_not_its_title_case_words() -> None:
    tags = hashtags_for([], text=f"{SEED_HEADLINE}\n{SEED_STANDFIRST}")
    assert tags[:2] == ["#India", "#Japan"]
    assert not {"#Ties", "#Upgrade", "#Steady", "#Corner"} & set(tags)


def test_hashtags_say_which_words_they_stand_for() -> None:
    chosen = choose_hashtags(
        [],
        headline="Modi meets Japanese PM in Delhi",
        standfirst="Narendra Modi met Shigeru Ishiba in Delhi on Friday.",
    )
    japan = next(h for h in chosen if h.tag == "#Japan")
    assert japan == Hashtag("#Japan", "Japanese", True, "name")
    assert any(h.tag == "#NarendraModi" and h.in_headline for h in chosen)
    assert "#Friday" not in {h.tag for h in chosen}


def test_upper_case_keyword_is_not_shouted() -> None:
    tags = hashtags_for(["AWARDS"], text="Film AWARDS night in Cannes\nThe awards went to …")
    assert "#Awards" in tags and "#AWARDS" not in tags


@pytest.mark.parametrize(
    ("headline", "standfirst", "expected"),
    [
        (
            "Bruselas sondea la apertura de centros de deportación fuera de la Unión Europea",
            "La Comisión analiza el polémico modelo de Italia en Albania.",
            ["#UniónEuropea", "#Italia", "#Albania"],
        ),
        (
            "Agronegócio quer salvar relação com a China após acusações de Eduardo Bolsonaro",
            "Representantes do setor enviam carta à embaixada chinesa.",
            ["#China", "#EduardoBolsonaro"],
        ),
        (
            "Sophie Binet met en garde Emmanuel Macron sur la « gravité de la situation »",
            "Reçue à l’Elysée, la secrétaire générale de la CGT a exposé ses revendications.",
            ["#SophieBinet", "#EmmanuelMacron", "#CGT"],
        ),
        (
            "Silicon Valley Bank: Federal Reserve räumt Versäumnisse bei Aufsicht ein",
            "Auf über 100 Seiten hat die Federal Reserve den Zusammenbruch analysiert.",
            ["#SiliconValleyBank", "#FederalReserve"],
        ),
        (
            "Giorgia Meloni da Donald Trump a Mar-a-Lago",
            "La premier italiana è partita per una missione in Florida.",
            ["#GiorgiaMeloni", "#DonaldTrump", "#MarALago"],
        ),
        (
            "Fialova vláda podá demisi. Jak rychle teď bude postupovat Babiš a Hrad",
            "Datum jmenování Babišova kabinetu záleží na tom, jak se premiér domluví na Hradě.",
            ["#Babiš", "#Hrad"],
        ),
    ],
    ids=["es", "pt", "fr", "de", "it", "cs"],
)
def test_names_places_and_countries_in_each_language(
    headline: str, standfirst: str, expected: list[str]
) -> None:
    tags = hashtags_for([], text=f"{headline}\n{standfirst}")
    assert set(expected) <= set(tags)


def test_german_nouns_are_not_names() -> None:
    tags = hashtags_for(
        [],
        text="Ausschuss zur Flut: Zwei Rücktritte\nDer Untersuchungsausschuss hat die "
        "Beweisaufnahme beendet. Die Regierung in Mainz schweigt, die Opposition kritisiert.",
    )
    assert not {"#Rücktritte", "#Regierung", "#Opposition", "#Beweisaufnahme"} & set(tags)


def test_non_latin_scripts_are_kept() -> None:
    assert hashtags_for(["東京"], text="東京で会議\n東京で首脳が会談した") == ["#東京"]


def test_bad_map_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("not = [valid")
    with pytest.raises(UsageError, match="NEWSBOT_HASHTAGS_FILE"):
        load_map(path)
    with pytest.raises(UsageError, match="does not exist"):
        load_map(tmp_path / "missing.toml")
