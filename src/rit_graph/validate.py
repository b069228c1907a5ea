"""Validate a project's data against its SHACL shapes and report by resource.

pyshacl runs on an rdflib graph: the union of reference data and every
announcement, with the ontology mixed in so that ``sh:targetClass`` reaches
subclasses. Two things are added for the shapes' sake only: the ``rit:``
prefix declaration (its namespace depends on the base IRI) and, for each fact
of the reference data, a statement record citing the reference the resource
was checked against, so that one provenance rule covers both kinds of facts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH, XSD

from .load import Corpus

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


def validate(corpus: Corpus) -> Report:
    import pyshacl  # slow to import; only commands that validate pay for it

    project = corpus.project
    data = to_rdflib(corpus.quads, reference_records(corpus))
    shapes = to_rdflib(corpus.shapes)
    shapes.add(_rit_prefix_declaration(project.ontology_iri, project.vocabulary, shapes))
    ontology = to_rdflib(corpus.ontology)
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
    )
    return Report(bool(conforms), _by_resource(corpus, results, data, shapes), results)


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
                SEVERITIES.get(results.value(result, SH.resultSeverity), "violation"),  # type: ignore[arg-type]
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


class _Names:
    """Short, readable names for nodes in a report."""

    def __init__(self, base: str, data: rdflib.Graph) -> None:
        self.data = data
        self.prefixes = [
            ("rit:", base + "ontology#"),
            ("", base),
            ("rdf:", str(RDF)),
            ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
            ("xsd:", str(XSD)),
            ("sh:", str(SH)),
            ("oa:", "http://www.w3.org/ns/oa#"),
            ("dcterms:", "http://purl.org/dc/terms/"),
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
        labels = {lit.language: str(lit) for lit in self.data.objects(node, rdflib.RDFS.label)}  # type: ignore[union-attr]
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

