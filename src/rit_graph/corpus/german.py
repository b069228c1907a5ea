"""What a German announcement's text says in forms a machine can find: sentences, dates, amounts, and
the words of names in their base forms. A Japanese text gets its sentences (ending at 。), its dates
("2017年5月") and its words (each character: Japanese writes no spaces), so names are found in it too.

Rules, not a model: dates and amounts in press releases come in a few fixed
forms, and a rule says exactly why it matched (``draft`` shows the words).
dateparser was not used: it reads neither "vom 28. Juni bis 4. Juli 2015"
nor "im September" with the year of the text around it. simplemma gives the
base form of inflected words ("Städten" → "Stadt"); the endings of names in
genitive and as adjectives ("JETROs", "baden-württembergischen") are
removed by rule, since no dictionary holds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import simplemma

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januar", "jänner"),
            ("februar",),
            ("märz",),
            ("april",),
            ("mai",),
            ("juni",),
            ("juli",),
            ("august",),
            ("september",),
            ("oktober",),
            ("november",),
            ("dezember",),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
#: Abbreviations after which a full stop ends no sentence.
_ABBREVIATIONS = {"mrd", "mio", "bzw", "ca", "dr", "prof", "nr", "z.b", "u.a", "usw", "vgl", "inkl", "ggf", "tsd", "st"}


@dataclass(frozen=True)
class Span:
    """Words of the text: where they start and end (code points) and what they are."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Date:
    """A date or period the text gives, as ISO 8601 values of xsd:date, xsd:gYearMonth or xsd:gYear.

    INFERRED says why a value is not in the text in so many words (a year taken from around it).
    """

    words: Span
    start: str
    end: str | None = None
    inferred: str | None = None


@dataclass(frozen=True)
class Amount:
    """A number the text gives with what it counts: money (UNIT an ISO 4217 code), a distance (UN/CEFACT
    code) or a count of things (UNIT the word)."""

    words: Span
    value: int
    unit: str
    kind: str
    approximate: bool
    #: For a distance: its direction and where from, as the text words them ("nordöstlich", "Tokyo").
    direction: str | None = None
    origin: str | None = None


def sentences(text: str) -> list[Span]:
    """The text's sentences and headings: a full stop ends a sentence unless it follows a number ("22. Juni")
    or an abbreviation ("Mrd."); a Japanese full stop (。) and a line break always end one."""
    found = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for end in re.finditer(r"[.!?](?=\s+[\w„\"(]|\s*$)|[。！？]", line.group()):
            before = line.group()[: end.start()].rsplit(None, 1)[-1].lower() if end.start() else ""
            if end.group() == "." and (re.fullmatch(r"\d{1,2}", before) or before.strip("(") in _ABBREVIATIONS):
                continue
            found.append(_span(text, start, line.start() + end.end()))
            start = line.start() + end.end()
        if text[start : line.end()].strip():
            found.append(_span(text, start, line.end()))
    return [s for s in found if s.text]


def _span(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end])


