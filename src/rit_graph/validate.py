"""Validate a project's data against its SHACL shapes and report by resource.

pyshacl runs on rdflib graphs, with the ontology mixed in so that
``sh:targetClass`` reaches subclasses. Two things are added for the shapes'
sake only: the ``rit:`` prefix declaration (its namespace depends on the base
IRI) and, for each fact of the reference data, a statement record citing the
reference the resource was checked against, so that one provenance rule covers
both kinds of facts.

The data is validated in partitions, one per announcement, each holding that
announcement and everything that is not an announcement (the reference data).
pyshacl's cost grows faster than the graph it validates, so many small
graphs are much cheaper than one large one, and they run on several cores.
A result found in several partitions (about reference data, or about a
resource that several announcements describe) is reported once. Findings
that only the union of two announcements shows are out of reach: each
announcement must be valid together with the reference data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH, XSD

from .load import Corpus, GraphName
from .namespaces import STANDARD_PREFIXES

DCTERMS_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True)
class Finding:
    """One validation result, in words a person can act on."""

    severity: str
    message: str
    path: str | None
    value: str | None
    shape: str
    constraint: str


@dataclass
class ResourceReport:
    focus: str
    label: str | None
    #: Project folders whose files describe the resource.
    files: list[str]
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Report:
    conforms: bool
    resources: list[ResourceReport]
    results: rdflib.Graph

    def count(self, severity: str) -> int:
        return sum(1 for r in self.resources for f in r.findings if f.severity == severity)

    def to_text(self) -> str:
        if not self.resources:
            return "conforms: no violations\n"
        lines = []
        for resource in self.resources:
            title = resource.focus + (f"  “{resource.label}”" if resource.label else "")
            lines.append(title)
            if resource.files:
                lines.append(f"  in {', '.join(resource.files)}")
            for f in resource.findings:
                where = " ".join(x for x in (f.path, f.value) if x)
                lines.append(f"  {f.severity}: {where + ': ' if where else ''}{f.message}")
            lines.append("")
        lines.append(
            f"{self.count('violation')} violation(s), {self.count('warning')} warning(s) "
            f"in {len(self.resources)} resource(s)"
        )
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        document = {
            "conforms": self.conforms,
            "violations": self.count("violation"),
            "warnings": self.count("warning"),
            "resources": [asdict(r) for r in self.resources],
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        return self.results.serialize(format="turtle")


def validate(corpus: Corpus, workers: int | None = None) -> Report:
    """Validate every partition, on up to WORKERS processes (default: one per core)."""
    project = corpus.project
    records = reference_records(corpus)
    prefix = (project.ontology_iri, project.vocabulary)
    jobs = [(data + records, corpus.shapes, corpus.ontology, prefix) for data in partitions(corpus)]
    workers = min(len(jobs), workers or os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            found = list(pool.map(_validate_partition, jobs))
    else:
        found = [_validate_partition(job) for job in jobs]
    conforms, results = merge_results([to_rdflib(f) for f in found])
    shapes = to_rdflib(corpus.shapes)
    shapes.add(_rit_prefix_declaration(*prefix, shapes))
    data = to_rdflib(corpus.quads, records)
    return Report(conforms, _by_resource(corpus, results, data, shapes), results)


def partitions(corpus: Corpus) -> list[list[ox.Triple]]:
    """Each announcement's triples with everything outside announcements; just that if there is no announcement."""
    by_graph: dict[GraphName, list[ox.Triple]] = {g: [] for g in corpus.announcement_graphs.values()}
    common: list[ox.Triple] = []
    for q in corpus.quads:
        by_graph.get(q.graph_name, common).append(q.triple)
    return [common + own for own in by_graph.values()] or [common]


def _validate_partition(
    job: tuple[list[ox.Triple], list[ox.Triple], list[ox.Triple], tuple[str, str]],
) -> list[ox.Triple]:
    """pyshacl's results for one partition, as pyoxigraph triples.

    Triples cross process boundaries as pyoxigraph terms: an unpickled rdflib
    literal is normalised ("P12M" becomes "P1Y"), and reports quote values as written.
    """
    import pyshacl  # slow to import; only commands that validate pay for it

    data, shape_triples, ontology, prefix = job
    shapes = to_rdflib(shape_triples)
    shapes.add(_rit_prefix_declaration(*prefix, shapes))
    with _queries_parsed_once():
        _, results, _ = pyshacl.validate(
            to_rdflib(data), shacl_graph=shapes, ont_graph=to_rdflib(ontology), inference="none", allow_warnings=True
        )
    _drop_shape_messages(results, shapes)
    return [ox.Triple(_ox_term(s), _ox_term(p), _ox_term(o)) for s, p, o in results]  # type: ignore[arg-type]


