"""Every SHACL shape, shown to fail on a fixture that breaks exactly that shape.

tests/shapes/valid/ is a minimal project that conforms. Each file in
tests/shapes/invalid/ is a SPARQL Update applied to that project's loaded
data; its header says which shapes must fail (``# shape:``, by default the
file name up to the first hyphen) and words its message must contain
(``# expect:``). The validation results must come from that shape only, and
every message must be one the shapes file words itself.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from projects import INVALID, patched
from rdflib.namespace import RDF, SH

from rit_graph.corpus.load import Corpus
from rit_graph.corpus.run import Run
from rit_graph.rdf.terms import to_rdflib
from rit_graph.validation.validate import Report, validate

FIXTURES = sorted(p.stem for p in INVALID.glob("*.ru"))


def header(path: Path, key: str) -> str | None:
    prefix = f"# {key}: "
    return next(
        (line[len(prefix) :] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(prefix)), None
    )


@pytest.fixture(scope="module")
def shapes(mini_corpus: Corpus) -> rdflib.Graph:
    return to_rdflib(mini_corpus.shapes)


def owner(shapes: rdflib.Graph, shape: rdflib.term.Node) -> rdflib.term.Node:
    """The node shape a result comes from: the shape itself, or the node shape holding a property shape."""
    if (shape, RDF.type, SH.NodeShape) in shapes:
        return shape
    return next(shapes.subjects(SH.property, shape))


def node_shape_names(shapes: rdflib.Graph, base_iri: str) -> set[str]:
    prefix = base_iri + "shapes#"
    return {str(s)[len(prefix) :] for s in shapes.subjects(RDF.type, SH.NodeShape) if str(s).startswith(prefix)}


def test_the_minimal_project_conforms(mini_corpus: Corpus) -> None:
    report = validate(Run(mini_corpus))
    assert report.conforms, report.to_text()


def test_the_minimal_project_has_its_own_base_iri(mini_corpus: Corpus) -> None:
    assert mini_corpus.project.base_iri == "https://example.org/kb/"
    subjects = {q.subject.value for q in mini_corpus.data if isinstance(q.subject, ox.NamedNode)}
    assert subjects and all(s.startswith("https://example.org/kb/id/") for s in subjects)


def test_every_node_shape_has_an_invalid_fixture(shapes: rdflib.Graph, mini_corpus: Corpus) -> None:
    names = node_shape_names(shapes, mini_corpus.project.base_iri)
    assert len(names) >= 25
    assert names == {f.split("-")[0] for f in FIXTURES}


@pytest.mark.parametrize("name", FIXTURES)
def test_invalid_fixture_fails_exactly_its_shape(mini_corpus: Corpus, shapes: rdflib.Graph, name: str) -> None:
    path = INVALID / f"{name}.ru"
    expected_shapes = (header(path, "shape") or name.split("-")[0]).split()
    expected_words = header(path, "expect")
    assert expected_words, f"{path.name} needs a '# expect:' line"
    report: Report = validate(Run(patched(mini_corpus, path.read_text(encoding="utf-8"))))
    assert not report.conforms
    results = list(report.results.subjects(RDF.type, SH.ValidationResult))
    base = mini_corpus.project.base_iri
    sources = {owner(shapes, report.results.value(r, SH.sourceShape)) for r in results}
    assert sources == {rdflib.URIRef(base + "shapes#" + s) for s in expected_shapes}, report.to_text()
    messages = {str(report.results.value(r, SH.resultMessage)) for r in results}
    worded = {str(m) for m in shapes.objects(None, SH.message)}
    assert messages <= worded, "every message is worded in the shapes file"
    assert any(expected_words in m for m in messages), messages
    findings = [f for resource in report.resources for f in resource.findings]
    assert len(findings) == len(results)
