"""A corpus of announcements: the five of tests/fixtures/corpus/ conform on their own, each shows the part of
the model it is written for, and beside the repository's bw-i announcement every command works on them all.

tests/fixtures/corpus/ is a project folder (base IRI https://example.org/kb/) of announcements written for the
tests, their texts, people and organisations invented, each in the authoring form with its source.txt, and the
reference data they need. Put into a copy of the repository's project, its relative IRIs take the repository's
base IRI; that project is validated, built, counted, queried, marked up and served once for this module.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from helpers import assert_isomorphic, rdflib_graph, select
from live_server import LiveServer, live_server
from projects import ROOT, TESTS, copy_project

from rit_graph.cli import cli
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.output.site.languages import PAGE_LANGUAGES
from rit_graph.output.site.search_page import BUNDLE

CORPUS = TESTS / "fixtures" / "corpus"
#: The fixture announcements, by folder name: people and their posts, a memorandum signed at an event, a
#: Japanese source, a restatement continuing a partnership, a long one.
PEOPLE = "test-people-and-posts"
MEMORANDUM = "test-memorandum-signing"
JAPANESE = "test-japanese-source"
RESTATING = "test-restating-continuation"
LONG = "test-annual-review"
FIXTURES = sorted((PEOPLE, MEMORANDUM, JAPANESE, RESTATING, LONG))
#: The repository's announcement, named by its folder wherever a test checks its facts.
BWI = "bwi-cluster-japan-rit"
QUERIES = sorted(p.name for p in (ROOT / "queries").glob("*.rq"))
PREFIXES = """
PREFIX rit:  <ontology#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oa:   <http://www.w3.org/ns/oa#>
"""


#: test-memorandum-signing describes again the people of test-people-and-posts it names.
def rit_graph(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def rows(corpus: Corpus, query: str) -> list[dict[str, str | None]]:
    """The rows of QUERY over the union of CORPUS's graphs, terms in short form (IRIs relative to the base)."""
    return select(corpus.data, PREFIXES + query, corpus.project.base_iri)


def graph(name: str) -> str:
    """The named graph of announcement NAME, relative to the base IRI."""
    return f"<graph/announcement/{name}>"


def source_text(project: Path, name: str) -> str:
    return (project / "data" / "announcements" / name / "source.txt").read_text(encoding="utf-8")


def number(term: str | None) -> int:
    """The integer of a typed literal in short form, such as 12^^xsd:nonNegativeInteger."""
    return int(str(term).split("^^", 1)[0])


def csv_rows(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output)))


def json_ld(output: str) -> dict[str, object]:
    """The JSON-LD object of a ``<script type="application/ld+json">`` block, as markup prints it."""
    opening, closing = '<script type="application/ld+json">\n', "</script>\n"
    assert output.startswith(opening) and output.endswith(closing), output
    document = json.loads(output[len(opening) : -len(closing)])
    assert isinstance(document, dict)
    return document


# The fixture project on its own ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(CORPUS, tmp_path_factory.mktemp("corpus") / "project")


@pytest.fixture(scope="module")
def fixture_corpus(fixture_project: Path) -> Corpus:
    return load(Project.open(fixture_project))


def test_every_file_of_the_corpus_says_it_is_a_test_fixture_with_invented_texts() -> None:
    announcements = CORPUS / "data" / "announcements"
    assert sorted(p.name for p in announcements.iterdir()) == FIXTURES
    for name in FIXTURES:
        facts = (announcements / name / "announcement.ttl").read_text(encoding="utf-8")
        header = facts.split("\n\n", 1)[0]
        assert header.startswith("# Test fixture (tests/test_corpus.py), not a published announcement"), name
        assert "invented" in header and "authoring form" in header, name
        first_line = source_text(CORPUS, name).splitlines()[0]
        assert first_line.startswith("Test fixture (tests/test_corpus.py), not a published announcement"), name
        assert "invented" in first_line, name
    for path in [CORPUS / "rit-graph.toml", *sorted((CORPUS / "data" / "reference").iterdir())]:
        assert path.read_text(encoding="utf-8").startswith("# Test fixture (tests/test_corpus.py)"), path.name


