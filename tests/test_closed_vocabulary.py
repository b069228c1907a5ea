"""A closed vocabulary: what the data names is defined, checked and described, and a finding says what was meant.

The shapes (shapes/rit-shapes.ttl, "A closed vocabulary") find the terms;
tests/shapes/invalid/ breaks each of them (test_shapes.py). Here: a resource
that one announcement describes and another names, validated in the same
partition or in different ones, before and after the first is removed; and
the suggestions rit-graph adds to the findings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from projects import MINI, copy_project, patched

from rit_graph.corpus import partition
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.partition import partitions
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.runtime.cache import Cache
from rit_graph.validation.nearest import misquote, nearest
from rit_graph.validation.validate import validate

REGION = """
<id/place/new-region> a <ontology#Region> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Neue Region"@de , "New region"@en .
"""
MENTION = "<id/announcement/second> <ontology#mentions> <id/place/new-region>"


def announcement(name: str, text: str) -> str:
    """The minimal project's announcement, as announcement NAME, with TEXT added."""
    written = (MINI / "data" / "announcements" / "mini" / "announcement.ttl").read_text(encoding="utf-8")
    return written.replace("announcement/mini", f"announcement/{name}").replace("ann:mini", f"ann:{name}") + text


@pytest.fixture
def two_announcements(tmp_path: Path) -> Path:
    """The minimal project with two announcements: the first describes a region (type and labels),
    the second only mentions it, quoting its source for the mention as for its other facts."""
    folder = copy_project(MINI, tmp_path / "project")
    source = MINI / "data" / "announcements" / "mini" / "source.txt"
    mention = (
        f"{MENTION} .\n_:mention a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ;\n"
        "    <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <id/announcement/second> ;\n"
        "    <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <ontology#mentions> ;\n"
        "    <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <id/place/new-region> .\n"
        "<id/announcement/second/quote/headline> <http://www.w3.org/ns/oa#hasBody> _:mention .\n"
    )
    for name, text in (("first", REGION), ("second", mention)):
        (folder / "data" / "announcements" / name).mkdir()
        shutil.copy(source, folder / "data" / "announcements" / name / "source.txt")
        (folder / "data" / "announcements" / name / "announcement.ttl").write_text(
            announcement(name, text), encoding="utf-8"
        )
    shutil.rmtree(folder / "data" / "announcements" / "mini")
    return folder


def announcement_partitions(corpus: Corpus) -> list[str]:
    return [p.name for p in partitions(corpus, Run(corpus).reach, Cache(None)) if "announcements" in p.name]


@pytest.fixture(params=["one partition", "two partitions"])
def grouping(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Announcements validated together, or each in a partition of its own (as in a large corpus)."""
    if request.param == "two partitions":
        monkeypatch.setattr(partition, "GROUP_TRIPLES", 1)
    return str(request.param)


def test_a_resource_another_announcement_describes_is_described(two_announcements: Path, grouping: str) -> None:
    corpus = load(Project.open(two_announcements))
    expected = {
        "one partition": ["data/announcements/first/, data/announcements/second/"],
        "two partitions": ["data/announcements/first/", "data/announcements/second/"],
    }
    assert announcement_partitions(corpus) == expected[grouping]
    report = validate(Run(corpus))
    assert report.conforms, report.to_text()


def test_removing_the_announcement_that_described_a_resource_leaves_it_reported(
    two_announcements: Path, grouping: str, tmp_path: Path
) -> None:
    """The second announcement's own files are unchanged, and its partition is validated again all the same."""
    cache = tmp_path / "cache"
    assert validate(Run(load(Project.open(two_announcements)), cache=Cache(cache))).conforms
    shutil.rmtree(two_announcements / "data" / "announcements" / "first")
    report = validate(Run(load(Project.open(two_announcements)), cache=Cache(cache)))
    assert not report.conforms
    (second,) = report.resources
    assert (second.focus, second.files) == ("<id/announcement/second>", ["data/announcements/second/"])
    assert [(f.shape, f.path, f.value, f.message) for f in second.findings] == [
        (
            "<shapes#Described>",
            "rit:mentions",
            "<id/place/new-region>",
            "names a resource that nothing describes (no type, no label): describe it, or correct the IRI",
        )
    ]


def test_a_class_no_shape_checks_is_given_the_nearest_class_one_does(mini_corpus: Corpus) -> None:
    """An ontology that gained a class and no shape for it: its resources are not checked."""
    vocabulary = mini_corpus.project.vocabulary
    visits = ox.NamedNode(vocabulary + "Visits")
    ontology = [
        *mini_corpus.ontology,
        ox.Triple(visits, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(OWL_CLASS)),
    ]
    retyped = patched(
        mini_corpus,
        "PREFIX rit: <ontology#> INSERT DATA { GRAPH <graph/reference> { <id/event/talks> a rit:Visits } }",
    )
    report = validate(Run(Corpus(retyped.project, retyped.units, ontology, retyped.shapes)))
    assert [(r.focus, f.path, f.value, f.message) for r in report.resources for f in r.findings] == [
        (
            "<id/event/talks>",
            "rdf:type",
            "rit:Visits",
            "no shape checks this class or a class it is a subclass of: add a shape with sh:targetClass in shapes/, "
            "or use a class a shape checks; did you mean rit:Visit?",
        )
    ]


OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"


def test_did_you_mean_is_the_nearest_name_when_it_is_near() -> None:
    assert nearest("DelegationVist", ["Visit", "DelegationVisit", "ReturnVisit"]) == "DelegationVisit"
    assert nearest("partcipant", ["participant", "partnerPlace"]) == "participant"
    assert nearest("delegationvisit", ["DelegationVisit", "ReturnVisit"]) == "DelegationVisit"
    assert nearest("EventStatus", ["State", "Distance", "Visit"]) is None, "a third of the name or more apart"


SOURCE = (
    "Kitakyushu liegt im Süden Japans in der Präfektur Fukuoka, die ein wichtiger Knotenpunkt für den "
    "Handel mit China und Südostasien ist."
)


def test_a_misquote_shows_the_nearest_passage_and_where_the_words_part() -> None:
    quote = "in der Präfektur Fukuoka, die ein wichtiger Knotenpunkt zu den Märkten Asiens ist"
    assert misquote(SOURCE, quote) == (
        '"in der Präfektur Fukuoka, die ein wichtiger Knotenpunkt …" differs from the source at character 57 '
        '(character 90 of source.txt): quote has "Knotenpunkt zu", source has "Knotenpunkt für"'
    )


def test_a_misquote_whose_end_is_in_the_source_parts_before_it() -> None:
    quote = "Kitakyushu lag im Süden Japans"
    assert misquote(SOURCE, quote) == (
        '"… im Süden Japans" differs from the source at character 14 (character 16 of source.txt): '
        'quote has "lag im", source has "liegt im"'
    )


def test_a_long_shared_passage_is_shown_by_its_last_words() -> None:
    quote = SOURCE.replace("Südostasien ist.", "Südostasien war.")
    assert misquote(SOURCE, quote) == (
        '"…Knotenpunkt für den Handel mit China und Südostasien …" differs from the source at character 131 '
        '(character 131 of source.txt): quote has "Südostasien war.", source has "Südostasien ist."'
    )


def test_a_quote_near_no_passage_is_not_given_one() -> None:
    assert misquote(SOURCE, "ganz andere Worte") is None
    assert misquote(SOURCE, "Präfektur Fukuoka") is None, "it occurs"
