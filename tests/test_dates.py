"""Every date the shapes accept works in every view: validation, the event's page, the home page's
timeline and the schema.org projection.

The shapes accept a start and an end date as xsd:gYear ("seit 2015"), xsd:gYearMonth, xsd:date or
xsd:dateTime, with a year from 1000 and an optional time zone. "2015"^^xsd:gYear once passed
validate and then crashed build (exit 1, read as violations) and made the server's home page a 500:
each view read dates its own way. One function, ``rit_graph.rdf.dates.interval``, now reads a date
as the days it covers for all of them; the property test writes dates of every datatype, a start in
one and an end in another, into an event of the minimal project, as an author would, and looks at
every view. The expected texts are worked out here from the date as stored, independently of the
code that writes them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib
import pyoxigraph as ox
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from projects import MINI, copy_project

from rit_graph import schemaorg
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.output.site import PAGE_LANGUAGES, Site
from rit_graph.output.site.values import date_text
from rit_graph.rdf.dates import Interval, interval
from rit_graph.runtime.cache import Cache
from rit_graph.validation.validate import validate

XSD = "http://www.w3.org/2001/XMLSchema#"
BASE = "https://example.org/kb/"
EVENT = BASE + "id/event/dated"
START = ox.NamedNode(BASE + "ontology#startDate")
END = ox.NamedNode(BASE + "ontology#endDate")
SCHEMA = "http://schema.org/"

#: The event, in a file of its own beside the minimal project's reference data; {dates} states its
#: rit:startDate and, if it has one, rit:endDate.
DATED = """\
@prefix rit:     <ontology#> .
@prefix ev:      <id/event/> .
@prefix place:   <id/place/> .
@prefix deleg:   <id/delegation/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

ev:dated a rit:CooperationTalks ; rdfs:label "Datierte Gespräche"@de , "Dated talks"@en ;
    {dates} ;
    rit:visitor deleg:experts ; rit:destination place:kitakyushu ; rit:eventStatus rit:Scheduled ;
    dcterms:source <https://reference.example/dated> .
