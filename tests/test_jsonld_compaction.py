"""The dumps' JSON-LD is compacted without pyld for speed, and must be exactly what pyld gives."""

from __future__ import annotations

import difflib
from pathlib import Path

import pyoxigraph as ox
import pytest

from rit_graph import jsonld
from rit_graph.build import sorted_quads, union_triples
from rit_graph.cache import Cache
from rit_graph.load import Corpus

BASE = "https://w3id.org/rit-graph/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def assert_as_pyld(triples: list[ox.Triple]) -> None:
    context = jsonld.package_context(jsonld.CONTEXT_FILE)
    expected = jsonld.dumps(jsonld.compact(jsonld.from_triples(triples), context))
    found = jsonld.dumps(jsonld.compact_triples(triples, context))
    assert found == expected, "".join(difflib.unified_diff(expected.splitlines(True), found.splitlines(True)))


def test_the_corpus_compacts_as_with_pyld(corpus: Corpus) -> None:
    assert_as_pyld(union_triples(sorted_quads(corpus.quads)))


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
                ox.Triple(resource("id/b"), RDFS_LABEL, ox.Literal("</script><script>alert(1)</script>", language="en")),
            ],
            id="language maps, several texts in one language, hostile text",
        ),
        pytest.param(
            [
                ox.Triple(resource("id/a"), RDF_TYPE, resource("ontology#City")),
                ox.Triple(resource("id/a"), RDF_TYPE, ox.NamedNode("http://schema.org/City")),
                ox.Triple(resource("id/a"), resource("ontology#population"), ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
                ox.Triple(resource("id/a"), resource("ontology#note"), ox.Literal("plain")),
                ox.Triple(resource("id/a"), resource("ontology#note"), ox.Literal("Notiz", language="de")),
                ox.Triple(resource("id/a"), resource("ontology#link"), ox.BlankNode("x1")),
                ox.Triple(ox.BlankNode("x1"), resource("ontology#link"), resource("graph/")),
                ox.Triple(resource("ontology#"), resource("ontology#link"), ox.NamedNode("http://example.org/unprefixed")),
                ox.Triple(ox.NamedNode("http://example.org/unprefixed"), ox.NamedNode("http://example.org/p"), resource("id/")),
            ],
            id="types, datatypes, plain and tagged strings, blank nodes, IRIs equal to or outside the prefixes",
        ),
    ],
)
def test_edge_cases_compact_as_with_pyld(triples: list[ox.Triple]) -> None:
    assert_as_pyld(sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))))


def test_compacting_in_pieces_gives_what_compacting_the_whole_gives(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rit_graph import schemaorg

    monkeypatch.setattr(jsonld, "PIECE", 2)  # a piece ends after about every second subject
    projection = schemaorg.project(corpus)
    context = schemaorg.context()
    whole = jsonld.dumps(jsonld.compact(jsonld.from_triples(projection, native_types=True), context))
    cache = Cache(tmp_path)
    pieces = jsonld.dumps(jsonld.compact_in_pieces(projection, context, native_types=True, cache=cache))
    assert pieces == whole, "".join(difflib.unified_diff(whole.splitlines(True), pieces.splitlines(True)))
    assert cache.misses > 10 and cache.hits == 0
    again = jsonld.dumps(jsonld.compact_in_pieces(projection, context, native_types=True, cache=Cache(tmp_path)))
    assert again == whole


def test_changing_one_resource_compacts_one_piece_again(corpus: Corpus, tmp_path: Path) -> None:
    from rit_graph import schemaorg

    projection = schemaorg.project(corpus)
    jsonld.compact_in_pieces(projection, schemaorg.context(), native_types=True, cache=Cache(tmp_path))
    changed = [
        ox.Triple(t.subject, t.predicate, ox.Literal("Japon", language="fr")) if "place/japan" in str(t.subject) else t
        for t in projection
    ]
    cache = Cache(tmp_path)
    jsonld.compact_in_pieces(changed, schemaorg.context(), native_types=True, cache=cache)
    assert cache.misses == 1


def test_the_fast_writer_writes_what_json_writes(corpus: Corpus) -> None:
    document = jsonld.compact_triples(union_triples(sorted_quads(corpus.quads)), jsonld.package_context(jsonld.CONTEXT_FILE))
    document["@graph"].append({"@id": "_:x", "rdfs:comment": ['"\\\\\u2028\x01</script>', "日本"], "empty": {}, "none": []})
    assert jsonld.dumps_texts(document).decode("utf-8") == jsonld.dumps(document)
