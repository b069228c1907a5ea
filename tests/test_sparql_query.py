"""``rit-graph query`` and the query checks of rit_graph.query.sparql, on the repository's project."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import graph_diff, isomorphic

from rit_graph.cli import cli
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.project import Project
from rit_graph.query import sparql
from rit_graph.stores import corpus_quads

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
EXPECTED = ROOT / "tests" / "expected" / "queries"
CONSTRUCT = "CONSTRUCT WHERE { <id/place/kitakyushu> ?p ?o }"


def run(*args: str, project: Path = ROOT) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["query", "--project", str(project), *args])
    return result.exit_code, result.output


def rows(data: bytes, fmt: ox.QueryResultsFormat) -> list[dict[str, str]]:
    """Result rows as N-Triples-style terms (CSV, which pyoxigraph does not parse, as plain text)."""
    if fmt == ox.QueryResultsFormat.CSV:
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    results = ox.parse_query_results(io.BytesIO(data), fmt)
    assert isinstance(results, ox.QuerySolutions)
    return [{v.value: str(s[v]) for v in results.variables if s[v] is not None} for s in results]


def test_every_example_query_is_described_and_has_an_expected_result() -> None:
    assert len(QUERIES) >= 6
    for path in QUERIES:
        assert path.read_text(encoding="utf-8").startswith("# "), f"{path.name} needs a comment saying what it asks"
        assert (EXPECTED / f"{path.stem}.tsv").exists(), f"no expected result for {path.name}"


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_example_query_gives_its_expected_result(path: Path, bwi_only: Project) -> None:
    """The expected results are those of the bw-i announcement and its reference data, whatever else data/ holds."""
    code, output = run("--file", str(path), "--format", "tsv", project=bwi_only.root)
    assert code == 0, output
    got = rows(output.encode("utf-8"), ox.QueryResultsFormat.TSV)
    expected = rows((EXPECTED / f"{path.stem}.tsv").read_bytes(), ox.QueryResultsFormat.TSV)
    missing = [r for r in expected if r not in got]
    unexpected = [r for r in got if r not in expected]
    assert not missing and not unexpected, f"missing rows: {missing}\nunexpected rows: {unexpected}"
    assert got == expected, "same rows, different order"


def test_partnerships_name_clusters_cities_programme_and_operator() -> None:
    code, output = run("--file", str(ROOT / "queries" / "cluster-partnerships.rq"))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["cluster", "city", "programme", "operator", "duration"]
    assert set(lines[1]) == {"-", " "}
    assert any("automotive-bw@en" in line and "Hitachi@en" in line and "Japan External Trade" in line for line in lines)
    assert any("Photonics BW@en" in line and "Kitakyushu@en" in line for line in lines)
    assert lines[-1] == "(2 rows)"


def test_table_columns_are_aligned() -> None:
    code, output = run("SELECT ?s ?o { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o } ORDER BY ?s ?o LIMIT 5")
    assert code == 0, output
    header, rule, *body, count = output.splitlines()
    second_column = rule.index("  -") + 2
    assert header[second_column:].startswith("o")
    assert all(line[second_column - 2 : second_column] == "  " for line in body)
    assert count == "(5 rows)"


def test_ask_prints_yes_or_no() -> None:
    assert run("ASK { <id/place/kitakyushu> ?p ?o }") == (0, "yes\n")
    assert run("ASK { <id/place/atlantis> ?p ?o }") == (0, "no\n")


@pytest.mark.parametrize(
    "fmt, oxformat",
    [(f.name, f.oxigraph) for f in sparql.RESULT_FORMATS],
)
def test_select_in_every_result_format(corpus: Corpus, fmt: str, oxformat: ox.QueryResultsFormat) -> None:
    query = (
        "SELECT ?label { <id/place/kitakyushu> <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
    )
    code, output = run(query, "--format", fmt)
    assert code == 0, output
    labels = [r["label"] for r in rows(output.encode("utf-8"), oxformat)]
    if fmt == "csv":  # CSV keeps only the lexical form
        assert labels == ["Kitakyushu", "Kitakyushu", "北九州市"]
    else:
        assert labels == ['"Kitakyushu"@de', '"Kitakyushu"@en', '"北九州市"@ja']


@pytest.mark.parametrize(
    "fmt, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml"), ("jsonld", "json-ld")]
)
def test_construct_in_every_graph_format(corpus: Corpus, fmt: str, rdflib_format: str) -> None:
    code, output = run(CONSTRUCT, "--format", fmt)
    assert code == 0, output
    kitakyushu = ox.NamedNode(corpus.project.base_iri + "id/place/kitakyushu")
    triples = [q.triple for q in corpus.data.quads_for_pattern(kitakyushu, None, None)]
    expected = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    got = rdflib.Graph().parse(data=output, format=rdflib_format)
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(got, expected)
        pytest.fail(
            f"only in result:\n{only_got.serialize(format='nt')}\nonly "
            f"expected:\n{only_expected.serialize(format='nt')}"
        )


def test_construct_prints_turtle_by_default() -> None:
    code, output = run(CONSTRUCT)
    assert code == 0, output
    assert len(rdflib.Graph().parse(data=output, format="turtle")) > 5


def test_syntax_error_names_line_and_column() -> None:
    code, output = run("SELECT * WHERE {\n  ?s ?p\n}")
    assert code == 2
    assert "SPARQL syntax error at line" in output and "column" in output


@pytest.mark.parametrize(
    "args, message",
    [
        (("ASK {}", "--format", "yaml"), "Invalid value for '--format'"),
        (("ASK {}", "--format", "turtle"), "not a result format"),
        ((CONSTRUCT, "--format", "csv"), "not a graph format"),
        ((CONSTRUCT, "--format", "table"), "a table is for SELECT and ASK"),
        (("INSERT DATA { <a> <b> <c> }",), "read-only"),
        (("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",), "SERVICE is not allowed"),
        ((), "give either a QUERY or --file"),
    ],
)
def test_bad_requests_exit_2_with_a_message(args: tuple[str, ...], message: str) -> None:
    code, output = run(*args)
    assert code == 2
    assert message in output


def test_a_missing_query_file_is_reported() -> None:
    code, output = run("--file", str(ROOT / "queries" / "no-such-query.rq"))
    assert code == 2
    assert "no-such-query.rq" in output


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://example.org/> { ?s ?q ?r } } }",
        "SELECT * { { SELECT ?s { SERVICE ?endpoint { ?s ?p ?o } } } }",
        "ASK { FILTER EXISTS { service <http://example.org/> { ?s ?p ?o } } }",
        "SELECT * { \\u0053ERVICE <http://example.org/> { ?s ?p ?o } }",
    ],
)
def test_service_is_found_wherever_it_is_nested(query: str) -> None:
    with pytest.raises(sparql.Forbidden):
        sparql.check(query)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "SERVICE <http://example.org/> { }" }',
        "SELECT * { ?s <http://example.org/SERVICE> ?o } # SERVICE <http://example.org/>",
        "PREFIX ex: <http://example.org/> SELECT ?service { ?service ex:SERVICE ?o }",
    ],
)
def test_the_word_service_elsewhere_is_not_refused(query: str) -> None:
    assert sparql.check(query).form is sparql.Form.SELECT


def test_a_query_nested_too_deeply_is_refused_with_a_message() -> None:
    with pytest.raises(sparql.QueryError, match="nested too deeply"):
        sparql.check("ASK { FILTER(" + "(" * 1000 + "1" + ")" * 1000 + ") }")


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://example.org/g>",
        "CREATE GRAPH <http://example.org/g>",
        "COPY DEFAULT TO <http://example.org/g>",
    ],
)
def test_updates_are_refused_as_read_only(update: str) -> None:
    with pytest.raises(sparql.ReadOnly, match="read-only"):
        sparql.check(update)


def test_from_selects_only_graphs_the_store_holds(corpus: Corpus) -> None:
    store = sparql.dataset(corpus_quads(corpus))
    reference = corpus.project.graph_iri("reference")

    def count(query: str) -> int:
        answer = sparql.execute(store, sparql.Request(sparql.check(query), "csv"))
        return int(answer.body.decode().split()[1])

    everything = count("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    only_reference = count(f"SELECT (COUNT(*) AS ?n) FROM <{reference}> {{ ?s ?p ?o }}")
    assert 0 < only_reference < everything
    assert only_reference == len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(reference))))
    assert count("SELECT (COUNT(*) AS ?n) FROM <http://example.org/not-here> { ?s ?p ?o }") == 0
