"""Terms between pyoxigraph, which reads, stores and queries, and rdflib, which pyshacl validates with.

Literals keep their lexical form both ways: rdflib would otherwise
normalise some values, and reports quote the data as written.
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.namespace import XSD


def to_rdflib(*sources: list[ox.Quad] | list[ox.Triple]) -> rdflib.Graph:
    """One rdflib graph holding the triples of every source (graph names dropped)."""
    graph = rdflib.Graph()
    for source in sources:
        for t in source:
            graph.add((term(t.subject), term(t.predicate), term(t.object)))  # type: ignore[arg-type]
    return graph


def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Identifier:
    if isinstance(t, ox.NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return rdflib.BNode(t.value)
    if t.language:
        return rdflib.Literal(t.value, lang=t.language)
    if t.datatype.value == str(XSD.string):
        return rdflib.Literal(t.value)
    # Keep the lexical form as written: rdflib would otherwise normalise some values.
    return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value), normalize=False)


def ox_node(node: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode:
    return ox.NamedNode(str(node)) if isinstance(node, rdflib.URIRef) else ox.BlankNode(str(node))


def ox_term(node: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The inverse of ``term``: a literal keeps its lexical form, language and datatype."""
    if not isinstance(node, rdflib.Literal):
        return ox_node(node)
    if node.language:
        return ox.Literal(str(node), language=node.language)
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))
