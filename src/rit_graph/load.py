"""Read a project's files into one RDF dataset, with clear errors for bad input.

Files are parsed with pyoxigraph (ten times faster than rdflib and precise
about where a syntax error is). Blank nodes get labels derived from the file
and their order of appearance, so the same input always gives the same
dataset and byte-identical dumps.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import anchor
from .errors import InputError
from .formats import for_path
from .project import Project

Term = ox.NamedNode | ox.BlankNode | ox.Literal
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


@dataclass
class Corpus:
    """Everything a project holds, parsed: data by named graph, ontology and shapes."""

    project: Project
    #: Reference data and announcements, one named graph each, as written in the files.
    quads: list[ox.Quad]
    ontology: list[ox.Triple]
    shapes: list[ox.Triple]
    #: Named graph of each announcement, by folder name.
    announcement_graphs: dict[str, ox.NamedNode]
    #: Where each reference file's quads lie in ``quads``: (start, end) by path within the project.
    reference_files: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)

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
    def schema_org(self) -> list[ox.Triple]:
        """The graph in schema.org's terms (``schemaorg.project``), computed once for all who need it."""
        from .schemaorg import project

        return project(self)

    def graph(self, name: ox.NamedNode) -> list[ox.Triple]:
        return [q.triple for q in self.quads if q.graph_name == name]


def read_text(path: Path) -> str:
    """A file's text, decoded as UTF-8; an error names the line and column of a bad byte."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise InputError(path, "file not found", "create the file or remove what refers to it") from e
    except OSError as e:
        raise InputError(path, f"cannot read file: {e.strerror}") from e
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        # Count characters, as editors and the RDF parsers do: the bytes before the bad one decode.
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1
        raise InputError(
            path,
            f"not valid UTF-8: byte 0x{data[e.start]:02x} cannot be decoded ({e.reason})",
            "save the file as UTF-8",
            line,
            column,
        ) from e


def parse_file(path: Path, base_iri: str, graph: GraphName, key: str = "") -> list[ox.Quad]:
    """Parse one RDF file into GRAPH, resolving relative IRIs against BASE_IRI.

    KEY (the file's path within its project) keeps blank nodes of different
    files apart while their labels stay the same wherever the project lies.
    """
    rdf_format = for_path(path)
    if rdf_format is None:
        raise InputError(path, "not an RDF file", "use one of the extensions .ttl .nt .trig .nq .jsonld .rdf")
    text = read_text(path)
    try:
        parsed = list(ox.parse(text.encode("utf-8"), rdf_format.oxigraph, base_iri=base_iri))
    except SyntaxError as e:
        raise InputError(
            path,
            f"{rdf_format.name} syntax error: {_reason(e)}",
            f"correct the {rdf_format.name} syntax at that place",
            e.lineno,
            e.offset,
        ) from e
    labels = BlankNodeLabels(key or path.name)
    return [
        ox.Quad(labels(q.subject), q.predicate, labels(q.object), graph)  # type: ignore[arg-type]
        for q in parsed
    ]


def parse_files(project: Project, paths: list[Path]) -> list[ox.Triple]:
    return [q.triple for path in paths for q in _parse(project, path, ox.DefaultGraph())]


def _parse(project: Project, path: Path, graph: GraphName) -> list[ox.Quad]:
    return parse_file(path, project.base_iri, graph, path.relative_to(project.root).as_posix())


def load(project: Project) -> Corpus:
    """Parse the whole project; announcements get their source text and quote positions."""
    reference = ox.NamedNode(project.graph_iri("reference"))
    data: list[ox.Quad] = []
    files: dict[str, tuple[int, int]] = {}
    for path in project.reference_files():
        start = len(data)
        data += _parse(project, path, reference)
        files[path.relative_to(project.root).as_posix()] = (start, len(data))
    graphs: dict[str, ox.NamedNode] = {}
    for item in project.announcements():
        graph = ox.NamedNode(project.graph_iri("announcement", item.name))
        quads = [q for path in item.rdf_files for q in _parse(project, path, graph)]
        if not item.rdf_files:
            raise InputError(
                item.folder, "announcement folder without RDF", "add announcement.ttl describing the announcement"
            )
        quads += anchor.anchor_quotes(project, item, quads, graph)
        data += quads
        graphs[item.name] = graph
    return Corpus(
        project,
        data,
        parse_files(project, project.ontology_files()),
        parse_files(project, project.shapes_files()),
        graphs,
        files,
    )


class BlankNodeLabels:
    """Relabel a file's blank nodes as <file hash>n<order of appearance>."""

    def __init__(self, key: str) -> None:
        self._prefix = "b" + hashlib.sha1(key.encode()).hexdigest()[:8]
        self._labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def __call__(self, term: Term) -> Term:
        if not isinstance(term, ox.BlankNode):
            return term
        label = self._labels.get(term)
        if label is None:
            label = self._labels[term] = ox.BlankNode(f"{self._prefix}n{len(self._labels)}")
        return label


def _reason(error: SyntaxError) -> str:
    message = str(error.msg)
    # pyoxigraph prefixes "Parser error at line L column C: "; the location is reported separately.
    return message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message