def test_every_fixture_is_in_the_authoring_form() -> None:
    """Each fact is written once, with the words that state it: no Web Annotations written by hand."""
    for name in FIXTURES:
        facts = (CORPUS / "data" / "announcements" / name / "announcement.ttl").read_text(encoding="utf-8")
        assert "{| rit:quote " in facts and "rit:because" in facts, name
        assert "oa:Annotation" not in facts and "rdf:Statement" not in facts, name


def test_the_fixture_project_conforms(fixture_project: Path) -> None:
    result = rit_graph("validate", "--project", str(fixture_project))
    assert result.exit_code == 0, result.output
    assert result.output == "conforms: no violations\n"


def test_every_quote_is_at_its_position_counted_in_code_points(fixture_project: Path, fixture_corpus: Corpus) -> None:
    """The positions rit-graph adds index source.txt by code points: the Japanese source quotes words after 𠮷
    (U+20BB7, two UTF-16 units), where counting UTF-16 units would be one off."""
    found = rows(
        fixture_corpus,
        """SELECT ?announcement ?text ?exact ?start ?end WHERE {
            ?target oa:hasSource ?announcement ;
                oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?exact ] ,
                               [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] .
            ?announcement rit:text ?literal .
            BIND (STR(?literal) AS ?text)
        }""",
    )
    assert {r["announcement"] for r in found} == {f"id/announcement/{name}" for name in FIXTURES}
    after_astral = []
    for row in found:
        assert row["announcement"] is not None and row["text"] is not None and row["exact"] is not None
        name = row["announcement"].removeprefix("id/announcement/")
        text = source_text(fixture_project, name)
        assert row["text"] == text, f"rit:text of {name} is its source.txt"
        start, end = (number(row[k]) for k in ("start", "end"))
        assert text[start:end] == row["exact"], (name, row["exact"])
        if any(ord(c) > 0xFFFF for c in text[:start]):
            after_astral.append((name, row["exact"]))
    assert len(after_astral) >= 2 and {name for name, _ in after_astral} == {JAPANESE}, after_astral


def test_people_and_their_posts_in_an_organisation_and_in_one_of_its_units(fixture_corpus: Corpus) -> None:
    posts = rows(
        fixture_corpus,
        f"""SELECT ?person ?role ?organisation WHERE {{ GRAPH {graph(PEOPLE)} {{
            ?membership a rit:Membership ; rit:member ?member ; rit:organisation ?organisation ; rit:roleName ?role .
            ?member a rit:Person ; rdfs:label ?person . FILTER (LANG(?person) = "de" && LANG(?role) = "de")
        }} }}""",
    )
    assert sorted((r["person"], r["role"], r["organisation"]) for r in posts) == [
        ("Erika Beispiel@de", "Geschäftsführerin@de", "id/organisation/sensorik-cluster"),
        ("Max Mustermann@de", "Leiter@de", "id/organisation/beispiel-agentur-japan-office"),
    ]
    units = rows(
        fixture_corpus,
        f"SELECT ?unit ?of WHERE {{ GRAPH {graph(PEOPLE)} {{ ?unit a rit:OrganisationalUnit ; rit:unitOf ?of }} }}",
    )
    assert units == [
        {"unit": "id/organisation/beispiel-agentur-japan-office", "of": "id/organisation/beispiel-agentur"}
    ]
    # "leitet" names no role: the role is inferred, and says why.
    inferred = rows(
        fixture_corpus,
        f"""SELECT ?role ?why WHERE {{ GRAPH {graph(PEOPLE)} {{
            ?statement a rit:InferredStatement ; rdf:predicate rit:roleName ; rdf:object ?role ; rdfs:comment ?why .
            FILTER (LANG(?why) = "en")
        }} }}""",
    )
    assert sorted(str(r["role"]) for r in inferred) == ["Leiter@de", "head@en"]


