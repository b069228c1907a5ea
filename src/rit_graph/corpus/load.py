"""Read a project's files into a corpus: one unit per reference file and per announcement.

Each unit is parsed once (``rdf.reading``) and kept in the cache with a
summary of what it holds, so that a later run reads only what changed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyoxigraph as ox

from rit_graph.corpus import anchor, authoring
from rit_graph.corpus.project import Announcement, Project
from rit_graph.errors import InputError
from rit_graph.rdf.namespaces import RDF
from rit_graph.rdf.ntriples import ntriples
from rit_graph.rdf.reading import parse_file
from rit_graph.runtime.cache import Cache, key
from rit_graph.runtime.progress import Progress


@dataclass(frozen=True)
class Summary:
    """What the build needs to know of a unit without reading its triples.

    Terms are written as in N-Triples; objects are kept as 64-bit hashes,
    since literals are most of a unit's bytes and VoID only counts them (a
    million distinct objects collide with a chance of about 3 in 100 million).
    """

    #: The subjects the unit describes, each with its number of triples and its classes.
    subjects: dict[str, tuple[int, tuple[str, ...]]]
    #: The IRIs and blank nodes its triples link, subjects and objects, in order of appearance.
    nodes: tuple[str, ...]
    #: The hashes of its distinct objects, 8 bytes each.
    objects: bytes
    predicates: frozenset[str]
    languages: frozenset[str]

    @classmethod
    def of(cls, data: bytes) -> Summary:
        """The summary of triples written as N-Triples DATA, one per line, each once.

        Read from the text: a Python object for each term would cost more than the parse.
        """
        counts: dict[str, int] = {}
        types: dict[str, list[str]] = {}
        nodes: dict[str, None] = {}
        objects: set[str] = set()
        predicates: set[str] = set()
        # Not splitlines(): a text may hold U+2028 and other characters it ends lines at.
        for line in data.decode("utf-8").split("\n")[:-1]:
            subject, predicate, value = line[:-2].split(" ", 2)
            counts[subject] = counts.get(subject, 0) + 1
            classes = types.setdefault(subject, [])
            if predicate == _RDF_TYPE:
                classes.append(value)
            nodes[subject] = None
            if value[0] != '"':
                nodes[value] = None
            objects.add(value)
            predicates.add(predicate[1:-1])
        languages = {value.rpartition('"')[2][1:] for value in objects if value[0] == '"'}
        hashes = sorted(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest() for value in objects)
        return cls(
            {s: (n, tuple(types[s])) for s, n in counts.items()},
            tuple(nodes),
            b"".join(hashes),
            frozenset(predicates),
            frozenset(lang for lang in languages if lang and lang[0] != "^"),
        )

    @property
    def size(self) -> int:
        """How many triples the unit holds."""
        return sum(n for n, _ in self.subjects.values())

    def to_json(self) -> bytes:
        return orjson.dumps(
            [self.subjects, self.nodes, self.objects.hex(), sorted(self.predicates), sorted(self.languages)]
        )

    @classmethod
    def from_json(cls, data: bytes) -> Summary:
        subjects, nodes, objects, predicates, languages = orjson.loads(data)
        return cls(
            {s: (n, tuple(types)) for s, (n, types) in subjects.items()},
            tuple(nodes),
            bytes.fromhex(objects),
            frozenset(predicates),
            frozenset(languages),
        )


@dataclass(eq=False)
class Unit:
    """A reference file or an announcement folder: what is parsed, cached and rebuilt as one piece.

    An unchanged unit is not parsed again: its summary comes from the cache,
    and its triples are read from there only if a later step needs them.
    """

    #: Its path within the project (an announcement's folder ends with "/").
    name: str
    graph: ox.NamedNode
    #: A hash of everything its triples depend on: its files' bytes, the base IRI, the tool's version.
    key: str
    summary: Summary
    #: The folder name of an announcement; None for reference data.
    announcement: str | None
    read: Callable[[], list[ox.Triple]] = dataclasses.field(repr=False)

    @functools.cached_property
    def triples(self) -> list[ox.Triple]:
        """Each triple once, in the order the files state them (quotes' positions last)."""
        return self.read()

    def stated(self) -> list[ox.Triple]:
        """Its triples: those read already, else read for the purpose and not kept (what is made of them is)."""
        return self.__dict__["triples"] if "triples" in self.__dict__ else self.read()

    def quads(self) -> list[ox.Quad]:
        """Its triples in its graph (a store of the corpus keeps them)."""
        return [ox.Quad(t.subject, t.predicate, t.object, self.graph) for t in self.stated()]

    @classmethod
    def of(cls, name: str, graph: ox.NamedNode, triples: list[ox.Triple], announcement: str | None) -> Unit:
        """A unit of TRIPLES in memory."""
        return _in_memory(name, graph, triples, announcement, None)[0]


def _in_memory(
    name: str, graph: ox.NamedNode, triples: list[ox.Triple], announcement: str | None, unit_key: str | None
) -> tuple[Unit, bytes]:
    """A unit holding TRIPLES (each once), and them as N-Triples, which its summary is read from."""
    triples = list(dict.fromkeys(triples))
    data = ntriples(triples)
    unit_key = unit_key or key(name, graph.value, data)
    return Unit(name, graph, unit_key, Summary.of(data), announcement, lambda: triples), data


def shared_subjects(units: list[Unit]) -> set[str]:
    """The IRIs (as N-Triples terms) that two or more of UNITS describe."""
    seen: set[str] = set()
    shared: set[str] = set()
    for unit in units:
        for subject in unit.summary.subjects:
            if subject.startswith("<"):
                (shared if subject in seen else seen).add(subject)
    return shared


@dataclass
class Corpus:
    """Everything a project holds: its data as units (one named graph per announcement, one for
    the reference data), ontology and shapes."""

    project: Project
    #: Reference files first, then announcements, in path order.
    units: list[Unit]
    ontology: list[ox.Triple]
    shapes: list[ox.Triple]

    @classmethod
    def of_quads(
        cls, project: Project, quads: list[ox.Quad], ontology: list[ox.Triple], shapes: list[ox.Triple]
    ) -> Corpus:
        """A corpus of QUADS (from a store, say): one unit per named graph."""
        by_graph: dict[ox.NamedNode, list[ox.Triple]] = {}
        for q in quads:
            by_graph.setdefault(q.graph_name, []).append(q.triple)  # type: ignore[arg-type]
        prefix = project.graph_iri("announcement") + "/"
        units = []
        for graph in sorted(by_graph, key=lambda g: (g.value.startswith(prefix), g.value)):
            name = graph.value.removeprefix(prefix) if graph.value.startswith(prefix) else None
            folder = f"data/announcements/{name}/" if name else "data/reference/"
            units.append(Unit.of(folder, graph, by_graph[graph], name))
        return cls(project, units, ontology, shapes)

    @functools.cached_property
    def quads(self) -> list[ox.Quad]:
        """Every unit's quads, reference data first: read from the cache for units not parsed in this run."""
        return [q for unit in self.units for q in unit.quads()]

    @property
    def announcement_graphs(self) -> dict[str, ox.NamedNode]:
        """Named graph of each announcement, by folder name."""
        return {u.announcement: u.graph for u in self.units if u.announcement is not None}

    @property
    def reference_units(self) -> list[Unit]:
        return [u for u in self.units if u.announcement is None]

    @functools.cached_property
    def data(self) -> ox.Store:
        """The quads in a store, for SPARQL.

        The store keeps typed literals in canonical form ("P12M" becomes "P1Y"),
        so dumps and validation use ``quads``, which keep the words as written.
        """
        store = ox.Store()
        store.extend(self.quads)
        return store

    @functools.cached_property
    def store(self) -> ox.Store:
        """The quads with the ontology in its own named graph, graph/ontology: what queries see."""
        store = ox.Store()
        store.extend(self.quads)
        ontology = ox.NamedNode(self.project.graph_iri("ontology"))
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ontology) for t in self.ontology)
        return store

    @functools.cached_property
    def shared(self) -> set[str]:
        """The IRIs (as N-Triples terms) that two or more units describe (``shared_subjects``)."""
        return shared_subjects(self.units)

    def graph(self, name: ox.NamedNode) -> list[ox.Triple]:
        return [q.triple for q in self.quads if q.graph_name == name]