_DAY_MONTH_YEAR = rf"(\d{{1,2}})\.\s*{_MONTH}(?:\s+(\d{{4}}))?"
_PATTERNS = (
    ("range", re.compile(rf"\b(?:vom\s+)?{_DAY_MONTH_YEAR}\s*(?:bis(?:\s+zum)?|–|-)\s*{_DAY_MONTH_YEAR}", re.I)),
    ("numeric", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")),
    ("day", re.compile(rf"\b{_DAY_MONTH_YEAR}", re.I)),
    ("month", re.compile(rf"\b{_MONTH}(?:\s+(\d{{4}}))?\b", re.I)),
    ("year", re.compile(r"\b(?:seit|ab|bis|im\s+Jahr|Jahr|in)\s+(\d{4})\b", re.I)),
    ("ja-day", re.compile(r"(?<!\d)(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")),
    ("ja-month", re.compile(r"(?<!\d)(?:(\d{4})年)?(\d{1,2})月")),
    ("ja-year", re.compile(r"(?<!\d)(\d{4})年")),
)
#: A year: four digits that no other digit touches ("2015", and "2017" in "2017年", which \b would miss).
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def dates(text: str) -> list[Date]:
    """Every date and period of TEXT, in order. A day or month without a year takes the year stated
    nearest before it (or after it, if none is before), marked as inferred."""
    taken: list[tuple[int, int]] = []
    raw: list[tuple[str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if not any(m.start() < end and start < m.end() for start, end in taken):
                taken.append((m.start(), m.end()))
                raw.append((kind, m))
    raw.sort(key=lambda item: item[1].start())
    years = [(m.start(), y) for _, m in raw for y in _YEAR.findall(m.group())]
    found = []
    for kind, m in raw:
        words = Span(m.start(), m.end(), m.group())
        stated = _YEAR.findall(m.group())
        year = stated[-1] if stated else _nearest(years, m.start())
        why = None if stated or year is None else _why(m.group(), year)
        if year is None:
            continue
        if kind == "range":
            g = m.groups()
            first_year = g[2] or g[5] or year
            found.append(Date(words, _day(first_year, g[1], g[0]), _day(g[5] or year, g[4], g[3]), why))
        elif kind == "numeric":
            day, month, stated_year = m.groups()
            if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
                found.append(Date(words, f"{stated_year}-{int(month):02d}-{int(day):02d}"))
        elif kind == "day":
            found.append(Date(words, _day(year, m.group(2), m.group(1)), None, why))
        elif kind == "month":
            found.append(Date(words, f"{year}-{MONTHS[m.group(1).lower()]:02d}", None, why))
        elif kind == "ja-day":
            month, day = int(m.group(2)), int(m.group(3))
            if 1 <= month <= 12 and 1 <= day <= 31:
                found.append(Date(words, f"{year}-{month:02d}-{day:02d}", None, why))
        elif kind == "ja-month":
            if 1 <= int(m.group(2)) <= 12:
                found.append(Date(words, f"{year}-{int(m.group(2)):02d}", None, why))
        else:
            found.append(Date(words, m.group(1)))
    return found


def _day(year: str, month: str, day: str) -> str:
    return f"{year}-{MONTHS[month.lower()]:02d}-{int(day):02d}"


def _nearest(years: list[tuple[int, str]], at: int) -> str | None:
    before = [y for position, y in years if position < at]
    after = [y for position, y in years if position > at]
    return before[-1] if before else after[0] if after else None


def _why(words: str, year: str) -> str:
    return f"Die Quelle sagt nur „{words}“; das Jahr {year} ist aus dem nächsten im Text genannten Jahr erschlossen."


_NUMBER = r"(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)"
_SCALE = {"mrd.": 10**9, "milliarden": 10**9, "mio.": 10**6, "millionen": 10**6, "tsd.": 10**3, "tausend": 10**3}
_CURRENCIES = {"euro": "EUR", "eur": "EUR", "€": "EUR", "dollar": "USD", "us-dollar": "USD", "yen": "JPY"}
_DISTANCES = {"km": "KMT", "kilometer": "KMT", "m": "MTR", "meter": "MTR"}
_APPROXIMATE = re.compile(r"(?:rund|etwa|ca\.|circa|knapp|fast|über|mehr als|nahezu)\s+$", re.I)
_AMOUNT = re.compile(
    rf"{_NUMBER}\s*(Mrd\.|Milliarden|Mio\.|Millionen|Tsd\.|Tausend)?\s*(Euro|EUR|€|US-Dollar|Dollar|Yen|km|Kilometer|"
    rf"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜa-zäöüß]+)*)?",
)
_DIRECTION = re.compile(r"\s+((?:nord|süd)?(?:nord|süd|öst|ost|west)lich)\s+von\s+([A-ZÄÖÜ][\w-]+)")


def amounts(text: str) -> list[Amount]:
    """Money, distances and counts of things: "rund 158 Mrd. Euro", "150 km nordöstlich von Tokyo",
    "rund 600 Direktkontakte". Numbers that are dates or years are left to ``dates``."""
    in_dates = [(d.words.start, d.words.end) for d in dates(text)]
    found = []
    for m in _AMOUNT.finditer(text):
        number, scale, unit = m.groups()
        if unit is None or any(start <= m.start() < end for start, end in in_dates) or re.fullmatch(r"\d{4}", number):
            continue
        value = float(number.replace(".", "").replace(",", ".")) * _SCALE.get((scale or "").lower(), 1)
        approximate = bool(_APPROXIMATE.search(text[max(0, m.start() - 12) : m.start()]))
        lowered = unit.lower()
        if lowered in _CURRENCIES:
            found.append(
                Amount(Span(m.start(), m.end(), m.group()), round(value), _CURRENCIES[lowered], "money", approximate)
            )
        elif lowered in _DISTANCES:
            direction = _DIRECTION.match(text, m.end())
            end = direction.end() if direction else m.end()
            found.append(
                Amount(
                    Span(m.start(), end, text[m.start() : end]),
                    round(value),
                    _DISTANCES[lowered],
                    "distance",
                    approximate,
                    direction.group(1) if direction else None,
                    direction.group(2) if direction else None,
                )
            )
        elif unit[0].isupper() and unit.lower() not in MONTHS:
            found.append(Amount(Span(m.start(), m.end(), m.group()), round(value), unit, "count", approximate))
    return found


_ADJECTIVE = re.compile(r"(isch|er)(e|en|er|es|em)?$")


def forms(word: str) -> set[str]:
    """The forms under which WORD may be a name's word, lower case: itself, its base form, without a
    genitive s ("JETROs"), and a place or people's name without its adjective ending
    ("baden-württembergischen" → "baden-württemberg", "japanischen" → "japan")."""
    lowered = word.lower()
    found = {lowered, simplemma.lemmatize(word, lang="de").lower()}
    if len(word) > 3 and word.endswith("s"):
        found.add(lowered[:-1])
    if len(lowered) > 6 and (stem := _ADJECTIVE.sub("", lowered)) != lowered:
        found.add(stem)
    return found


#: Kana, kanji and the marks between them: Japanese, whose words no space separates.
_JAPANESE = "\u3005\u3006\u30fb\u30fc\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_WORD = re.compile(rf"[{_JAPANESE}]|(?:(?![{_JAPANESE}])\w)+(?:[-'’](?:(?![{_JAPANESE}])\w)+)*")


def words(text: str) -> list[Span]:
    """TEXT's words: letters, digits and inner hyphens or apostrophes ("automotive-bw", "Tie-up"); in
    Japanese, each character, so that a name is found as the sequence of its characters."""
    return [Span(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


def is_japanese(text: str) -> bool:
    """Whether TEXT is Japanese: it has kana, which Chinese has not."""
    return re.search("[\u3040-\u30ff]", text) is not None