def test_a_memorandum_signed_at_an_event_with_its_parties_signatories_and_a_quotation(
    fixture_project: Path, fixture_corpus: Corpus
) -> None:
    agreement = "id/agreement/sensorik-cluster-sensor-council-2016"
    found = rows(
        fixture_corpus,
        f"""SELECT ?class ?party ?signatory WHERE {{ GRAPH {graph(MEMORANDUM)} {{
            <{agreement}> a ?class ; rit:party ?party ; rit:signatory ?signatory .
        }} }}""",
    )
    assert {r["class"] for r in found} == {"rit:MemorandumOfUnderstanding"}
    assert {r["party"] for r in found} == {
        "id/organisation/sensorik-cluster",
        "id/organisation/kitakyushu-sensor-council",
    }
    assert {r["signatory"] for r in found} == {"id/person/erika-beispiel", "id/person/taro-yamada"}
    (signing,) = rows(
        fixture_corpus,
        f"""SELECT ?date ?place ?status ?attendee WHERE {{ GRAPH {graph(MEMORANDUM)} {{
            <{agreement}> rit:signing ?signing .
            ?signing a rit:Signing ; rit:startDate ?date ; rit:location ?place ; rit:eventStatus ?status ;
                rit:attendee ?attendee .
        }} }}""",
    )
    assert signing == {
        "date": "2016-10-19^^xsd:date",
        "place": "id/place/stuttgart",
        "status": "rit:Completed",
        "attendee": "id/person/max-mustermann",
    }
    (quotation,) = rows(
        fixture_corpus,
        f"""SELECT ?words ?speaker ?in WHERE {{ GRAPH {graph(MEMORANDUM)} {{
            ?quotation a rit:Quotation ; rit:quotedText ?words ; rit:spokenBy ?speaker ; rit:quotedIn ?in .
        }} }}""",
    )
    assert quotation == {
        "words": "Diese Absichtserklärung öffnet unseren Mitgliedern die Tür nach Japan@de",
        "speaker": "id/person/erika-beispiel",
        "in": f"id/announcement/{MEMORANDUM}",
    }
    assert "„Diese Absichtserklärung öffnet unseren Mitgliedern die Tür nach Japan“" in source_text(
        fixture_project, MEMORANDUM
    )


def test_a_japanese_source_with_its_language_inferred_and_japanese_labels(fixture_corpus: Corpus) -> None:
    (language,) = rows(
        fixture_corpus,
        f"""SELECT ?language (GROUP_CONCAT(LANG(?why); separator=" ") AS ?reasons) WHERE {{ GRAPH {graph(JAPANESE)} {{
            ?statement a rit:InferredStatement ; rdf:subject <id/announcement/{JAPANESE}> ;
                rdf:predicate rit:inLanguage ; rdf:object ?language ; rdfs:comment ?why .
        }} }} GROUP BY ?language""",
    )
    assert language["language"] == "ja^^xsd:language"
    assert sorted(str(language["reasons"]).split()) == ["de", "en", "ja"]
    quotes = rows(fixture_corpus, f"SELECT ?exact WHERE {{ GRAPH {graph(JAPANESE)} {{ ?s oa:exact ?exact }} }}")
    assert len(quotes) >= 5
    assert all(re.search("[\u3040-\u30ff\u4e00-\u9fff]", str(q["exact"])) for q in quotes), quotes
    labels = rows(
        fixture_corpus,
        f"""SELECT ?resource (GROUP_CONCAT(DISTINCT LANG(?label); separator=" ") AS ?languages) WHERE {{
            GRAPH {graph(JAPANESE)} {{ ?resource a ?class }}
            FILTER (isIRI(?resource) && STRSTARTS(STR(?class), STR(rit:)))
            ?resource rdfs:label ?label .
        }} GROUP BY ?resource""",
    )
    assert len(labels) >= 7
    for row in labels:
        assert sorted(str(row["languages"]).split()) == ["de", "en", "ja"], row["resource"]
    (headline,) = rows(fixture_corpus, f"SELECT ?h WHERE {{ <id/announcement/{JAPANESE}> rit:headline ?h }}")
    assert headline["h"] == "北九州センサー協議会、シュトゥットガルトに代表団を派遣@ja"


