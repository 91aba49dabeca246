"""The headline as the newsroom wrote it: kicker and separator kept, only the site's name cut."""

from __future__ import annotations

from bot.editorial.pagemeta import PageMeta, displayed_headline, strip_site_suffix

TAGESSCHAU = "Ausschuss zur Ahrtal-Flut: Zwei Rücktritte - und viele offene Fragen"


def test_only_the_sites_own_name_is_removed() -> None:
    sites = ["Seznam Zprávy", "seznamzpravy"]
    assert (
        strip_site_suffix(
            "Fialova vláda podá demisi. Jak rychle teď bude postupovat Babiš a Hrad"
            " - Seznam Zprávy",
            sites,
        )
        == "Fialova vláda podá demisi. Jak rychle teď bude postupovat Babiš a Hrad"
    )
    assert (
        strip_site_suffix(
            "West Ham hrozí gigantům, okouzlil i Linekera | Aktuálně.cz", ["aktualne"]
        )
        == "West Ham hrozí gigantům, okouzlil i Linekera"
    )
    assert strip_site_suffix("BBC News - Obama admits gun frustration", ["BBC News"]) == (
        "Obama admits gun frustration"
    )


def test_a_dash_inside_the_headline_is_not_a_site_name() -> None:
    assert strip_site_suffix(TAGESSCHAU, ["tagesschau.de", "tagesschau"]) == TAGESSCHAU
    assert strip_site_suffix("Kyiv - Russian strikes hit power plants", ["Reuters"]) == (
        "Kyiv - Russian strikes hit power plants"
    )
    assert strip_site_suffix("Markets - Live", []) == "Markets - Live"


def test_kicker_and_headline_keep_the_separator_the_page_gives() -> None:
    meta = PageMeta(
        headlines=("Ausschuss zur Ahrtal-Flut Zwei Rücktritte - und viele offene Fragen",),
        meta_titles=(TAGESSCHAU,),
        site_names=("tagesschau.de",),
    )
    assert displayed_headline(meta, "Ausschuss zur Ahrtal-Flut: Zwei Rücktritte") == TAGESSCHAU


def test_the_h1_wins_when_it_is_the_headline() -> None:
    meta = PageMeta(
        headlines=("Un troisième Français mort dans le séisme au Népal",),
        meta_titles=("Un troisième Français mort dans le séisme au Népal - Libération",),
        site_names=("Libération",),
    )
    assert displayed_headline(meta, "") == "Un troisième Français mort dans le séisme au Népal"
