"""The gazetteer of countries (places.tsv): which words of a text stand for which country.

"Japanese" stands for Japan, "japonés" for Japón, "Česká republika" for Česko: a hashtag
names the country in the article's language, and is grounded by the word the article
used. The file is read once, on first use (it is a few kilobytes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PLACES_FILE = Path(__file__).resolve().parent / "places.tsv"
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Place:
    #: the country's name in each language of the file
    names: dict[str, str]

    def name(self, language: str | None) -> str:
        return self.names.get(language or "", self.names[DEFAULT_LANGUAGE])


@dataclass(frozen=True)
class _Table:
    #: whole forms ("japanese", "new zealand") → place
    exact: dict[str, Place]
    #: stems of forms written with a trailing * ("japones") → place
    stems: list[tuple[str, Place]]
    #: forms matched with their case ("US", "EE.UU."): all-capital forms are codes
    cased: dict[str, Place]


def _key(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


@cache
def _table() -> _Table:
    lines = [line for line in PLACES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    languages, rows = rows[0], rows[1:]
    exact: dict[str, Place] = {}
    stems: list[tuple[str, Place]] = []
    cased: dict[str, Place] = {}
    for row in rows:
        cells = [cell.split("|") for cell in row]
        place = Place({lang: cell[0] for lang, cell in zip(languages, cells, strict=True)})
        for cell in cells:
            for form in cell:
                if form.endswith("*"):
                    stems.append((form[:-1].casefold(), place))
                elif sum(c.isupper() for c in form) > 1 and " " not in form and "-" not in form:
                    cased[form] = place
                else:
                    exact.setdefault(_key(form), place)
    stems.sort(key=lambda s: len(s[0]), reverse=True)
    return _Table(exact, stems, cased)


def place_for(phrase: str) -> Place | None:
    """The country a word or phrase of a text stands for, or None."""
    table = _table()
    if phrase in table.cased:
        return table.cased[phrase]
    if sum(c.isupper() for c in phrase) > 1 and phrase.isupper():
        return None  # "US" is a code; "us" is not: codes match with their case only
    key = _key(phrase)
    if key in table.exact:
        return table.exact[key]
    if " " not in key:
        for stem, place in table.stems:
            if key.startswith(stem):
                return place
    return None