@contextmanager
def _queries_parsed_once() -> Iterator[None]:
    """Let rdflib parse each SHACL-SPARQL query once, not once per focus node.

    pyshacl hands rdflib a constraint's text for every focus node (with $this
    bound separately), and parsing it took two thirds of a partition's time.
    A parsed and translated query is made for reuse (rdflib's ``prepareQuery``),
    so while the block runs rdflib's SPARQL processor takes it from a cache.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.processor import SPARQLProcessor
    from rdflib.plugins.sparql.sparql import Query

    original = SPARQLProcessor.query
    cache: dict[tuple[str, str | None, frozenset[tuple[str, Any]]], Query] = {}

    def query(
        self: SPARQLProcessor,
        text: str | Query,
        initBindings: Mapping[str, rdflib.term.Identifier] | None = None,  # noqa: N803 (rdflib's names)
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Mapping[str, Any]:
        if isinstance(text, str):
            key = (text, base, frozenset((initNs or {}).items()))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(text), base, initNs)
            text = cache[key]
        return original(self, text, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        SPARQLProcessor.query = original  # type: ignore[method-assign]


def _drop_shape_messages(results: rdflib.Graph, shapes: rdflib.Graph) -> None:
    """Keep only a SHACL-SPARQL constraint's own message on its results.

    pyshacl adds the message of the node shape too (such as "an event's IRI
    must be …" to "the end date is before the start date"), which misleads.
    """
    for result, constraint in results.subject_objects(SH.sourceConstraint):
        if (constraint, SH.message, None) not in shapes:
            continue
        for message in shapes.objects(results.value(result, SH.sourceShape), SH.message):
            results.remove((result, SH.resultMessage, rdflib.Literal(str(message))))
            results.remove((result, SH.resultMessage, message))


def merge_results(graphs: list[rdflib.Graph]) -> tuple[bool, rdflib.Graph]:
    """Whether GRAPHS hold no violation, and one SHACL report with each of their distinct results once.

    Results are told apart by their own properties; every node they share
    (focus nodes, shapes, paths) has the same label in every partition.
    """
    merged = rdflib.Graph()
    report = rdflib.BNode("report")
    seen: set[frozenset[tuple[rdflib.term.Node, rdflib.term.Node]]] = set()
    for graph in graphs:
        for result in graph.subjects(RDF.type, SH.ValidationResult):
            key = frozenset(graph.predicate_objects(result))
            if key in seen:
                continue
            seen.add(key)
            merged.add((report, SH.result, result))
            for triple in graph.cbd(result):
                merged.add(triple)
    conforms = not any(merged.subjects(SH.resultSeverity, SH.Violation))
    merged.add((report, RDF.type, SH.ValidationReport))
    merged.add((report, SH.conforms, rdflib.Literal(conforms)))
    return conforms, merged


def reference_records(corpus: Corpus) -> list[ox.Triple]:
    """Statement records for facts of the reference data, citing the resource's reference."""
    graph = ox.NamedNode(corpus.project.graph_iri("reference"))
    vocabulary = corpus.project.vocabulary
    reference = [q for q in corpus.quads if q.graph_name == graph]
    sources = {q.subject: q.object for q in reference if q.predicate == DCTERMS_SOURCE}
    records: list[ox.Triple] = []
    for q in reference:
        source = sources.get(q.subject)
        if source is None or not q.predicate.value.startswith(vocabulary):
            continue
        record = ox.BlankNode()
        records += [
            ox.Triple(record, ox.NamedNode(str(RDF.subject)), q.subject),
            ox.Triple(record, ox.NamedNode(str(RDF.predicate)), q.predicate),
            ox.Triple(record, ox.NamedNode(str(RDF.object)), q.object),
            ox.Triple(record, DCTERMS_SOURCE, source),
        ]
    return records


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


def _rit_prefix_declaration(
    ontology: str, vocabulary: str, shapes: rdflib.Graph
) -> tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]:
    declaration = rdflib.BNode("rit-prefix")
    shapes.add((declaration, SH.prefix, rdflib.Literal("rit")))
    shapes.add((declaration, SH.namespace, rdflib.Literal(vocabulary, datatype=XSD.anyURI)))
    return (rdflib.URIRef(ontology), SH.declare, declaration)