def test_a_restatement_states_the_same_facts_in_its_own_words_and_continues_the_partnership(
    fixture_project: Path, fixture_corpus: Corpus
) -> None:
    partnership = "id/partnership/sensorik-cluster-kitakyushu"
    restated = rows(
        fixture_corpus,
        f"""SELECT ?p ?o ?words ?again WHERE {{
            GRAPH {graph(RESTATING)} {{
                ?here oa:hasBody [ rdf:subject <{partnership}> ; rdf:predicate ?p ; rdf:object ?o ] ;
                    oa:hasTarget/oa:hasSelector/oa:exact ?words .
            }}
            GRAPH {graph(LONG)} {{
                ?there oa:hasBody [ rdf:subject <{partnership}> ; rdf:predicate ?p ; rdf:object ?o ] ;
                    oa:hasTarget/oa:hasSelector/oa:exact ?again .
            }}
        }}""",
    )
    assert sorted((r["p"], r["o"]) for r in restated) == [
        ("rit:fundedUnder", "id/programme/beispiel-programm"),
        ("rit:partnerOrganisation", "id/organisation/sensorik-cluster"),
        ("rit:partnerPlace", "id/place/kitakyushu"),
    ]
    for row in restated:
        assert row["words"] != row["again"] and str(row["words"]) in source_text(fixture_project, RESTATING)
    # A fact two announcements state is one triple of the union.
    query = f"SELECT (COUNT(*) AS ?n) {{ <{partnership}> <ontology#partnerOrganisation> ?o }}"
    result = rit_graph("query", "--project", str(fixture_project), "--format", "csv", query)
    assert result.exit_code == 0, result.output
    assert csv_rows(result.output) == [["n"], ["1"]]
    continued = rows(
        fixture_corpus,
        f"""SELECT ?agreement ?class WHERE {{
            GRAPH {graph(RESTATING)} {{ ?agreement a ?class ; rit:continues <{partnership}> }}
            GRAPH {graph(LONG)} {{ <{partnership}> a rit:Partnership }}
        }}""",
    )
    assert continued == [{"agreement": "id/agreement/sensorik-cluster-sensor-council-2018", "class": "rit:Agreement"}]


def test_a_long_announcement_with_dates_of_three_precisions_a_count_and_a_money_amount(fixture_corpus: Corpus) -> None:
    (facts,) = rows(fixture_corpus, f"SELECT (COUNT(?b) AS ?n) WHERE {{ GRAPH {graph(LONG)} {{ ?a oa:hasBody ?b }} }}")
    assert number(facts["n"]) >= 40
    dates = rows(
        fixture_corpus,
        f"""SELECT ?event ?start ?end ?status WHERE {{ GRAPH {graph(LONG)} {{
            ?event rit:startDate ?start ; rit:eventStatus ?status . OPTIONAL {{ ?event rit:endDate ?end }}
        }} }} ORDER BY ?start""",
    )
    assert [(r["start"], r["end"], r["status"]) for r in dates] == [
        ("2016^^xsd:gYear", None, "rit:Completed"),
        ("2017-04-10^^xsd:date", "2017-04-14^^xsd:date", "rit:Completed"),
        ("2017-09^^xsd:gYearMonth", None, "rit:Completed"),
        ("2018^^xsd:gYear", None, "rit:Planned"),
    ]
    (count,) = rows(
        fixture_corpus,
        f"""SELECT ?counted ?amount ?approximate ?unit WHERE {{ GRAPH {graph(LONG)} {{
            ?counted rit:count [ a rit:Quantity ; rit:amount ?amount ; rit:approximate ?approximate ;
                rit:unitText ?unit ] . FILTER (LANG(?unit) = "de")
        }} }}""",
    )
    assert count == {
        "counted": "id/partnership/sensorik-cluster-kitakyushu",
        "amount": "600^^xsd:integer",
        "approximate": "true^^xsd:boolean",
        "unit": "Direktkontakte zwischen Unternehmen@de",
    }
    (money,) = rows(
        fixture_corpus,
        f"""SELECT ?place ?amount ?currency ?approximate WHERE {{ GRAPH {graph(LONG)} {{
            ?place rit:gdp [ rit:amount ?amount ; rit:currency ?currency ; rit:approximate ?approximate ] .
        }} }}""",
    )
    assert money == {
        "place": "id/place/kitakyushu",
        "amount": "3600000000000^^xsd:integer",
        "currency": "JPY",
        "approximate": "true^^xsd:boolean",
    }


