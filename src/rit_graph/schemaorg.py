"""The graph in schema.org's terms, as markup blocks for web pages.

The projection is declarative: the SPARQL CONSTRUCT queries shipped in
``schemaorg-queries/`` derive schema.org facts from the ontology's own
alignments (rdfs:subClassOf / rdfs:subPropertyOf to http://schema.org/ terms,
skos matches for event statuses) and add the structure search engines
expect (postal addresses, organizers, property values). They run with the
project's base IRI, so ``rit:`` in them is the project's vocabulary whatever
the base; the ontology is queried as the named graph ``<graph/ontology>``.
They run on each unit (a reference file, an announcement) with the reference
data it reaches (``Projected``), so a fact comes from one source and the
shared reference data, and an unchanged unit is not projected again.
JSON-LD is produced with a context shipped in the package, never fetched.
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import rdflib
from pyld import jsonld as pyld

from . import jsonld
from .cache import Cache, key, ntriples, union
from .errors import RitGraphError
from .load import BlankNodeLabels, Corpus, Unit
from .partition import groups
from .pieces import Layout, Piece, jsonld_layout
from .progress import Progress
from .validate import Report, _ox_term, run_parts, to_rdflib

QUERIES = "schemaorg-queries"
CONTEXT_FILE = "schemaorg-context.jsonld"
SHAPES_FILE = "schemaorg-shapes.ttl"
DUMP_FILE = "schema-org.jsonld"
LANGUAGES = ("de", "en")


class UnknownResource(RitGraphError):
    """A markup block was asked for a resource the projection does not describe."""


def queries() -> dict[str, str]:
    """The projection's CONSTRUCT queries by file name."""
    folder = resources.files("rit_graph").joinpath(QUERIES)
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


def projections(corpus: Corpus, cache: Cache | None = None, progress: Progress | None = None) -> Projection:
    """Each unit's schema.org facts: from CACHE if the unit and the reference data it reaches are
    unchanged, otherwise projected (on all cores when there are many)."""
    cache = cache or Cache(None)
    common = key(corpus.project.base_iri, ntriples(corpus.ontology), *queries().values())
    units = corpus.units
    keys = [key(common, u.key, corpus.reached[u.name][1]) for u in units]
    ontology = corpus.project.graph_iri("ontology")

    def job(i: int) -> tuple[list[ox.Triple], list[ox.Triple], str, str]:
        reached = [t for t in corpus.reached[units[i].name][0] if t.subject not in corpus.reach.record_nodes]
        return units[i].triples + reached, corpus.ontology, ontology, corpus.project.base_iri

    found = cache.within("schemaorg-projection").map(
        _project, keys, job, os.cpu_count() or 1, progress or Progress(), "projecting to schema.org", 20
    )
    return Projection(corpus, [Projected(u, k, read) for u, k, read in zip(units, keys, found)], cache)


def _project(job: tuple[list[ox.Triple], list[ox.Triple], str, str]) -> list[ox.Triple]:
    """The projection's queries run on TRIPLES, with the ontology as the named graph ONTOLOGY."""
    triples, ontology, graph, base = job
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in ontology)
    found: set[ox.Triple] = set()
    for query in queries().values():
        found.update(store.query(query, base_iri=base))  # type: ignore[arg-type]
    return sorted(found, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def project(corpus: Corpus, cache: Cache | None = None) -> list[ox.Triple]:
    """The schema.org facts the graph holds, in a stable order: the union of the units' own."""
    triples = {t for p in projections(corpus, cache).units for t in p.own()}
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def in_language(triples: list[ox.Triple], language: str) -> list[ox.Triple]:
    """TRIPLES with texts in LANGUAGE only; where a fact has no such text, its texts as they are.

    A headline written only in German thus stays in an English block, marked as German.
    """
    texts: dict[tuple[Any, Any], list[ox.Triple]] = defaultdict(list)
    kept = []
    for t in triples:
        if isinstance(t.object, ox.Literal) and t.object.language:
            texts[(t.subject, t.predicate)].append(t)
        else:
            kept.append(t)
    for group in texts.values():
        chosen = [t for t in group if t.object.language == language]  # type: ignore[union-attr]
        kept += chosen or group
    return sorted(kept, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def context(language: str | None = None) -> dict[str, Any]:
    """The shipped context; with LANGUAGE, plain strings in it are texts in that language."""
    document = jsonld.package_context(CONTEXT_FILE)
    if language:
        document["@context"]["@language"] = language
    return document


def dump_layout() -> Layout:
    """The build's schema-org.jsonld: the whole projection, compacted with the shipped context."""
    shipped = context()
    return jsonld_layout(
        DUMP_FILE, shipped, lambda t: jsonld.compact(jsonld.from_triples(t, native_types=True), shipped), False, False
    )


def dump_pieces(projection: Projection) -> list[Piece]:
    """The projection in pieces: each unit's facts about what it alone describes, then the others'."""
    shared = projection.corpus.shared
    parts = [
        Piece(key(p.key, *sorted(shared.intersection(p.unit.summary.subjects))),
              lambda p=p: p.own(p.unit.summary.subjects.keys() - shared))  # type: ignore[misc]
        for p in projection.units
    ]
    described = projection.shared
    return [*parts, Piece(key(ntriples(described)), lambda: described)]


def resolve(corpus: Corpus, iri: str | None = None, announcement: str | None = None) -> str:
    """The IRI of the page asked for: IRI (absolute or relative to the base), or an announcement's.

    Without either, the project's one announcement; a project with several
    must say which, since no announcement is more the page than another.
    """
    project = corpus.project
    if iri:
        return iri if urlsplit(iri).scheme else project.base_iri + iri
    names = sorted(corpus.announcement_graphs)
    if announcement is None:
        if len(names) != 1:
            found = ", ".join(names) or "none"
            raise UnknownResource(
                f"the project has {len(names)} announcements ({found}): pass an IRI or --announcement NAME"
            )
        announcement = names[0]
    if announcement not in corpus.announcement_graphs:
        raise UnknownResource(f"no announcement {announcement!r}; the project has: {', '.join(names) or 'none'}")
    return project.announcement_iri(announcement)


def index(triples: list[ox.Triple]) -> dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]]:
    """TRIPLES by subject, for ``subgraph``."""
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        by_subject[t.subject].append(t)  # type: ignore[index]
    return by_subject


