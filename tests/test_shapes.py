"""Every SHACL shape, shown to fail on a fixture that breaks exactly that shape.

tests/shapes/valid/ is a minimal project that conforms. Each file in
tests/shapes/invalid/ is a SPARQL Update applied to that project's loaded
data; its header says which shapes must fail (``# shape:``, by default the
file name up to the first hyphen) and words its message must contain
(``# expect:``). The validation results must come from that shape only, and
every message must be one the shapes file words itself. Where rit-graph adds
to a message in the report (a "did you mean", the passage a misquote misses),
``# says:`` is a line of the report, as printed after the severity.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from projects import INVALID, patched
from rdflib.namespace import RDF, SH

from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.rdf.terms import to_rdflib
from rit_graph.validation.validate import Report, validate

FIXTURES = sorted(p.stem for p in INVALID.glob("*.ru"))
RDF_TYPE_OX = ox.NamedNode(str(RDF.type))


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
    said = header(path, "says")
    if said is not None:
        assert f"  violation: {said}" in report.to_text().splitlines(), report.to_text()


#: The later press release of issue 15 in miniature (its people invented): an agreement signed at a
#: place on a day, in the presence of the head of an organisation's unit, continuing a partnership;
#: a quotation of a person in their role; an approximate count; the publication date and publisher.
MEMORANDUM_TEXT = """Cluster und Kitakyushu unterzeichnen Absichtserklärung

Stuttgart, 29.05.2017. Das Cluster und Kitakyushu unterzeichneten heute in Stuttgart eine Absichtserklärung. \
Sie setzen damit ihre seit 2015 bestehende Zusammenarbeit fort. \
Unterzeichnet wurde in Anwesenheit von Taro Beispiel, Generaldirektor von JETRO Stuttgart. \
„Wir haben rund 600 Direktkontakte geknüpft“, sagte Erika Beispiel, Koordinatorin des Clusters.

Eine Pressemitteilung des Clusters.
"""

MEMORANDUM_FACTS = """\
@prefix rit:     <ontology#> .
@prefix ann:     <id/announcement/> .
@prefix q:       <id/announcement/memorandum/quote/> .
@prefix orgn:    <id/organisation/> .
@prefix place:   <id/place/> .
@prefix part:    <id/partnership/> .
@prefix ev:      <id/event/> .
@prefix person:  <id/person/> .
@prefix member:  <id/membership/> .
@prefix agr:     <id/agreement/> .
@prefix quot:    <id/quotation/> .
@prefix count:   <id/count/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .

ann:memorandum a rit:Announcement ;
    rdfs:label "Cluster und Kitakyushu unterzeichnen Absichtserklärung"@de ,
        "Cluster and Kitakyushu sign a memorandum of understanding"@en ;
    rit:headline "Cluster und Kitakyushu unterzeichnen Absichtserklärung"@de
        ~ q:headline {| rit:quote "Cluster und Kitakyushu unterzeichnen Absichtserklärung" |} ;
    rit:inLanguage "de"^^xsd:language
        {| rit:because "The text is German; it does not say so itself."@en |} ~ q:headline ;
    rit:datePublished "2017-05-29"^^xsd:date ~ q:dateline {| rit:quote "Stuttgart, 29.05.2017." |} ;
    rit:publisher orgn:cluster ~ q:publisher {| rit:quote "Eine Pressemitteilung des Clusters." |} ;
    rit:about agr:cluster-kitakyushu ~ q:headline .

agr:cluster-kitakyushu a rit:MemorandumOfUnderstanding ;
    rdfs:label "Absichtserklärung des Clusters und Kitakyushus"@de ,
        "Memorandum of understanding of the cluster and Kitakyushu"@en ;
    rit:party orgn:cluster ~ q:signing
        {| rit:quote "Das Cluster und Kitakyushu unterzeichneten heute in Stuttgart eine Absichtserklärung." |} ,
        place:kitakyushu ~ q:signing ;
    rit:signing ev:2017-05-29-signing ~ q:signing ;
    rit:continues part:cluster-kitakyushu
        ~ q:continues {| rit:quote "Sie setzen damit ihre seit 2015 bestehende Zusammenarbeit fort." |} .