def parse_files(project: Project, paths: list[Path]) -> list[ox.Triple]:
    return [t for path in paths for t in _parse(project, path)]


def _parse(project: Project, path: Path) -> list[ox.Triple]:
    return parse_file(path, project.base_iri, path.relative_to(project.root).as_posix())


def load(project: Project, cache: Cache | None = None, progress: Progress | None = None) -> Corpus:
    """Parse the whole project; announcements get their source text and quote positions.

    With CACHE, a unit whose files have not changed since a run that parsed
    them is not parsed again (``Unit``).
    """
    cache = (cache or Cache(None)).within("units")
    progress = progress or Progress()
    reference = ox.NamedNode(project.graph_iri("reference"))
    references, announcements = project.reference_files(), project.announcements()
    progress.start("reading files", len(references) + len(announcements))
    units = []
    for path in references:
        units.append(_unit(project, cache, [path], reference, None, functools.partial(_reference, project, path)))
        progress.advance()
    for item in announcements:
        if not item.rdf_files:
            raise InputError(
                item.folder, "announcement folder without RDF", "add announcement.ttl describing the announcement"
            )
        graph = ox.NamedNode(project.graph_iri("announcement", item.name))
        units.append(
            _unit(
                project,
                cache,
                [*item.rdf_files, item.source_text],
                graph,
                item.name,
                functools.partial(_announcement, project, item, graph),
            )
        )
        progress.advance()
    progress.finish()
    cache.keep_only(u.key for u in units)
    return Corpus(
        project, units, parse_files(project, project.ontology_files()), parse_files(project, project.shapes_files())
    )