def subgraph(by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]], iri: str) -> list[ox.Triple]:
    """The triples reachable from IRI: all that a tree framed at IRI can show.

    Framing a page's block from these rather than from the whole projection
    gives the same block at a cost that does not grow with the corpus.
    """
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    found = []
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in by_subject.get(node, ()):
            found.append(t)
            if isinstance(t.object, (ox.NamedNode, ox.BlankNode)):
                todo.append(t.object)
    return found


def markup(triples: list[ox.Triple], iri: str, language: str = "de") -> dict[str, Any]:
    """The markup block of the page about IRI: that resource as one tree, in LANGUAGE.

    Framing embeds each resource the root links to where it is first
    reached, so a person reads the block from the top down; a resource
    reached again is referred to by its @id.
    """
    if language not in LANGUAGES:
        raise ValueError(f"no markup in language {language!r}; choose one of {', '.join(LANGUAGES)}")
    if not any(isinstance(t.subject, ox.NamedNode) and t.subject.value == iri for t in triples):
        raise UnknownResource(
            f"<{iri}> is not described in schema.org terms: give the IRI of an announcement, "
            "organisation, place, programme, partnership or event (such as id/place/kitakyushu)"
        )
    frame = {"@context": context(language)["@context"], "@id": iri, "@embed": "@once"}
    expanded = jsonld.from_triples(in_language(triples, language), native_types=True)
    framed = pyld.frame(expanded, frame, {**jsonld.OPTIONS, "omitGraph": True})
    return framed  # type: ignore[no-any-return]


def shapes_text() -> str:
    return resources.files("rit_graph").joinpath(SHAPES_FILE).read_text(encoding="utf-8")


@functools.cache
def shapes() -> rdflib.Graph:
    """The shapes with the same blank node labels on every parse, so results from chunks merge.

    Made once per process (pyshacl does not change it).
    """
    labels = BlankNodeLabels(SHAPES_FILE)
    parsed = ox.parse(shapes_text().encode("utf-8"), ox.RdfFormat.TURTLE)
    return to_rdflib([ox.Triple(labels(q.subject), q.predicate, labels(q.object)) for q in parsed])  # type: ignore[arg-type]


def check(
    corpus: Corpus, cache: Cache | None = None, progress: Progress | None = None,
    projection: Projection | None = None,
) -> Report:
    """Validate the projection against the search engines' requirements.

    Missing required properties are violations; missing recommended ones are
    warnings (the source does not give a publication date, author or image,
    and the projection does not invent them). The projection is checked in
    chunks, one per group of units (as the data is validated), each with the
    facts its units project and all the projection says of the resources
    they describe with other units; a chunk checked before with the same
    content is taken from CACHE, with its findings in words.
    """
    cache = cache or Cache(None)
    projection = projection or projections(corpus, cache, progress)
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
        corpus, cache.within("schemaorg"), keys, content, lambda i, triples: _check_chunk(triples), shapes,
        os.cpu_count() or 1, progress or Progress(), "checking schema.org markup", 5,
    )


def _check_chunk(triples: list[ox.Triple]) -> list[ox.Triple]:
    import pyshacl  # slow to import; only commands that validate pay for it

    rules = shapes()
    # The shapes file also states the few schema.org subclass axioms the
    # targets need (schema:BusinessEvent is a schema:Event, ...).
    _, results, _ = pyshacl.validate(
        to_rdflib(triples), shacl_graph=rules, ont_graph=rules, inference="none", allow_warnings=True, advanced=True
    )
    return [ox.Triple(_ox_term(s), _ox_term(p), _ox_term(o)) for s, p, o in results]  # type: ignore[arg-type]
