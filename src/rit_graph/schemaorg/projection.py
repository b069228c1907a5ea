"""The graph in schema.org's terms, projected unit by unit and checked against what search engines require.

The projection is declarative: the SPARQL CONSTRUCT queries shipped in
``queries/`` derive schema.org facts from the ontology's own alignments
(rdfs:subClassOf / rdfs:subPropertyOf to http://schema.org/ terms,
skos:exactMatch for event statuses) and add the structure search engines
expect (postal addresses, property values), each term only on the types
schema.org defines it for (tests/test_schemaorg_vocabulary.py). They run with
the project's base IRI, so ``rit:`` in them is the project's vocabulary whatever
the base; the ontology is queried as the named graph ``<graph/ontology>``.
They run on each unit (a reference file, an announcement) with the reference
data it reaches (``Projected``), so a fact comes from one source and the
shared reference data, and an unchanged unit is not projected again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from importlib import resources

import pyoxigraph as ox
import rdflib

from rit_graph.corpus.load import Corpus, Unit
from rit_graph.corpus.partition import groups
from rit_graph.corpus.run import Run
from rit_graph.rdf.ntriples import ntriples, triple_order
from rit_graph.rdf.reading import BlankNodeLabels
from rit_graph.rdf.terms import ox_term, to_rdflib
from rit_graph.runtime.cache import Cache, key, union
from rit_graph.validation.validate import Report, run_parts

QUERIES = "queries"
SHAPES_FILE = "shapes.ttl"


def queries() -> dict[str, str]:
    """The projection's CONSTRUCT queries by file name."""
    folder = resources.files(__package__).joinpath(QUERIES)
    return {
        f.name: f.read_text(encoding="utf-8")
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".rq")
    }


@dataclass
class Projected:
    """The schema.org facts of one unit, derived from its triples and the reference data they reach.

    ``own`` are those about the resources the unit describes (and the nodes
    named after them, such as <place#address>): each fact of the projection
    is owned by the units describing its resource, so the projection is the
    union of the units' own facts and an unchanged unit is not projected again.
    """

    unit: Unit
    key: str
    read: Callable[[], list[ox.Triple]] = field(repr=False)

    @functools.cached_property
    def triples(self) -> list[ox.Triple]:
        return self.read()

    def own(self, subjects: Collection[str] | None = None) -> list[ox.Triple]:
        """The facts whose resource the unit describes; with SUBJECTS, only of those resources."""
        owned = self.unit.summary.subjects.keys() if subjects is None else subjects
        return [t for t in self.triples if _owner(str(t.subject), owned) in owned]


def _owner(subject: str, described: Collection[str]) -> str:
    """The resource a node of the projection belongs to: itself if DESCRIBED, else the IRI before its "#"."""
    if subject in described or "#" not in subject:
        return subject
    return subject[: subject.rindex("#")] + ">"


@dataclass
class Projection:
    """The projection unit by unit (``units``) and what it says of resources several units describe."""

    corpus: Corpus
    units: list[Projected]
    cache: Cache

    @functools.cached_property
    def shared(self) -> list[ox.Triple]:
        """The facts about resources several units describe, each once."""
        shared = self.corpus.shared
        parts = []
        for p in self.units:
            mine = shared.intersection(p.unit.summary.subjects)
            if mine:
                parts.append((key(p.key, *sorted(mine)), functools.partial(p.own, mine)))
        return union(self.cache.within("schemaorg-shared"), parts)

    @functools.cached_property
    def facts(self) -> list[ox.Triple]:
        """The schema.org facts the graph holds, in a stable order: the union of the units' own."""
        return sorted({t for p in self.units for t in p.own()}, key=triple_order)