def _by_resource(
    corpus: Corpus, results: rdflib.Graph, data: rdflib.Graph, shapes: rdflib.Graph
) -> list[ResourceReport]:
    project = corpus.project
    names = _Names(project.base_iri, data)
    folders = {str(g.value): f"data/announcements/{name}/" for name, g in corpus.announcement_graphs.items()}
    folders[project.graph_iri("reference")] = "data/reference/"
    grouped: dict[str, ResourceReport] = {}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        if focus is None:  # pyshacl always names the focus node; a report read from elsewhere might not
            continue
        anchor = names.named_anchor(focus)
        key = names.show(anchor)
        if key not in grouped:
            files = sorted(
                {
                    folders.get(q.graph_name.value, q.graph_name.value)
                    for q in corpus.data.quads_for_pattern(_ox(anchor), None, None, None)
                    if isinstance(q.graph_name, ox.NamedNode)
                }
            )
            grouped[key] = ResourceReport(key, names.label(anchor), files)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        within = "" if focus == anchor else f"({names.trail(focus)}) "
        grouped[key].findings.append(
            Finding(
                SEVERITIES.get(rdflib.URIRef(str(results.value(result, SH.resultSeverity))), "violation"),
                within + (str(message) if message else "does not conform"),
                names.show(path) if isinstance(path, rdflib.URIRef) else None,
                names.show(value) if value is not None and value != focus else None,
                names.show(_node_shape(shapes, results.value(result, SH.sourceShape))),
                names.show(results.value(result, SH.sourceConstraintComponent)),
            )
        )
    for report in grouped.values():
        report.findings.sort(key=lambda f: (f.severity, f.path or "", f.value or "", f.message))
    return [grouped[k] for k in sorted(grouped)]


def _node_shape(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> rdflib.term.Node | None:
    """The named shape a result comes from: a property shape is a blank node that shows as "[]"."""
    if isinstance(shape, rdflib.BNode):
        return next(shapes.subjects(SH.property, shape), shape)
    return shape


def _ox(node: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode:
    return ox.NamedNode(str(node)) if isinstance(node, rdflib.URIRef) else ox.BlankNode(str(node))


def _ox_term(node: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The inverse of ``term``: a literal keeps its lexical form, language and datatype."""
    if not isinstance(node, rdflib.Literal):
        return _ox(node)
    if node.language:
        return ox.Literal(str(node), language=node.language)
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))


class _Names:
    """Short, readable names for nodes in a report."""

    def __init__(self, base: str, data: rdflib.Graph) -> None:
        self.data = data
        self.prefixes = [
            ("rit:", base + "ontology#"),
            ("", base),
            *((name + ":", STANDARD_PREFIXES[name]) for name in ("rdf", "rdfs", "xsd")),
            ("sh:", str(SH)),
            *((name + ":", STANDARD_PREFIXES[name]) for name in ("oa", "dcterms")),
        ]

    def show(self, node: rdflib.term.Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, rdflib.URIRef):
            for prefix, namespace in self.prefixes:
                if str(node).startswith(namespace):
                    rest = str(node)[len(namespace) :]
                    return f"<{rest}>" if prefix == "" else prefix + rest
            return f"<{node}>"
        if isinstance(node, rdflib.Literal):
            return json.dumps(str(node), ensure_ascii=False) + (f"@{node.language}" if node.language else "")
        return "[]"

    def label(self, node: rdflib.term.Node) -> str | None:
        labels = {
            lit.language: str(lit) for lit in self.data.objects(node, rdflib.RDFS.label) if isinstance(lit, rdflib.Literal)
        }
        return labels.get("en") or labels.get("de") or next(iter(labels.values()), None)

    def named_anchor(self, node: rdflib.term.Node) -> rdflib.term.Node:
        """The nearest IRI a blank node hangs from (an annotation for its bodies and selectors)."""
        seen = {node}
        while isinstance(node, rdflib.BNode):
            parent = next((s for s in self.data.subjects(None, node) if s not in seen), None)
            if parent is None:
                break
            node = parent
            seen.add(node)
        return node

    def trail(self, node: rdflib.term.Node) -> str:
        """How a blank node hangs from its named anchor, such as 'in oa:hasTarget/oa:hasSelector'.

        A statement also shows the triple it names, so that the fact is found at a glance.
        """
        triple = [self.data.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object)]
        fact = " statement " + " ".join(self.show(t) for t in triple) if all(t is not None for t in triple) else ""
        steps = []
        seen = {node}
        while isinstance(node, rdflib.BNode):
            link = next(((s, p) for s, p in self.data.subject_predicates(node) if s not in seen), None)
            if link is None:
                break
            node, predicate = link
            seen.add(node)
            steps.append(self.show(predicate))
        return "in " + ("/".join(reversed(steps)) or "[]") + fact