"""

# Dates -------------------------------------------------------------------------------

DATATYPES = ("gYear", "gYearMonth", "date", "dateTime")


def literal(moment: datetime, datatype: str, zone: str = "") -> ox.Literal:
    """MOMENT written as DATATYPE, to its precision, with the time zone ZONE ("" for none)."""
    written = {
        "gYear": f"{moment.year:04d}",
        "gYearMonth": f"{moment.year:04d}-{moment.month:02d}",
        "date": moment.date().isoformat(),
        "dateTime": moment.isoformat(),
    }[datatype]
    return ox.Literal(written + zone, datatype=ox.NamedNode(XSD + datatype))


MOMENTS = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999))
ZONES = st.one_of(
    st.sampled_from(["", "Z", "+14:00", "-14:00"]),
    st.integers(-(13 * 60 + 59), 13 * 60 + 59).map(
        lambda m: f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
    ),
)


@st.composite
def start_and_end(draw: st.DrawFn) -> tuple[ox.Literal, ox.Literal | None]:
    """A start and, half the time, an end no earlier than it, each of any datatype. The two share a
    time zone, so that two date-times compare as their moments do."""
    first, last = sorted(draw(st.tuples(MOMENTS, MOMENTS)))
    zone = draw(ZONES)
    start = literal(first, draw(st.sampled_from(DATATYPES)), zone)
    end = literal(last, draw(st.sampled_from(DATATYPES)), zone) if draw(st.booleans()) else None
    return start, end


def turtle(term: ox.Literal) -> str:
    return f'"{term.value}"^^xsd:{term.datatype.value.removeprefix(XSD)}'


#: The months as the pages name them, by language; Japanese counts them.
MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "en": "January February March April May June July August September October November December".split(),
}
#: A time zone at the end of a value.
ZONE = re.compile(r"(Z|[+-][0-9]{2}:[0-9]{2})$")


def expected_text(term: ox.Literal, lang: str) -> str:
    """How a page in LANG writes the date TERM: as precisely as it is given, a time of day with its zone."""
    datatype, value = term.datatype.value.removeprefix(XSD), term.value
    zone = ZONE.search(value)
    value = value[: zone.start()] if zone else value
    year = value[:4].lstrip("0")
    month = int(value[5:7]) if datatype != "gYear" else 0
    day = int(value[8:10]) if datatype in ("date", "dateTime") else 0
    if lang == "ja":
        text = f"{year}年" + (f"{month}月" if month else "") + (f"{day}日" if day else "")
    elif not month:
        text = year
    elif not day:
        text = f"{MONTHS[lang][month - 1]} {year}"
    else:
        text = f"{day}{'.' if lang == 'de' else ''} {MONTHS[lang][month - 1]} {year}"
    if datatype != "dateTime":
        return text
    seconds = value[16:].rstrip("0").rstrip(".") if "." in value else value[16:]  # 10:00:00.500 is 10:00:00.5
    time = value[11:16] + ("" if seconds == ":00" else seconds)
    shown_zone = "" if zone is None else " UTC" if zone[0] in ("Z", "+00:00", "-00:00") else f" UTC{zone[0]}"
    return f"{text}{' ' if lang == 'ja' else ', '}{time}{shown_zone}"


def schema_org_text(term: ox.Literal) -> str:
    """TERM as ISO 8601 text: a year, month or day without the time zone ISO 8601 gives only a time."""
    if term.datatype.value == XSD + "dateTime":
        return term.value
    return ZONE.sub("", term.value)


# Reading dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "datatype", "first", "last", "precision"),
    [
        ("2015", "gYear", date(2015, 1, 1), date(2015, 12, 31), "year"),
        ("2016-02", "gYearMonth", date(2016, 2, 1), date(2016, 2, 29), "month"),
        ("2015-09Z", "gYearMonth", date(2015, 9, 1), date(2015, 9, 30), "month"),
        ("2015-06-22+09:00", "date", date(2015, 6, 22), date(2015, 6, 22), "day"),
        ("2015-06-22T23:30:00-14:00", "dateTime", date(2015, 6, 22), date(2015, 6, 22), "time"),
        ("9999", "gYear", date(9999, 1, 1), date(9999, 12, 31), "year"),
    ],
)
def test_a_date_covers_every_day_of_its_year_month_or_day(
    value: str, datatype: str, first: date, last: date, precision: str
) -> None:
    covered = interval(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)))
    assert covered is not None
    assert (covered.first, covered.last, covered.precision) == (first, last, precision)


@pytest.mark.parametrize(
    ("value", "datatype"),
    [
        ("2015-13", "gYearMonth"),
        ("2015-09", "gYear"),
        ("2015-06-22", "dateTime"),
        ("2015-02-29", "date"),
        ("0999", "gYear"),
        ("-2015", "gYear"),
        ("abc", "date"),
        ("2015", "string"),
    ],
)
def test_what_the_shapes_refuse_covers_no_days(value: str, datatype: str) -> None:
    """A view meeting it in unvalidated data (the server serves those) leaves it as it is."""
    assert interval(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))) is None


@pytest.mark.parametrize(
    ("value", "datatype", "de", "en", "ja"),
    [
        ("2015", "gYear", "2015", "2015", "2015年"),
        ("2015-09", "gYearMonth", "September 2015", "September 2015", "2015年9月"),
        ("2015-06-22", "date", "22. Juni 2015", "22 June 2015", "2015年6月22日"),
        (
            "2015-06-22T10:00:00+09:00",
            "dateTime",
            "22. Juni 2015, 10:00 UTC+09:00",
            "22 June 2015, 10:00 UTC+09:00",
            "2015年6月22日 10:00 UTC+09:00",
        ),
        ("2015-03-01T08:15:30.5Z", "dateTime", "1. März 2015, 08:15:30.5 UTC", "1 March 2015, 08:15:30.5 UTC", None),
    ],
)
def test_a_date_is_written_as_the_language_of_the_page_writes_dates(
    value: str, datatype: str, de: str, en: str, ja: str | None
) -> None:
    covered = interval(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)))
    assert isinstance(covered, Interval)
    assert (date_text(covered, "de"), date_text(covered, "en")) == (de, en)
    if ja is not None:
        assert date_text(covered, "ja") == ja


# The views ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project, to which each example adds its dated event."""
    return copy_project(MINI, tmp_path_factory.mktemp("dates") / "project")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Cache:
    """Kept across the examples: only the partition with the event is validated again."""
    return Cache(tmp_path_factory.mktemp("dates-cache"))


def project_with(folder: Path, start: ox.Literal, end: ox.Literal | None) -> Corpus:
    """The project with the event dated START (to END), written as an author would."""
    dates = f"rit:startDate {turtle(start)}" + (f" ; rit:endDate {turtle(end)}" if end is not None else "")
    (folder / "data" / "reference" / "dated.ttl").write_text(DATED.format(dates=dates), encoding="utf-8")
    return load(Project.open(folder))


def stored(corpus: Corpus, predicate: ox.NamedNode) -> ox.Literal | None:
    """The event's date as the project's store holds it: a typed literal in its canonical form."""
    found = [q.object for q in corpus.data.quads_for_pattern(ox.NamedNode(EVENT), predicate, None)]
    literals = [o for o in found if isinstance(o, ox.Literal)]
    assert len(literals) == len(found) <= 1, found
    return literals[0] if literals else None


def parse_html(page: str) -> Element:
    return html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)  # type: ignore[no-any-return]