def projections(run: Run) -> Projection:
    """Each unit's schema.org facts: from the run's cache if the unit and the reference data it
    reaches are unchanged, otherwise projected (on the run's workers when there are many)."""
    corpus = run.corpus
    common = key(corpus.project.base_iri, ntriples(corpus.ontology), *queries().values())
    units = corpus.units
    keys = [key(common, u.key, run.reach.of_unit(u)[1]) for u in units]
    ontology = corpus.project.graph_iri("ontology")

    def job(i: int) -> tuple[list[ox.Triple], list[ox.Triple], str, str]:
        reached = [t for t in run.reach.of_unit(units[i])[0] if t.subject not in run.reach.record_nodes]
        return units[i].triples + reached, corpus.ontology, ontology, corpus.project.base_iri

    found = run.cache.within("schemaorg-projection").map(
        _project, keys, job, run.workers, run.progress, "projecting to schema.org", 20
    )
    return Projection(corpus, [Projected(u, k, read) for u, k, read in zip(units, keys, found, strict=True)], run.cache)


def _project(job: tuple[list[ox.Triple], list[ox.Triple], str, str]) -> list[ox.Triple]:
    """The projection's queries run on TRIPLES, with the ontology as the named graph ONTOLOGY."""
    triples, ontology, graph, base = job
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in ontology)
    found: set[ox.Triple] = set()
    for query in queries().values():
        found.update(store.query(query, base_iri=base))  # type: ignore[arg-type]
    return sorted(found, key=triple_order)


def project(run: Run) -> list[ox.Triple]:
    """The schema.org facts of the run's corpus (``Projection.facts``)."""
    return projections(run).facts


def shapes_text() -> str:
    return resources.files(__package__).joinpath(SHAPES_FILE).read_text(encoding="utf-8")


@functools.cache
def shapes() -> rdflib.Graph:
    """The shapes with the same blank node labels on every parse, so results from chunks merge.

    Made once per process (pyshacl does not change it).
    """
    labels = BlankNodeLabels("schemaorg-shapes.ttl")  # the name blank node labels have always been made from
    parsed = ox.parse(shapes_text().encode("utf-8"), ox.RdfFormat.TURTLE)
    return to_rdflib([ox.Triple(labels(q.subject), q.predicate, labels(q.object)) for q in parsed])  # type: ignore[arg-type]


def check(run: Run, projection: Projection) -> Report:
    """Validate the projection against the search engines' requirements.

    Missing required properties are violations; missing recommended ones are
    warnings (the source does not give a publication date, author or image,
    and the projection does not invent them). The projection is checked in
    chunks, one per group of units (as the data is validated), each with the
    facts its units project and all the projection says of the resources
    they describe with other units; a chunk checked before with the same
    content is taken from the run's cache, with its findings in words.
    """
    corpus = run.corpus
    by_unit = {p.unit.name: p for p in projection.units}
    shared: dict[str, list[ox.Triple]] = {}
    for t in projection.shared:
        shared.setdefault(_owner(str(t.subject), ()), []).append(t)
    rules = shapes_text()
    parts = []
    for group in groups(corpus.units):
        described = sorted({s for u in group for s in u.summary.subjects if s in shared})
        parts.append(([by_unit[u.name] for u in group], [t for s in described for t in shared[s]]))
    keys = [key(rules, ntriples(common), *(p.key for p in members)) for members, common in parts]

    def content(i: int) -> list[ox.Triple]:
        members, common = parts[i]
        return list(dict.fromkeys([t for p in members for t in p.triples] + common))

    # Worker processes pay off for a corpus, not for the few chunks of a small project.
    return run_parts(
        run,
        "schemaorg",
        keys,
        content,
        lambda i, triples: _check_chunk(triples),
        shapes,
        "checking schema.org markup",
        run.workers,
        5,
    )


def _check_chunk(triples: list[ox.Triple]) -> list[ox.Triple]:
    import pyshacl  # slow to import; only commands that validate pay for it

    rules = shapes()
    # The shapes file also states the few schema.org subclass axioms the
    # targets need (schema:BusinessEvent is a schema:Event, ...).
    _, results, _ = pyshacl.validate(
        to_rdflib(triples), shacl_graph=rules, ont_graph=rules, inference="none", allow_warnings=True, advanced=True
    )
    return [ox.Triple(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in results]  # type: ignore[arg-type]