def test_a_person_another_announcement_describes_may_sign_and_speak_in_this_one(tmp_path: Path) -> None:
    """A resource one announcement describes is what it is in every other: validation by partitions finds what
    validating the union finds (tests/test_validate_partitions.py). Without describing Erika Beispiel again,
    test-memorandum-signing names her, a rit:Person, as signatory and speaker, since test-people-and-posts
    describes her. The two announcements are validated in different partitions (a group ends after
    test-memorandum-signing, whose name hashes to 0 modulo 16), yet the class checks of the one see the
    classes the other gives: described there as an organisation, she can no longer sign here."""
    facts = (CORPUS / "data" / "announcements" / MEMORANDUM / "announcement.ttl").read_text(encoding="utf-8")
    assert "rit:signatory person:erika-beispiel" in facts
    assert "person:erika-beispiel a" not in facts
    project = copy_project(CORPUS, tmp_path / "project")
    people = project / "data" / "announcements" / PEOPLE / "announcement.ttl"
    text = people.read_text(encoding="utf-8")
    people.write_text(
        text.replace("person:erika-beispiel a rit:Person", "person:erika-beispiel a rit:Organisation"),
        encoding="utf-8",
    )
    result = rit_graph("validate", "--project", str(project))
    assert result.exit_code == 1
    signing = [block for block in result.output.split("\n\n") if MEMORANDUM in block and "rit:signatory" in block]
    assert signing, result.output
    assert "rit:Person" in signing[0]


# The repository's project with the fixtures: every command -----------------------------------------


def not_the_fixtures(folder: str, names: list[str]) -> set[str]:
    """For shutil.copytree: the fixtures' announcement folders and reference files among NAMES in FOLDER."""
    parent = Path(folder)
    if parent.name in ("announcements", "reference") and parent.parent.name == "data":
        return set(names) & {p.name for p in (CORPUS / "data" / parent.name).iterdir()}
    return set()


#: The announcements of the repository's project with the fixtures: the bw-i one, any other the repository's
#: data/ holds, and the fixtures'.
COMBINED = sorted(
    {p.name for p in (ROOT / "data" / "announcements").iterdir() if p.is_dir() and not p.name.startswith(".")}
    | {BWI, *FIXTURES}
)


