"""The partitions a corpus is validated in: small, independent, and the same for the same input.

pyshacl's cost grows faster than the graph it validates, so the data is
validated in partitions that run on all cores and are cached by content:

- groups of about five announcements, each with the reference data it
  reaches by following links (not all of it, which grows with the corpus);
- groups of reference files likewise;
- the resources that several announcements describe, with all they say of
  them, so that contradictions between announcements are found.

The reference data's facts get statement records citing their reference, so
that one provenance rule covers facts from announcements and from references.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox

from .load import Corpus, GraphName
from .namespaces import DCTERMS, OA, RDF

DCTERMS_SOURCE = ox.NamedNode(DCTERMS + "source")
RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_SUBJECT = ox.NamedNode(RDF + "subject")
RDF_PREDICATE = ox.NamedNode(RDF + "predicate")
RDF_OBJECT = ox.NamedNode(RDF + "object")
HAS_BODY = ox.NamedNode(OA + "hasBody")
_Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Partition:
    """Triples validated together; with FOCUS, only findings about those resources count."""

    name: str
    triples: list[ox.Triple]
    focus: frozenset[ox.NamedNode] | None = None


#: Announcements (or reference files) validated together, on average: pyshacl's fixed cost
#: per run is then shared, while its cost per resource has not yet begun to grow.
GROUP = 5


def partitions(corpus: Corpus) -> list[Partition]:
    """Groups of reference files, and of announcements, each with the reference data it reaches;
    and the resources that several announcements describe, with all they say of them.

    Each partition is small and independent of the others, so validation is
    linear in the corpus and an unchanged partition can be taken from the cache.
    """
    by_graph: dict[GraphName, list[ox.Triple]] = {g: [] for g in corpus.announcement_graphs.values()}
    reference: list[ox.Triple] = []
    for q in corpus.quads:
        by_graph.get(q.graph_name, reference).append(q.triple)
    reach = _Reach(reference, reference_records(corpus))
    files = {p: [q.triple for q in corpus.quads[a:b]] for p, (a, b) in corpus.reference_files.items()}
    units = [_Unit(path, own, reach.closure(own)) for path, own in (files or {"data/reference/": reference}).items()]
    units += [
        _Unit(f"data/announcements/{name}/", by_graph[graph], reach.closure(by_graph[graph]))
        for name, graph in corpus.announcement_graphs.items()
    ]
    parts = [
        Partition(", ".join(u.name for u in group), list(dict.fromkeys(t for u in group for t in u.own + u.reached)))
        for group in _groups(units)
    ]
    shared = _shared_resources(by_graph)
    if shared is not None:
        parts.append(Partition("resources described by several announcements", shared[0] + reach.closure(shared[0]),
                               shared[1]))
    return parts


class _Unit(NamedTuple):
    """What is grouped: a reference file or an announcement, with the reference data it reaches."""

    name: str
    own: list[ox.Triple]
    reached: list[ox.Triple]


def _groups(units: list[_Unit]) -> list[list[_Unit]]:
    """UNITS in groups of about GROUP, references and announcements apart.

    A group ends after a unit whose name hashes to 0 modulo GROUP, so the
    groups depend on names only: adding an announcement changes its own
    group, and every other group, unchanged, stays in the cache.
    """
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    for unit in units:
        if current and current[-1].name.startswith("data/reference") != unit.name.startswith("data/reference"):
            groups.append(current)
            current = []
        current.append(unit)
        if int(hashlib.sha1(unit.name.encode("utf-8")).hexdigest()[:8], 16) % GROUP == 0 or len(current) >= 4 * GROUP:
            groups.append(current)
            current = []
    return groups + [current] if current else groups


class _Reach:
    """The reference data that triples reach by following links, with its statement records."""

    def __init__(self, reference: list[ox.Triple], records: dict[ox.Triple, list[ox.Triple]]) -> None:
        self._about: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
        for t in reference:
            self._about.setdefault(t.subject, []).append(t)  # type: ignore[arg-type]
        self._records = records

    def closure(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        seen: set[ox.NamedNode | ox.BlankNode] = set()
        todo = [n for t in triples for n in (t.subject, t.object) if isinstance(n, (ox.NamedNode, ox.BlankNode))]
        reached: list[ox.Triple] = []
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for t in self._about.get(node, ()):
                reached.append(t)
                reached += self._records.get(t, ())
                if isinstance(t.object, (ox.NamedNode, ox.BlankNode)):
                    todo.append(t.object)
        return reached


def _shared_resources(
    by_graph: dict[GraphName, list[ox.Triple]],
) -> tuple[list[ox.Triple], frozenset[ox.NamedNode]] | None:
    """What announcements say of resources that two or more of them describe, once each.

    Each announcement is valid on its own; this partition finds what only their
    union shows, such as two announcements giving one resource different dates.
    With the facts come one statement record of each (and the annotation's link
    to it) and the classes of the values, so that shapes see what they check.
    """
    graphs_of: dict[ox.NamedNode, set[GraphName]] = {}
    for graph, triples in by_graph.items():
        for t in triples:
            if isinstance(t.subject, ox.NamedNode):
                graphs_of.setdefault(t.subject, set()).add(graph)
    shared = frozenset(s for s, graphs in graphs_of.items() if len(graphs) > 1)
    if not shared:
        return None
    facts: dict[ox.Triple, None] = {}
    recorded: set[tuple[_Node, ...]] = set()
    values: set[ox.NamedNode] = set()
    for graph in sorted({g for s in shared for g in graphs_of[s]}, key=str):
        triples = by_graph[graph]
        about: dict[_Node, list[ox.Triple]] = {}
        body_of: dict[_Node, list[ox.Triple]] = {}
        for t in triples:
            about.setdefault(t.subject, []).append(t)
            if t.predicate == HAS_BODY:
                body_of.setdefault(t.object, []).append(t)
        for t in triples:
            if t.subject in shared and t not in facts:
                facts[t] = None
                if isinstance(t.object, ox.NamedNode):
                    values.add(t.object)
            elif t.predicate == RDF_SUBJECT and t.object in shared:
                record = about[t.subject]
                fact = tuple(r.object for r in record if r.predicate in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT))
                if fact not in recorded:
                    recorded.add(fact)
                    facts.update(dict.fromkeys(record + body_of.get(t.subject, [])))
        for value in values:
            for t in about.get(value, ()):
                if t.predicate == RDF_TYPE:
                    facts.setdefault(t, None)
    return list(facts), shared


def reference_records(corpus: Corpus) -> dict[ox.Triple, list[ox.Triple]]:
    """Statement records for facts of the reference data, citing the resource's reference, by fact.

    A record's blank node is named after its fact, so a partition's content
    (and its cache key) is the same on every run.
    """
    graph = ox.NamedNode(corpus.project.graph_iri("reference"))
    vocabulary = corpus.project.vocabulary
    reference = [q.triple for q in corpus.quads if q.graph_name == graph]
    sources = {t.subject: t.object for t in reference if t.predicate == DCTERMS_SOURCE}
    records: dict[ox.Triple, list[ox.Triple]] = {}
    for t in reference:
        source = sources.get(t.subject)
        if source is None or not t.predicate.value.startswith(vocabulary):
            continue
        record = ox.BlankNode("r" + hashlib.sha1(str(t).encode("utf-8")).hexdigest()[:20])
        records[t] = [
            ox.Triple(record, RDF_SUBJECT, t.subject),
            ox.Triple(record, RDF_PREDICATE, t.predicate),
            ox.Triple(record, RDF_OBJECT, t.object),
            ox.Triple(record, DCTERMS_SOURCE, source),
        ]
    return records
