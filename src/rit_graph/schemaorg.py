"""The graph in schema.org's terms, as markup blocks for web pages.

The projection is declarative: the SPARQL CONSTRUCT queries shipped in
``schemaorg-queries/`` derive schema.org facts from the ontology's own
alignments (rdfs:subClassOf / rdfs:subPropertyOf to http://schema.org/ terms,
skos matches for event statuses) and add the structure search engines
expect (postal addresses, organizers, property values). They run with the
project's base IRI, so ``rit:`` in them is the project's vocabulary whatever
the base; the ontology is queried as the named graph ``<graph/ontology>``.
JSON-LD is produced with a context shipped in the package, never fetched.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import rdflib
from pyld import jsonld as pyld

from . import jsonld
from .cache import Cache, key, ntriples
from .errors import RitGraphError
from .load import BlankNodeLabels, Corpus
from .progress import Progress
from .validate import (
    Report,
    _by_resource,
    _has_results,
    _ox_term,
    findings_context,
    merge_results,
    to_rdflib,
)

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


def project(corpus: Corpus) -> list[ox.Triple]:
    """The schema.org facts the graph holds, in a stable order."""
    base = corpus.project.base_iri
    # The data merged into the default graph: naming thousands of graphs as the
    # default graph instead makes pyoxigraph evaluate every pattern in each.
    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in corpus.quads)
    ontology = ox.NamedNode(corpus.project.graph_iri("ontology"))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ontology) for t in corpus.ontology)
    triples: set[ox.Triple] = set()
    for query in queries().values():
        triples.update(store.query(query, base_iri=base))  # type: ignore[arg-type]
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


def document(triples: list[ox.Triple], cache: Cache | None = None) -> dict[str, Any]:
    """The whole projection, compacted with the shipped context (the build's schema-org.jsonld)."""
    return jsonld.compact_in_pieces(triples, context(), native_types=True, cache=cache)


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


def shapes() -> rdflib.Graph:
    """The shapes with the same blank node labels on every parse, so results from chunks merge."""
    labels = BlankNodeLabels(SHAPES_FILE)
    parsed = ox.parse(shapes_text().encode("utf-8"), ox.RdfFormat.TURTLE)
    return to_rdflib([ox.Triple(labels(q.subject), q.predicate, labels(q.object)) for q in parsed])  # type: ignore[arg-type]


def check(
    corpus: Corpus, triples: list[ox.Triple], cache: Cache | None = None, progress: Progress | None = None
) -> Report:
    """Validate the projection against the search engines' requirements.

    Missing required properties are violations; missing recommended ones are
    warnings (the source does not give a publication date, author or image,
    and the projection does not invent them). The projection is checked in
    chunks that each hold whole pages (see ``chunks``), on all cores, and a
    chunk checked before with the same content is taken from CACHE.
    """
    cache = (cache or Cache(None)).within("schemaorg")
    rules = shapes_text()
    parts = chunks(triples)
    keys = [key(rules, ntriples(part)) for part in parts]
    # Worker processes pay off for a corpus, not for the few chunks of a small project.
    found = cache.map(
        _check_chunk, parts, keys, os.cpu_count() or 1, progress or Progress(), "checking schema.org markup", 5
    )
    conforms, results = merge_results(found)
    data = findings_context(results, (t for i, part in enumerate(parts) if _has_results(found[i]) for t in part))
    return Report(conforms, _by_resource(corpus, results, data, shapes()), results)


def chunks(triples: list[ox.Triple], roots_per_chunk: int = 50) -> list[list[ox.Triple]]:
    """The projection in chunks of whole pages: each holds some roots with all they reach.

    A shape may look along links (an event's location and its address) and
    its targets start from the articles, so the articles are the first roots;
    the resources no article reaches are the roots of the last chunks.
    """
    by_subject = index(triples)
    articles = sorted({t.subject for t in triples if t.predicate in _PAGE_LINKS and isinstance(t.subject, ox.NamedNode)}, key=str)
    parts = _pages(by_subject, articles, roots_per_chunk)
    reached = {t.subject for part in parts for t in part}
    rest = sorted((s for s in by_subject if s not in reached and isinstance(s, ox.NamedNode)), key=str)
    return parts + _pages(by_subject, rest, roots_per_chunk) or [[]]


def _pages(
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]], roots: Sequence[ox.NamedNode], size: int
) -> list[list[ox.Triple]]:
    parts = []
    for start in range(0, len(roots), size):
        part: dict[ox.Triple, None] = {}
        for root in roots[start : start + size]:
            part.update(dict.fromkeys(subgraph(by_subject, root.value)))
        parts.append(list(part))
    return parts


_PAGE_LINKS = {ox.NamedNode("http://schema.org/about"), ox.NamedNode("http://schema.org/mentions")}


def _check_chunk(triples: list[ox.Triple]) -> list[ox.Triple]:
    import pyshacl  # slow to import; only commands that validate pay for it

    rules = shapes()
    # The shapes file also states the few schema.org subclass axioms the
    # targets need (schema:BusinessEvent is a schema:Event, ...).
    _, results, _ = pyshacl.validate(
        to_rdflib(triples), shacl_graph=rules, ont_graph=rules, inference="none", allow_warnings=True, advanced=True
    )
    return [ox.Triple(_ox_term(s), _ox_term(p), _ox_term(o)) for s, p, o in results]  # type: ignore[arg-type]
