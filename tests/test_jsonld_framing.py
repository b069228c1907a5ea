"""The schema.org blocks are framed without pyld for speed, and must be exactly what pyld's framing gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from projects import copy_project
from pyld import jsonld as pyld

from rit_graph import schemaorg
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.rdf import framing, jsonld
from rit_graph.rdf.ntriples import triple_order

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "http://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "https://example.org/kb/id/"


def with_pyld(triples: list[ox.Triple], iri: str, context: dict[str, Any]) -> dict[str, Any]:
    frame = {"@context": context["@context"], "@id": iri, "@embed": "@once"}
    expanded = jsonld.from_triples(triples, native_types=True)
    return pyld.frame(expanded, frame, {**jsonld.OPTIONS, "omitGraph": True})  # type: ignore[no-any-return]


def assert_framed_as_pyld(triples: list[ox.Triple], iri: str, context: dict[str, Any]) -> None:
    expected = json.dumps(with_pyld(triples, iri, context), indent=1, sort_keys=True)
    found = json.dumps(framing.frame_triples(triples, iri, context), indent=1, sort_keys=True)
    assert found == expected, f"<{iri}> framed otherwise than by pyld:\n{found}\n---- pyld:\n{expected}"


@pytest.mark.parametrize("folder", ["data/announcements/bwi-cluster-japan-rit", "tests/fixtures/corpus"])
def test_every_block_of_a_project_is_framed_as_by_pyld(folder: str, tmp_path: Path) -> None:
    """Every resource's block in every language, for the repository's bw-i announcement and the fixture corpus."""
    project = Project.open(ROOT if folder.startswith("data/") else copy_project(ROOT / folder, tmp_path / "project"))
    facts = schemaorg.project(Run(load(project)))
    by_subject = schemaorg.index(facts)
    resources = sorted({t.subject.value for t in facts if isinstance(t.subject, ox.NamedNode)})
    assert len(resources) > 10
    for iri in resources:
        for language in schemaorg.MARKUP_LANGUAGES:
            triples = schemaorg.in_language(schemaorg.subgraph(by_subject, iri), language)
            assert_framed_as_pyld(triples, iri, schemaorg.context(language))


def node(name: str) -> ox.NamedNode:
    return ox.NamedNode(ID + name)


def schema(name: str) -> ox.NamedNode:
    return ox.NamedNode(SCHEMA + name)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


CASES = {
    "a resource reached twice is embedded where first reached, referred to after; a link back to the root": [
        ox.Triple(node("event"), schema("location"), node("place")),
        ox.Triple(node("event"), schema("organizer"), node("org")),
        ox.Triple(node("org"), schema("location"), node("place")),
        ox.Triple(node("org"), schema("subjectOf"), node("event")),
        ox.Triple(node("place"), schema("name"), ox.Literal("Kitakyushu", language="en")),
        ox.Triple(node("place"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), schema("City")),
    ],
    "numbers, booleans and dates as pyld converts them, odd lexical forms included": [
        ox.Triple(node("event"), schema("maximumAttendeeCapacity"), typed("12", "integer")),
        ox.Triple(node("event"), schema("maximumAttendeeCapacity"), typed("+012", "integer")),
        ox.Triple(node("event"), schema("isAccessibleForFree"), typed("true", "boolean")),
        ox.Triple(node("event"), schema("isAccessibleForFree"), typed("0", "boolean")),
        ox.Triple(node("event"), schema("value"), typed("1.5E3", "double")),
        ox.Triple(node("event"), schema("value"), typed("2.50", "decimal")),
        ox.Triple(node("event"), schema("startDate"), typed("2015-06-22", "date")),
        ox.Triple(node("event"), schema("endDate"), ox.Literal("2015-07-04")),
        ox.Triple(node("event"), schema("duration"), typed("P12M", "duration")),
    ],
    "texts in the block's language, in others and in none; under terms that fix the language": [
        ox.Triple(node("org"), schema("name"), ox.Literal("Stadt", language="de")),
        ox.Triple(node("org"), schema("name"), ox.Literal("City", language="en")),
        ox.Triple(node("org"), schema("description"), ox.Literal("plain")),
        ox.Triple(node("org"), schema("inLanguage"), ox.Literal("de")),
        ox.Triple(node("org"), schema("inLanguage"), ox.Literal("Deutsch", language="de")),
        ox.Triple(node("org"), schema("startDate"), ox.Literal("2015", language="en")),
    ],
    "IRIs under terms typed @id, as plain strings, and a literal under them": [
        ox.Triple(node("org"), schema("sameAs"), ox.NamedNode("http://www.wikidata.org/entity/Q1")),
        ox.Triple(node("org"), schema("url"), ox.NamedNode("https://example.org/")),
        ox.Triple(node("org"), schema("url"), ox.Literal("https://example.org/text")),
        ox.Triple(node("event"), schema("eventStatus"), schema("EventScheduled")),
        ox.Triple(node("org"), schema("subjectOf"), node("event")),
    ],
    "a resource typed @id that has statements of its own": [
        ox.Triple(node("org"), schema("url"), node("page")),
        ox.Triple(node("page"), schema("name"), ox.Literal("Seite", language="de")),
    ],
    "blank nodes, which pyld frames": [
        ox.Triple(node("org"), schema("address"), ox.BlankNode("a")),
        ox.Triple(ox.BlankNode("a"), schema("addressLocality"), ox.Literal("Stuttgart")),
    ],
}


@pytest.mark.parametrize("triples", list(CASES.values()), ids=list(CASES))
@pytest.mark.parametrize("language", schemaorg.MARKUP_LANGUAGES)
def test_edge_cases_are_framed_as_by_pyld(triples: list[ox.Triple], language: str) -> None:
    root = triples[0].subject.value  # type: ignore[union-attr]
    assert_framed_as_pyld(sorted(triples, key=triple_order), root, schemaorg.context(language))


def test_a_context_with_more_than_the_framer_knows_goes_to_pyld() -> None:
    context = {"@context": {"@vocab": SCHEMA, "kb": ID, "name": {"@id": SCHEMA + "name", "@container": "@set"}}}
    triples = [
        ox.Triple(node("org"), schema("name"), ox.Literal("A")),
        ox.Triple(node("org"), schema("url"), node("b")),
    ]
    assert_framed_as_pyld(triples, ID + "org", context)
