"""The graph a site shows, indexed both ways, and the RDF terms every kind of page reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

import pyoxigraph as ox

from rit_graph.output.site.languages import FALLBACK
from rit_graph.rdf.namespaces import RDF, RDFS
from rit_graph.rdf.ntriples import triple_order

LABEL = ox.NamedNode(RDFS + "label")
COMMENT = ox.NamedNode(RDFS + "comment")

Subject = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Graph:
    """Triples indexed by subject and by object, for pages that walk the graph both ways."""

    out: dict[Term, dict[ox.NamedNode, list[Term]]] = field(default_factory=lambda: defaultdict(dict))
    into: dict[Term, list[tuple[Subject, ox.NamedNode]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, triples: Iterable[ox.Triple]) -> Graph:
        graph = cls()
        out, into = graph.out, graph.into
        # Each term kept once: a pyoxigraph triple makes its terms anew on every access, so a hundred thousand
        # triples would give three hundred thousand objects for some twenty thousand terms; one object a term
        # also lets every lookup of it match by identity rather than by comparing its text.
        one: dict[Term, Term] = {}
        for subject, predicate, obj in sorted(set(triples), key=triple_order):
            if type(subject) is ox.Triple or type(obj) is ox.Triple:
                continue  # RDF-star statements have no page of their own
            subject = cast(Subject, one.setdefault(subject, subject))
            predicate = cast(ox.NamedNode, one.setdefault(predicate, predicate))
            obj = one.setdefault(obj, obj)
            out[subject].setdefault(predicate, []).append(obj)
            into[obj].append((subject, predicate))
        return graph

    def objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term]:
        return self.out.get(subject, {}).get(predicate, [])

    def one(self, subject: Term, predicate: ox.NamedNode) -> Term | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: ox.NamedNode, obj: Term) -> list[Subject]:
        return [s for s, p in self.into.get(obj, []) if p == predicate]

    def text(self, subject: Term, predicate: ox.NamedNode, lang: str) -> ox.Literal | None:
        """The value of PREDICATE in the reader's language, else in the fallback languages."""
        literals = [o for o in self.objects(subject, predicate) if isinstance(o, ox.Literal)]
        for wanted in (lang, *FALLBACK):
            for literal in literals:
                if literal.language == wanted:
                    return literal
        return literals[0] if literals else None

    def items(self, node: Term) -> list[Term] | None:
        """The members of an RDF list, or None if NODE does not start one."""
        members: list[Term] = []
        seen: set[Term] = set()
        while node != ox.NamedNode(RDF + "nil"):
            first = self.one(node, ox.NamedNode(RDF + "first"))
            rest = self.one(node, ox.NamedNode(RDF + "rest"))
            if first is None or rest is None or node in seen:
                return None
            seen.add(node)
            members.append(first)
            node = rest
        return members
