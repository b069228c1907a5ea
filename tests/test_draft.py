"""`rit-graph new` starts an announcement from its text; `rit-graph draft` proposes its facts in the
authoring form: the known resources each sentence names, its dates, money, distances and counts.

The draft is measured on the bw-i text against what its editor finally wrote
(data/announcements/bwi-cluster-japan-rit/), drafted as if it were new: the
draft knows only the reference data and the other announcements.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from projects import ROOT, TESTS, copy_project

from rit_graph.cli import cli
from rit_graph.corpus import german
from rit_graph.corpus.draft import draft
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project

BWI = "bwi-cluster-japan-rit"
RIT = "https://w3id.org/rit-graph/ontology#"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bereits am 22. Juni 2015 kommt sie.", [("22. Juni 2015", "2015-06-22", None, False)]),
        (
            "Vom 28. Juni bis 4. Juli 2015 reisen sie.",
            [("Vom 28. Juni bis 4. Juli 2015", "2015-06-28", "2015-07-04", False)],
        ),
        ("Stuttgart, 29.05.2017. Sie unterzeichnen.", [("29.05.2017", "2017-05-29", None, False)]),
        (
            "Am 22. Juni 2015 kommt sie. Im September folgt der Gegenbesuch.",
            [("22. Juni 2015", "2015-06-22", None, False), ("September", "2015-09", None, True)],
        ),
        (
            "Im November folgt ein Besuch; seit 2016 arbeiten sie zusammen.",
            [("November", "2016-11", None, True), ("seit 2016", "2016", None, False)],
        ),
        ("代表団は2017年5月に派遣される。", [("2017年5月", "2017-05", None, False)]),
        (
            "2018年2月5日に署名した。9月には再訪する。",
            [("2018年2月5日", "2018-02-05", None, False), ("9月", "2018-09", None, True)],
        ),
    ],
)
def test_german_dates_and_periods_with_the_year_of_the_text_around_them(
    text: str, expected: list[tuple[str, str, str | None, bool]]
) -> None:
    found = [(d.words.text, d.start, d.end, d.inferred is not None) for d in german.dates(text)]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Das BIP erreicht rund 158 Mrd. Euro.", [("158 Mrd. Euro", 158_000_000_000, "EUR", "money", True, None)]),
        (
            "Hitachi liegt 150 km nordöstlich von Tokyo.",
            [("150 km nordöstlich von Tokyo", 150, "KMT", "distance", False, "Tokyo")],
        ),
        ("Es gab rund 600 Direktkontakte.", [("600 Direktkontakte", 600, "Direktkontakte", "count", True, None)]),
        ("Im Jahr 2015 kamen 12 Firmen.", [("12 Firmen", 12, "Firmen", "count", False, None)]),
    ],
)
def test_money_distances_and_counts(text: str, expected: list[tuple[str, int, str, str, bool, str | None]]) -> None:
    found = [(a.words.text, a.value, a.unit, a.kind, a.approximate, a.origin) for a in german.amounts(text)]
    assert found == expected


@pytest.mark.parametrize(
    ("word", "form"),
    [
        ("JETROs", "jetro"),
        ("baden-württembergischen", "baden-württemberg"),
        ("japanischen", "japan"),
        ("Städten", "stadt"),
    ],
)
def test_a_name_is_found_whatever_its_german_ending(word: str, form: str) -> None:
    assert form in german.forms(word)


def test_sentences_end_at_full_stops_but_not_after_numbers_or_abbreviations() -> None:
    text = "Sie sind hier:\n\nAm 22. Juni 2015 kommt sie. Das BIP erreicht rund 158 Mrd. Euro. bw-i betreut sie."
    assert [s.text for s in german.sentences(text)] == [
        "Sie sind hier:",
        "Am 22. Juni 2015 kommt sie.",
        "Das BIP erreicht rund 158 Mrd. Euro.",
        "bw-i betreut sie.",
    ]


def proposed(folder: Path, name: str, text: str) -> Corpus:
    """The project in FOLDER with announcement NAME's file replaced by TEXT, loaded (the draft is valid RDF)."""
    (folder / "data" / "announcements" / name / "announcement.ttl").write_text(text, encoding="utf-8")
    return load(Project.open(folder))


def facts(corpus: Corpus, name: str, predicate: str) -> set[tuple[ox.NamedNode | ox.BlankNode, str]]:
    return {
        (t.subject, t.object.value)  # type: ignore[misc]
        for t in corpus.graph(corpus.announcement_graphs[name])
        if t.predicate.value == corpus.project.vocabulary + predicate
    }


@pytest.fixture(scope="module")
def drafted(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("drafted") / "project"
    shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(".*", "src", "tests", "benchmarks", "test-artifacts"))
    return proposed(folder, BWI, draft(corpus, BWI))


def dates_of(corpus: Corpus, events: set[str]) -> set[tuple[str, str | None]]:
    """The (start, end) dates of EVENTS in the bw-i announcement."""
    starts = {s.value: d for s, d in facts(corpus, BWI, "startDate") if s.value in events}
    ends = {s.value: d for s, d in facts(corpus, BWI, "endDate")}
    return {(start, ends.get(event)) for event, start in starts.items()}


