"""Helpers shared by the tests: short names for RDF terms, SPARQL rows, graph comparison, JSON-LD
compaction checked against pyld, the schema.org projection of a whole graph."""

from __future__ import annotations

import difflib
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

from rit_graph import schemaorg
from rit_graph.corpus.load import Corpus
from rit_graph.rdf import jsonld

XSD = "http://www.w3.org/2001/XMLSchema#"
PLAIN = (XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, base_iri: str) -> str | None:
    """A term as the tests write it: IRIs relative to the base, literals with @lang or ^^xsd:type."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value.replace(base_iri + "ontology#", "rit:").replace(base_iri, "")
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if term.language:
        return f"{term.value}@{term.language}"
    if term.datatype.value in PLAIN:
        return term.value
    return f"{term.value}^^xsd:{term.datatype.value.removeprefix(XSD)}"


def select(store: ox.Store, query: str, base_iri: str) -> list[dict[str, str | None]]:
    """Rows of a SELECT over the union of all graphs, each term in its short form."""
    solutions = store.query(query, base_iri=base_iri, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: short(s[n], base_iri) for n in names} for s in solutions]


def rdflib_graph(triples: object) -> rdflib.Graph:
    """An rdflib graph of pyoxigraph triples or quads (graph names dropped)."""
    from rit_graph.rdf.terms import term

    graph = rdflib.Graph()
    for t in triples:  # type: ignore[attr-defined]
        graph.add((term(t.subject), term(t.predicate), term(t.object)))
    return graph


def assert_isomorphic(expected: rdflib.Graph, actual: rdflib.Graph, what: str = "") -> None:
    """rdflib style: compare canonical forms and list the triples that differ."""
    if to_isomorphic(expected) == to_isomorphic(actual):
        return
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = [f"graphs differ {what}".rstrip()]
    lines += ["  only in expected: " + " ".join(t.n3() for t in triple) for triple in sorted(only_expected)[:20]]
    lines += ["  only in actual:   " + " ".join(t.n3() for t in triple) for triple in sorted(only_actual)[:20]]
    raise AssertionError("\n".join(lines))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below FOLDER with its bytes: a build output compared byte for byte."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_as_pyld(triples: list[ox.Triple]) -> None:
    """TRIPLES compacted by rit-graph's own compaction are exactly what pyld gives."""
    context = jsonld.package_context(jsonld.CONTEXT_FILE)
    expected = jsonld.dumps(jsonld.compact(jsonld.from_triples(triples), context))
    found = jsonld.dumps(jsonld.compact_triples(triples, context))
    assert found == expected, "".join(difflib.unified_diff(expected.splitlines(True), found.splitlines(True)))


def whole_graph_projection(corpus: Corpus) -> set[ox.Triple]:
    """The projection's queries run once on all the data merged: what the units' projections must add up to."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in corpus.quads)
    ontology = ox.NamedNode(corpus.project.graph_iri("ontology"))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ontology) for t in corpus.ontology)
    base = corpus.project.base_iri
    return {t for query in schemaorg.queries().values() for t in store.query(query, base_iri=base)}  # type: ignore[union-attr]
