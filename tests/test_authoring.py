"""The authoring form: each fact written once with the words that state it (RDF 1.2 annotations),
published as the Web Annotations the classic form spells out. Both forms are read.

Fixtures beside this file (tests/authoring/): the bw-i announcement in its classic form as it was
before the authoring form, and the minimal project's announcement in the authoring form.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import assert_isomorphic, rdflib_graph, select
from projects import MINI, ROOT, copy_project

from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.errors import EXIT_INPUT, InputError
from rit_graph.validation.validate import validate

FIXTURES = Path(__file__).parent / "authoring"
BWI = "bwi-cluster-japan-rit"


def announcement_graph(corpus: Corpus, name: str) -> list[ox.Triple]:
    return corpus.graph(corpus.announcement_graphs[name])


def with_announcement(folder: Path, name: str, turtle: str | Path) -> Path:
    """FOLDER's announcement NAME with its announcement.ttl replaced by TURTLE (text or a file)."""
    path = folder / "data" / "announcements" / name / "announcement.ttl"
    if isinstance(turtle, Path):
        shutil.copy(turtle, path)
    else:
        path.write_text(turtle, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def classic_bwi(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The repository's project with the bw-i announcement in its classic form."""
    folder = tmp_path_factory.mktemp("classic") / "project"
    shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(".*", "src", "tests", "benchmarks", "test-artifacts"))
    return load(Project.open(with_announcement(folder, BWI, FIXTURES / "bwi-classic.ttl")))


def test_the_bwi_announcement_written_once_publishes_the_graph_of_its_classic_form(
    corpus: Corpus, classic_bwi: Corpus
) -> None:
    authored, classic = announcement_graph(corpus, BWI), announcement_graph(classic_bwi, BWI)
    assert_isomorphic(rdflib_graph(classic), rdflib_graph(authored), "bw-i: classic form vs authoring form")


def test_the_authoring_form_takes_at_most_40_percent_of_the_classic_forms_lines() -> None:
    lines = len((ROOT / "data" / "announcements" / BWI / "announcement.ttl").read_text(encoding="utf-8").splitlines())
    classic = len((FIXTURES / "bwi-classic.ttl").read_text(encoding="utf-8").splitlines())
    assert lines <= 0.4 * classic, (lines, classic)


def test_the_minimal_announcement_in_either_form_gives_one_graph(mini_corpus: Corpus, mini_folder: Path) -> None:
    authored = load(Project.open(with_announcement(mini_folder, "mini", FIXTURES / "mini-authored.ttl")))
    assert_isomorphic(
        rdflib_graph(announcement_graph(mini_corpus, "mini")),
        rdflib_graph(authored.graph(authored.announcement_graphs["mini"])),
    )


HEAD = """@prefix rit:   <ontology#> .
@prefix ann:   <id/announcement/> .
@prefix q:     <id/announcement/mini/quote/> .
@prefix part:  <id/partnership/> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
ann:mini a rit:Announcement ; rit:inLanguage "de"^^xsd:language .
"""
OA = "http://www.w3.org/ns/oa#"


def annotations(corpus: Corpus) -> dict[str, set[str]]:
    """The announcement's annotations: their IRIs with the quotes they target."""
    triples = announcement_graph(corpus, "mini")
    exact = {t.subject: t.object.value for t in triples if t.predicate.value == OA + "exact"}
    selector = {t.subject: t.object for t in triples if t.predicate.value == OA + "hasSelector" and t.object in exact}
    found: dict[str, set[str]] = {}
    for t in triples:
        if t.predicate.value == OA + "hasTarget":
            found.setdefault(t.subject.value, set()).add(exact[selector[t.object]])
    return found


def test_unnamed_annotations_with_the_same_words_are_one_annotation(mini_folder: Path) -> None:
    corpus = load(
        Project.open(
            with_announcement(
                mini_folder,
                "mini",
                HEAD
                + 'ann:mini rit:headline "Kleine Meldung zum Test"@de {| rit:quote "Kleine Meldung zum Test" |} ;\n'
                + '    rit:about part:cluster-kitakyushu {| rit:quote "Kleine Meldung zum Test" |} ;\n'
                + '    rit:mentions part:cluster-kitakyushu {| rit:quote "arbeiten mit Kitakyushu zusammen" |} .\n',
            )
        )
    )
    found = annotations(corpus)
    assert sorted(found.values(), key=sorted) == [{"Kleine Meldung zum Test"}, {"arbeiten mit Kitakyushu zusammen"}]
    assert all(iri.startswith(corpus.project.announcement_iri("mini") + "/quote/") for iri in found)
    again = load(Project.open(mini_folder))
    assert annotations(again) == found, "the same file gives the same IRIs"


@pytest.mark.parametrize(
    ("facts", "problem"),
    [
        (
            "ann:mini rit:about part:cluster-kitakyushu ~ q:about .\n",
            "<https://example.org/kb/id/announcement/mini/quote/about>: an annotation without rit:quote",
        ),
        (
            '<< ann:mini rit:about part:cluster-kitakyushu >> rit:quote "Kleine Meldung zum Test" .\n',
            "is annotated but not stated",
        ),
        (
            'ann:mini rit:about part:cluster-kitakyushu {| rit:quote "Kleine" ; rit:page 3 |} .\n',
            "an annotation says only rit:quote, rit:because, rit:refersBackTo and dcterms:source, not "
            "https://example.org/kb/ontology#page",
        ),
        (
            'ann:mini rit:about part:cluster-kitakyushu {| rit:because "it must be"@en |} .\n',
            "has no rit:quote",
        ),
        (
            'ann:mini rit:about part:x {| rit:because "it must be"@en ; rit:refersBackTo part:x |} .\n',
            "rit:refersBackTo names the resource that quoted words point back to",
        ),
        (
            'ann:mini rit:datePublished "2015-06-22"^^xsd:date {| dcterms:source "bw-i.de" |} .\n',
            "dcterms:source takes the address of the page that states the fact",
        ),
    ],
    ids=[
        "no quote",
        "quoted but not stated",
        "something else said",
        "inferred without words",
        "back-reference without words",
        "page not an IRI",
    ],
)
def test_an_annotation_that_cannot_be_published_is_an_input_error_naming_the_file(
    mini_folder: Path, facts: str, problem: str
) -> None:
    with_announcement(mini_folder, "mini", HEAD + facts)
    with pytest.raises(InputError) as error:
        load(Project.open(mini_folder))
    assert error.value.path == mini_folder / "data" / "announcements" / "mini" / "announcement.ttl"
    assert problem in error.value.problem
    assert error.value.fix and error.value.exit_code == EXIT_INPUT


def test_a_back_reference_beside_a_quote_is_published_on_its_annotation(mini_folder: Path) -> None:
    """ "Die Cluster" in the second sentence points back to the cluster: the annotation says so."""
    corpus = load(
        Project.open(
            with_announcement(
                mini_folder,
                "mini",
                HEAD
                + "@prefix orgn: <id/organisation/> .\n"
                + 'ann:mini rit:about part:cluster-kitakyushu ~ q:meeting {| rit:quote "Die Cluster treffen sich" ;\n'
                + "    rit:refersBackTo orgn:cluster |} .\n",
            )
        )
    )
    found = select(
        corpus.data,
        "SELECT ?a ?r WHERE { ?a <http://www.w3.org/ns/oa#hasBody> ?b ; <ontology#refersBackTo> ?r }",
        corpus.project.base_iri,
    )
    assert found == [{"a": "id/announcement/mini/quote/meeting", "r": "id/organisation/cluster"}]


def test_reference_data_has_no_annotations(mini_folder: Path) -> None:
    reference = mini_folder / "data" / "reference" / "quoted.ttl"
    reference.write_text(
        '@prefix rit: <ontology#> .\n<id/place/kitakyushu> rit:situation "im Süden"@de {| rit:quote "im Süden" |} .\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="annotations .* in reference data") as error:
        load(Project.open(mini_folder))
    assert error.value.path == reference


def test_a_copy_of_the_minimal_project_in_the_authoring_form_validates(tmp_path: Path) -> None:
    folder = with_announcement(copy_project(MINI, tmp_path / "project"), "mini", FIXTURES / "mini-authored.ttl")
    assert validate(Run(load(Project.open(folder)))).conforms


def test_a_fact_a_cited_page_states_cites_the_page_and_validates(tmp_path: Path) -> None:
    """The text does not give its own publication date; the page that published it does."""
    folder = copy_project(MINI, tmp_path / "project")
    authored = (FIXTURES / "mini-authored.ttl").read_text(encoding="utf-8")
    page = "https://example.org/press/kleine-meldung"
    with_announcement(
        folder,
        "mini",
        authored.replace("@prefix xsd:", "@prefix dcterms: <http://purl.org/dc/terms/> .\n@prefix xsd:")
        + f'ann:mini rit:datePublished "2015-06-22"^^xsd:date {{| dcterms:source <{page}> |}} .\n',
    )
    corpus = load(Project.open(folder))
    found = select(
        corpus.store,
        """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX rit: <ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?page ?kind WHERE { GRAPH ?g {
            ?record rdf:subject ?announcement ; rdf:predicate rit:datePublished ; rdf:object ?date ;
                dcterms:source ?page ; a ?kind .
        } }""",
        corpus.project.base_iri,
    )
    assert found == [{"page": page, "kind": "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement"}]
    assert validate(Run(corpus)).conforms


def test_without_its_citation_the_same_date_has_no_provenance(tmp_path: Path) -> None:
    folder = copy_project(MINI, tmp_path / "project")
    authored = (FIXTURES / "mini-authored.ttl").read_text(encoding="utf-8")
    with_announcement(folder, "mini", authored + 'ann:mini rit:datePublished "2015-06-22"^^xsd:date .\n')
    report = validate(Run(load(Project.open(folder))))
    assert not report.conforms
    assert "this fact has no provenance" in report.to_text()