_RDF_TYPE = f"<{RDF}type>"


def _cached_summary(cache: Cache, unit_key: str) -> Summary | None:
    """The summary kept under UNIT_KEY; one that cannot be read (from another version, say) counts as missing."""
    data = cache.get_bytes(unit_key, ".json")
    try:
        return Summary.from_json(data) if data is not None else None
    except (ValueError, TypeError, KeyError):
        return None


def _announcement(project: Project, item: Announcement, graph: ox.NamedNode) -> list[ox.Triple]:
    announcement = ox.NamedNode(project.announcement_iri(item.name))
    triples = []
    for path in item.rdf_files:
        parsed = _parse(project, path)
        if authoring.uses_annotations(parsed):
            parsed = authoring.expand(parsed, announcement, project.vocabulary, path)
        triples += parsed
    return triples + anchor.anchor_quotes(project, item, triples, graph)


def _reference(project: Project, path: Path) -> list[ox.Triple]:
    parsed = _parse(project, path)
    if authoring.uses_annotations(parsed):
        raise InputError(
            path,
            "annotations ({| … |} or ~) in reference data, which has no source text to quote",
            "cite the reference a fact was checked against with dcterms:source; quote words only in an announcement",
        )
    return parsed


def _unit(
    project: Project,
    cache: Cache,
    files: list[Path],
    graph: ox.NamedNode,
    announcement: str | None,
    parse: Callable[[], list[ox.Triple]],
) -> Unit:
    """The unit of FILES, from CACHE if they are unchanged, otherwise parsed and kept there."""
    name = f"data/announcements/{announcement}/" if announcement else files[0].relative_to(project.root).as_posix()
    try:
        parts = [part for f in files for part in (f.relative_to(project.root).as_posix(), f.read_bytes())]
    except OSError:
        parts = None  # parsing reports it
    unit_key = key(project.base_iri, name, *parts) if parts is not None else None
    summary = _cached_summary(cache, unit_key) if unit_key is not None else None
    if unit_key is not None and summary is not None:

        def read() -> list[ox.Triple]:
            cached = cache.get(unit_key)
            return list(dict.fromkeys(parse())) if cached is None else cached

        return Unit(name, graph, unit_key, summary, announcement, read)
    unit, data = _in_memory(name, graph, parse(), announcement, unit_key)
    if unit_key is not None:
        cache.put_bytes(unit_key, data, ".nt")
        cache.put_bytes(unit_key, unit.summary.to_json(), ".json")
    return unit