def test_the_draft_proposes_nine_in_ten_resources_the_editor_found_and_every_date(
    corpus: Corpus, drafted: Corpus
) -> None:
    """A resource counts as proposed when the draft names it, or, for an event (new to the corpus, so
    without a known name), when it proposes an event with its dates."""
    mentioned = {o for _, o in facts(corpus, BWI, "mentions")}
    events = {o for o in mentioned if o.startswith(corpus.project.base_iri + "id/event/")}
    proposed_mentions = {o for _, o in facts(drafted, BWI, "mentions")}
    drafted_events = {o for o in proposed_mentions if "/id/event/" in o}
    drafted_dates = dates_of(drafted, drafted_events)
    found = {m for m in mentioned - events if m in proposed_mentions}
    found |= {e for e in events if dates_of(corpus, {e}) <= drafted_dates}
    assert len(found) >= 0.9 * len(mentioned), sorted(mentioned - found)
    assert dates_of(corpus, events) <= drafted_dates, "every date of the announcement is proposed"


def test_a_year_the_text_does_not_state_is_marked_inferred_with_its_reason(drafted: Corpus) -> None:
    inferred = [
        t
        for t in drafted.graph(drafted.announcement_graphs[BWI])
        if t.object == ox.NamedNode(RIT + "InferredStatement")
    ]
    reasons = {
        t.object.value
        for t in drafted.graph(drafted.announcement_graphs[BWI])
        if t.subject in {i.subject for i in inferred} and t.predicate.value.endswith("#comment")
    }
    assert any("„September“" in r and "2015" in r for r in reasons), reasons


def test_new_copies_the_text_in_nfc_and_writes_a_skeleton_that_loads(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(".*", "src", "tests", "benchmarks", "test-artifacts"))
    source = tmp_path / "mou.txt"
    decomposed = unicodedata.normalize("NFD", "Absichtserklärung unterzeichnet\n\nAm 29.05.2017 in Stuttgart.")
    source.write_text(decomposed, encoding="utf-8")
    result = CliRunner().invoke(cli, ["new", "mou-2017", "--source", str(source), "--project", str(folder)])
    assert result.exit_code == 0, result.output
    written = (folder / "data" / "announcements" / "mou-2017" / "source.txt").read_text(encoding="utf-8")
    assert written == unicodedata.normalize("NFC", decomposed) != decomposed
    corpus = load(Project.open(folder))
    assert ("Absichtserklärung unterzeichnet", "de") in {
        (t.object.value, t.object.language)  # type: ignore[union-attr]
        for t in corpus.graph(corpus.announcement_graphs["mou-2017"])
        if t.predicate.value == RIT + "headline"
    }

    again = CliRunner().invoke(cli, ["new", "mou-2017", "--source", str(source), "--project", str(folder)])
    assert again.exit_code == 2 and "exists already" in again.output

    drafted = CliRunner().invoke(cli, ["draft", "mou-2017", "--project", str(folder)])
    assert drafted.exit_code == 0, drafted.output
    announcement = folder / "data" / "announcements" / "mou-2017" / "announcement.ttl"
    assert '"2017-05-29"^^xsd:date' in announcement.read_text(encoding="utf-8")
    proposed(folder, "mou-2017", announcement.read_text(encoding="utf-8"))

    announcement.write_text(announcement.read_text(encoding="utf-8") + "# an editor's note\n", encoding="utf-8")
    kept = CliRunner().invoke(cli, ["draft", "mou-2017", "--project", str(folder)])
    assert kept.exit_code == 2 and "holds edits" in kept.output
    assert announcement.read_text(encoding="utf-8").endswith("# an editor's note\n")
    forced = CliRunner().invoke(cli, ["draft", "mou-2017", "--force", "--project", str(folder)])
    assert forced.exit_code == 0 and not announcement.read_text(encoding="utf-8").endswith("# an editor's note\n")


def test_a_name_that_is_no_folder_name_is_refused(mini_folder: Path, tmp_path: Path) -> None:
    source = tmp_path / "text.txt"
    source.write_text("Eine Meldung.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["new", "Meine Meldung", "--source", str(source), "--project", str(mini_folder)])
    assert result.exit_code == 2 and "lower-case letters, digits and hyphens" in result.output


def test_a_japanese_text_is_drafted_in_japanese(tmp_path: Path) -> None:
    """Sentences end at 。, names are found without spaces between words, dates are read as written in
    Japanese, and the announcement's language and headline are Japanese. Drafted in the fixture corpus,
    whose reference data gives the two organisations their Japanese names."""
    folder = copy_project(TESTS / "fixtures" / "corpus", tmp_path / "project")
    name = "test-japanese-source"
    corpus = load(Project.open(folder))
    text = draft(corpus, name)
    assert "@prefix q:" in text and '"ja"^^xsd:language' in text
    result = proposed(folder, name, text)
    mentioned = {o for _, o in facts(result, name, "mentions")}
    organisation = corpus.project.base_iri + "id/organisation/"
    assert {organisation + "kitakyushu-sensor-council", organisation + "sensorik-cluster"} <= mentioned
    assert {d for _, d in facts(result, name, "startDate")} == {"2017-05"}
    assert "#   シュトゥットガルト" in text, "a foreign name in katakana is a candidate for a new resource"