def local(element: Element) -> str:
    """The element's name without its namespace (html5lib puts SVG's elements in SVG's)."""
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def timeline_events(home: Element, lang: str) -> list[tuple[str, str, str]]:
    """The dated event on the home page's timeline: the year row it is listed in, its classes (the
    precision it is drawn with) and the date it shows."""
    found = []
    for year in home.iter():
        if "year" not in year.get("class", "").split():
            continue
        row = next(e for e in year.iter() if e.tag == "a")
        for event in year.iter():
            if "event" in event.get("class", "").split() and any(
                a.get("href") == f"id/event/dated.{lang}.html" for a in event.iter() if a.tag == "a"
            ):
                note = next(e for e in event.iter() if "note" in e.get("class", "").split())
                found.append(("".join(row.itertext()), event.get("class", ""), "".join(note.itertext())))
    return found


def year_rows(home: Element) -> list[str]:
    return [
        "".join(next(e for e in y.iter() if e.tag == "a").itertext())
        for y in home.iter()
        if "year" in y.get("class", "").split()
    ]


def date_spans(page: Element) -> dict[str, str]:
    """The text each element titled with a date's value and datatype (2015^^xsd:gYear) shows."""
    return {e.get("title", ""): "".join(e.itertext()) for e in page.iter() if "^^xsd:" in e.get("title", "")}


@given(start_and_end())
@example((literal(datetime(2015, 1, 1), "gYear"), None))  # "seit 2015": build crashed on it
@example((literal(datetime(2015, 9, 1), "gYearMonth"), literal(datetime(2015, 9, 30), "date")))
@example((literal(datetime(2015, 6, 22), "date"), literal(datetime(2015, 6, 22, 18, 30), "dateTime")))
@example((literal(datetime(2015, 6, 22, 9), "dateTime", "+09:00"), literal(datetime(2016, 1, 1), "gYear", "+09:00")))
# UTC written as "+00:00" and a fraction of a second with trailing zeros: the store writes them "Z" and ".5".
@example((literal(datetime(2000, 1, 1), "gYear", "+00:00"), None))
@example((literal(datetime(2015, 6, 22, 10, 0, 0, 500000), "dateTime", "-00:00"), None))
# A zone of -14:00 after a year is no month: "2000-14:00" is not after "2000-01-14:00".
@example((literal(datetime(2000, 1, 1), "gYear", "-14:00"), literal(datetime(2000, 1, 1), "gYearMonth", "-14:00")))
def test_every_accepted_date_is_validated_shown_drawn_and_projected(
    folder: Path, cache: Cache, dates: tuple[ox.Literal, ox.Literal | None]
) -> None:
    corpus = project_with(folder, *dates)
    start, end = dates
    run = Run(corpus, cache)

    report = validate(run)
    assert report.conforms, report.to_text()

    site = Site(corpus)
    for lang in PAGE_LANGUAGES:
        shown = date_spans(parse_html(site.resource(EVENT, lang)))
        for term in (start, end):
            if term is not None:
                assert shown.get(f"{term.value}^^xsd:{term.datatype.value.removeprefix(XSD)}") == expected_text(
                    term, lang
                ), f"{lang}: {shown}"
        ((year, _, when),) = timeline_events(parse_html(site.home(lang)), lang)
        assert year == str(int(start.value[:4])), year
        assert expected_text(start, lang) in when and (end is None or expected_text(end, lang) in when), when

    projection = schemaorg.projections(run)
    facts = {(t.predicate.value, t.object) for t in projection.facts if t.subject == ox.NamedNode(EVENT)}
    for predicate, written in ((START, start), (END, end)):
        # In the canonical form the store gives it: 2015-06-22T10:00:00.5Z for …T10:00:00.500+00:00.
        canonical = stored(corpus, predicate)
        assert (canonical is None) == (written is None)
        if canonical is not None:
            assert (SCHEMA + predicate.value.rsplit("#")[-1], ox.Literal(schema_org_text(canonical))) in facts
    checked = schemaorg.check(run, projection)
    findings = [f for r in checked.resources if r.focus == "<id/event/dated>" for f in r.findings]
    assert not [f for f in findings if f.severity == "violation"], checked.to_text()


def test_a_year_is_listed_in_its_year_as_known_to_the_year(folder: Path) -> None:
    """ "seit 2015": listed in the row of 2015, among the events whose month is not known, drawn as a year."""
    site = Site(project_with(folder, literal(datetime(2015, 1, 1), "gYear"), None))
    home = parse_html(site.home("de"))
    ((year, classes, when),) = timeline_events(home, "de")
    assert (year, when) == ("2015", "2015")
    assert "year-precision" in classes.split()
    (row,) = [y for y in home.iter() if "year" in y.get("class", "").split()]
    months = ["".join(e.itertext()) for e in row.iter() if "month" in e.get("class", "").split()]
    assert any(m.startswith("nur das Jahr bekannt") for m in months), months


def test_events_centuries_apart_are_two_year_rows(folder: Path) -> None:
    """An event in 9999 beside the project's of 2015: a row for each year that has events, not 96,000 months."""
    site = Site(project_with(folder, literal(datetime(9999, 12, 1), "gYearMonth"), None))
    home = parse_html(site.home("en"))
    assert year_rows(home) == ["9999", "2015"]
    ((year, _, when),) = timeline_events(home, "en")
    assert (year, when) == ("9999", "December 9999")