ev:2017-05-29-signing a rit:Signing ;
    rdfs:label "Unterzeichnung der Absichtserklärung"@de , "Signing of the memorandum of understanding"@en ;
    rit:startDate "2017-05-29"^^xsd:date
        {| rit:because "„heute“ is the day of the dateline, 29.05.2017."@en |} ~ q:signing ;
    rit:location place:stuttgart ~ q:signing ;
    rit:eventStatus rit:Completed ~ q:signing ;
    rit:attendee person:taro-beispiel ~ q:presence
        {| rit:quote "Unterzeichnet wurde in Anwesenheit von Taro Beispiel, Generaldirektor von JETRO Stuttgart." |} .

part:cluster-kitakyushu rit:count count:cluster-kitakyushu-contacts
    ~ q:coordinator {| rit:quote "„Wir haben rund 600 Direktkontakte geknüpft“,"
                                , "sagte Erika Beispiel, Koordinatorin des Clusters." |} .

count:cluster-kitakyushu-contacts a rit:Quantity ;
    rdfs:label "Direktkontakte"@de , "Direct contacts"@en ;
    rit:amount 600 ~ q:coordinator ;
    rit:approximate true ~ q:coordinator ;
    rit:unitText "Direktkontakte"@de ~ q:coordinator .

orgn:jetro-stuttgart a rit:OrganisationalUnit ;
    rdfs:label "JETRO Stuttgart"@de , "JETRO Stuttgart"@en ;
    rit:unitOf orgn:jetro ~ q:presence .

person:taro-beispiel a rit:Person ; rdfs:label "Taro Beispiel"@de , "Taro Beispiel"@en .
person:erika-beispiel a rit:Person ; rdfs:label "Erika Beispiel"@de , "Erika Beispiel"@en .

member:taro-beispiel-jetro-stuttgart a rit:Membership ;
    rdfs:label "Taro Beispiel, Generaldirektor von JETRO Stuttgart"@de ,
        "Taro Beispiel, director general of JETRO Stuttgart"@en ;
    rit:member person:taro-beispiel ~ q:presence ;
    rit:organisation orgn:jetro-stuttgart ~ q:presence ;
    rit:roleName "Generaldirektor"@de ~ q:presence .

member:erika-beispiel-cluster a rit:Membership ;
    rdfs:label "Erika Beispiel, Koordinatorin des Clusters"@de , "Erika Beispiel, coordinator of the cluster"@en ;
    rit:member person:erika-beispiel ~ q:coordinator ;
    rit:organisation orgn:cluster ~ q:coordinator ;
    rit:roleName "Koordinatorin"@de ~ q:coordinator .

quot:erika-beispiel-contacts a rit:Quotation ;
    rdfs:label "Erika Beispiel über die Direktkontakte"@de , "Erika Beispiel on the direct contacts"@en ;
    rit:quotedText "Wir haben rund 600 Direktkontakte geknüpft"@de ~ q:coordinator ;
    rit:spokenBy person:erika-beispiel ~ q:coordinator ;
    rit:quotedIn ann:memorandum ~ q:coordinator .
"""


def test_a_memorandum_of_understanding_with_people_quotations_and_counts_conforms(mini_folder: Path) -> None:
    """The vocabulary of issue 15 says a real announcement, in the authoring form, and its shapes accept it."""
    folder = mini_folder / "data" / "announcements" / "memorandum"
    folder.mkdir()
    (folder / "source.txt").write_text(MEMORANDUM_TEXT, encoding="utf-8")
    (folder / "announcement.ttl").write_text(MEMORANDUM_FACTS, encoding="utf-8")
    corpus = load(Project.open(mini_folder))
    report = validate(Run(corpus))
    assert report.conforms, report.to_text()
    vocabulary = corpus.project.vocabulary
    classes = {q.object.value[len(vocabulary) :] for q in corpus.data if q.predicate == RDF_TYPE_OX}
    assert {"Person", "Membership", "OrganisationalUnit", "MemorandumOfUnderstanding", "Signing"} <= classes
    assert {"Quotation", "Quantity"} <= classes