@pytest.fixture(scope="module")
def combined(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's project with the fixtures' announcements and reference files added."""
    target = tmp_path_factory.mktemp("combined") / "project"
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, target / folder)
    # Whatever of the fixtures the repository's data/ holds already is left out here and copied below.
    shutil.copytree(ROOT / "data", target / "data", ignore=not_the_fixtures)
    if (ROOT / "rit-graph.toml").exists():
        shutil.copy2(ROOT / "rit-graph.toml", target / "rit-graph.toml")
    for announcement in sorted((CORPUS / "data" / "announcements").iterdir()):
        shutil.copytree(announcement, target / "data" / "announcements" / announcement.name)
    for reference in sorted((CORPUS / "data" / "reference").iterdir()):
        assert not (target / "data" / "reference" / reference.name).exists(), "a fixture file replaces none"
        shutil.copy2(reference, target / "data" / "reference" / reference.name)
    return target


@pytest.fixture(scope="module")
def combined_corpus(combined: Path) -> Corpus:
    return load(Project.open(combined))


@pytest.fixture(scope="module")
def built(combined: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("built") / "dist"
    return rit_graph("build", "--project", str(combined), "--out", str(out)), out


@pytest.fixture(scope="module")
def counted(combined: Path) -> Result:
    return rit_graph("stats", "--project", str(combined))


@pytest.fixture(scope="module")
def server(combined: Path) -> Iterator[LiveServer]:
    with live_server("--project", str(combined)) as running:
        yield running


def resources(corpus: Corpus) -> list[str]:
    """Every resource with a page: the IRIs under BASE/id/ that the data describes, relative to the base."""
    found = rows(corpus, "SELECT DISTINCT ?s WHERE { ?s ?p ?o . FILTER (isIRI(?s) && STRSTARTS(STR(?s), STR(<id/>))) }")
    return sorted(str(r["s"]) for r in found)


def test_the_shared_reference_data_is_the_repositorys_word_for_word(bwi_corpus: Corpus) -> None:
    """Beside the repository's project, the fixtures say nothing of its places that it does not say itself."""
    corpus = bwi_corpus
    shared = ox.parse(
        path=CORPUS / "data" / "reference" / "fixture-shared.ttl",
        format=ox.RdfFormat.TURTLE,
        base_iri=corpus.project.base_iri,
    )
    repository = {t for unit in corpus.units if unit.announcement is None for t in unit.triples}
    missing = [q.triple for q in shared if q.triple not in repository]
    assert not missing, missing


def test_the_repository_and_the_fixtures_conform_together(combined: Path, combined_corpus: Corpus) -> None:
    assert sorted(combined_corpus.announcement_graphs) == COMBINED
    result = rit_graph("validate", "--project", str(combined))
    assert result.exit_code == 0, result.output
    assert result.output == "conforms: no violations\n"


def test_the_bwi_announcement_says_the_same_beside_the_fixtures(corpus: Corpus, combined_corpus: Corpus) -> None:
    alone = corpus.data.quads_for_pattern(None, None, None, ox.NamedNode(corpus.project.graph_iri("announcement", BWI)))
    beside = combined_corpus.data.quads_for_pattern(
        None, None, None, ox.NamedNode(combined_corpus.project.graph_iri("announcement", BWI))
    )
    assert_isomorphic(rdflib_graph(alone), rdflib_graph(beside), f"(graph/announcement/{BWI})")


def test_build_writes_a_page_for_every_resource_and_the_home_page(
    built: tuple[Result, Path], combined_corpus: Corpus
) -> None:
    result, out = built
    assert result.exit_code == 0, result.output
    site = out / "site"
    expected = {f"{iri}.{lang}.html" for iri in resources(combined_corpus) for lang in PAGE_LANGUAGES}
    written = {p.relative_to(site).as_posix() for p in (site / "id").rglob("*.html")}
    assert written == expected
    assert {f"id/announcement/{name}.de.html" for name in [BWI, *FIXTURES]} <= written
    assert {"id/person/hanako-yoshida.ja.html", "id/agreement/sensorik-cluster-sensor-council-2018.en.html"} <= written
    for name in ("index.html", *(f"index.{lang}.html" for lang in PAGE_LANGUAGES)):
        assert (site / name).is_file(), name
    for name in [BWI, *FIXTURES]:
        for lang in PAGE_LANGUAGES:
            assert (site / "source" / f"{name}.{lang}.html").is_file(), (name, lang)
    home = (site / "index.de.html").read_text(encoding="utf-8")
    assert all(f"id/announcement/{name}" in home for name in [BWI, *FIXTURES])


def test_stats_counts_every_graph_and_the_triples_a_query_counts(
    combined: Path, counted: Result, corpus: Corpus
) -> None:
    assert counted.exit_code == 0, counted.output
    lines = counted.output.splitlines()
    total = re.fullmatch(r"(\d+) triples \(union of all graphs, each once; .*\)", lines[0])
    assert total, lines[0]
    result = rit_graph("query", "--project", str(combined), "--format", "csv", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert result.exit_code == 0, result.output
    assert csv_rows(result.output) == [["n"], [total.group(1)]]
    graphs = lines[lines.index("by graph (triples, annotations):") + 1 :]
    by_graph = {m.group(3): int(m.group(1)) for line in graphs if (m := re.fullmatch(r" *(\d+) +(\d+)  (\S+)", line))}
    assert set(by_graph) == {f"graph/announcement/{name}" for name in COMBINED} | {"graph/reference"}
    bwi = ox.NamedNode(corpus.project.graph_iri("announcement", BWI))
    assert by_graph[f"graph/announcement/{BWI}"] == len(list(corpus.data.quads_for_pattern(None, None, None, bwi)))


@pytest.mark.parametrize("name", QUERIES)
def test_every_example_query_runs(combined: Path, name: str) -> None:
    result = rit_graph(
        "query", "--project", str(combined), "--file", str(combined / "queries" / name), "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert len(csv_rows(result.output)) >= 2, result.output


def test_the_example_query_of_partnerships_finds_the_bwi_ones_and_the_fixtures(combined: Path) -> None:
    partnerships = {}
    for name in (BWI, LONG):
        query = f"""SELECT ?cluster ?place WHERE {{ GRAPH <graph/announcement/{name}> {{
            ?partnership a <ontology#Partnership> ; <ontology#partnerOrganisation> ?cluster ;
                <ontology#partnerPlace> ?place }} }} ORDER BY ?cluster"""
        result = rit_graph("query", "--project", str(combined), "--format", "csv", query)
        assert result.exit_code == 0, result.output
        partnerships[name] = csv_rows(result.output)[1:]
    base = Project.open(combined).base_iri
    assert partnerships[BWI] == [
        [base + "id/organisation/automotive-bw", base + "id/place/hitachi"],
        [base + "id/organisation/photonics-bw", base + "id/place/kitakyushu"],
    ]
    assert partnerships[LONG] == [[base + "id/organisation/sensorik-cluster", base + "id/place/kitakyushu"]]
    result = rit_graph(
        "query", "--project", str(combined), "--file", str(combined / "queries" / "cluster-partnerships.rq")
    )
    assert result.exit_code == 0, result.output
    assert all(word in result.output for word in ("automotive-bw", "Photonics BW", "Example Sensor Cluster"))


@pytest.mark.parametrize(
    ("args", "iri", "schema_type"),
    [
        (["--announcement", BWI], f"id/announcement/{BWI}", "NewsArticle"),
        (["--announcement", JAPANESE, "--lang", "en"], f"id/announcement/{JAPANESE}", "NewsArticle"),
        (["id/person/erika-beispiel"], "id/person/erika-beispiel", "Person"),
        (
            ["id/agreement/sensorik-cluster-sensor-council-2016"],
            "id/agreement/sensorik-cluster-sensor-council-2016",
            "CreativeWork",
        ),
        (
            ["id/event/2016-10-19-memorandum-signing", "--lang", "en"],
            "id/event/2016-10-19-memorandum-signing",
            "BusinessEvent",
        ),
        (["id/quotation/hanako-yoshida-new-technology"], "id/quotation/hanako-yoshida-new-technology", "Quotation"),
    ],
)
def test_markup_gives_the_json_ld_of_a_page(combined: Path, args: list[str], iri: str, schema_type: str) -> None:
    result = rit_graph("markup", "--project", str(combined), *args)
    assert result.exit_code == 0, result.output
    document = json_ld(result.output)
    assert document["@id"] == Project.open(combined).base_iri + iri
    assert document["@type"] == schema_type


def test_markup_without_an_iri_asks_which_of_the_announcements(combined: Path) -> None:
    result = rit_graph("markup", "--project", str(combined))
    assert result.exit_code == 2
    assert f"{len(COMBINED)} announcements" in result.output and "--announcement NAME" in result.output
    assert all(name in result.output for name in [BWI, *FIXTURES])


def test_serve_answers_the_home_page_and_every_page_the_build_wrote(
    server: LiveServer, built: tuple[Result, Path]
) -> None:
    site = built[1] / "site"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert {"index.html", f"id/announcement/{BWI}.de.html", f"source/{JAPANESE}.ja.html"} <= set(pages)
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}/") as client:
        home = client.get("/")
        assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
        for page in pages:
            if page.startswith(f"{BUNDLE}/"):
                continue  # the static site's search index: the server searches with its own (/search)
            response = client.get(page)
            assert response.status_code == 200, page
            if page.startswith(("id/", "source/")):
                assert shown(response.content, page) == shown((site / page).read_bytes(), page), (
                    f"{page} is served as it was built"
                )


def shown(content: bytes, page: str) -> bytes:
    """What a built file shows, whoever serves it: a page's <main> (the server's header also links its
    query editor, which a static site has only where a SPARQL endpoint is configured), a data file whole."""
    if not page.endswith(".html"):
        return content
    return content[content.index(b"<main") : content.index(b"</main>")]


def test_serve_answers_sparql_with_the_triples_stats_counts(server: LiveServer, counted: Result) -> None:
    response = httpx.get(
        server.url,
        params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    (binding,) = response.json()["results"]["bindings"]
    assert f"{binding['n']['value']} triples " in counted.output.splitlines()[0]
    per_graph = httpx.get(
        server.url,
        params={"query": "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert per_graph.status_code == 200, per_graph.text
    graphs = {b["g"]["value"].rsplit("/graph/", 1)[-1] for b in per_graph.json()["results"]["bindings"]}
    assert {f"announcement/{name}" for name in [BWI, *FIXTURES]} <= graphs
