"""The dumps' JSON-LD is compacted without pyld for speed, and must be exactly what pyld gives."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import assert_as_pyld

from rit_graph.corpus.load import Corpus
from rit_graph.corpus.run import Run
from rit_graph.output.build import SCHEMAORG_DUMP
from rit_graph.rdf import jsonld

BASE = "https://w3id.org/rit-graph/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def union(corpus: Corpus) -> list[ox.Triple]:
    """The default graph of CORPUS, each triple once, sorted."""
    return sorted({q.triple for q in corpus.quads}, key=str)


def test_the_corpus_compacts_as_with_pyld(corpus: Corpus) -> None:
    assert_as_pyld(union(corpus))


def resource(path: str) -> ox.NamedNode:
    return ox.NamedNode(BASE + path)


@pytest.mark.parametrize(
    "triples",
    [
        pytest.param(
            [
                ox.Triple(resource("id/a"), RDFS_LABEL, ox.Literal('quote " and \\ and \u2028 line', language="de")),
                ox.Triple(resource("id/a"), RDFS_LABEL, ox.Literal("zweites", language="de")),
                ox.Triple(resource("id/a"), RDFS_LABEL, ox.Literal("日本", language="ja")),
                ox.Triple(
                    resource("id/b"), RDFS_LABEL, ox.Literal("</script><script>alert(1)</script>", language="en")
                ),
            ],
            id="language maps, several texts in one language, hostile text",
        ),
        pytest.param(
            [
                ox.Triple(resource("id/a"), RDF_TYPE, resource("ontology#City")),
                ox.Triple(resource("id/a"), RDF_TYPE, ox.NamedNode("http://schema.org/City")),
                ox.Triple(
                    resource("id/a"),
                    resource("ontology#population"),
                    ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                ),
                ox.Triple(resource("id/a"), resource("ontology#note"), ox.Literal("plain")),
                ox.Triple(resource("id/a"), resource("ontology#note"), ox.Literal("Notiz", language="de")),
                ox.Triple(resource("id/a"), resource("ontology#link"), ox.BlankNode("x1")),
                ox.Triple(ox.BlankNode("x1"), resource("ontology#link"), resource("graph/")),
                ox.Triple(
                    resource("ontology#"), resource("ontology#link"), ox.NamedNode("http://example.org/unprefixed")
                ),
                ox.Triple(
                    ox.NamedNode("http://example.org/unprefixed"), ox.NamedNode("http://example.org/p"), resource("id/")
                ),
            ],
            id="types, datatypes, plain and tagged strings, blank nodes, IRIs equal to or outside the prefixes",
        ),
    ],
)
def test_edge_cases_compact_as_with_pyld(triples: list[ox.Triple]) -> None:
    assert_as_pyld(sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))))


def by_id(nodes: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(nodes, key=lambda node: str(node["@id"]))


def test_the_dump_assembled_from_pieces_holds_the_nodes_compacting_the_whole_gives(corpus: Corpus, built: Path) -> None:
    """Each unit's piece is compacted apart; together they are the whole graph's nodes."""
    context = jsonld.package_context(jsonld.CONTEXT_FILE)
    whole = jsonld.compact_triples(union(corpus), context)
    dumped = json.loads((built / "rit-graph.jsonld").read_text(encoding="utf-8"))
    assert dumped["@context"] == whole["@context"]
    assert by_id(dumped["@graph"]) == by_id(whole["@graph"])


def test_the_schema_org_dump_holds_the_nodes_pyld_gives_for_the_whole_projection(corpus: Corpus, built: Path) -> None:
    from rit_graph import schemaorg

    whole = jsonld.compact(jsonld.from_triples(schemaorg.project(Run(corpus)), native_types=True), schemaorg.context())
    dumped = json.loads((built / SCHEMAORG_DUMP).read_text(encoding="utf-8"))
    assert by_id(dumped["@graph"]) == by_id(whole["@graph"])
