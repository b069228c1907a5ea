"""The SPARQL endpoint over real HTTP on loopback, queried with real clients."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from live_server import LiveServer, live_server
from rdflib.compare import graph_diff, isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

from rit_graph.corpus.load import Corpus
from rit_graph.query import sparql
from rit_graph.rdf.formats import BY_NAME

ROOT = Path(__file__).resolve().parent.parent
LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?label { <https://w3id.org/rit-graph/id/place/kitakyushu> rdfs:label ?label } ORDER BY ?label"
)
KITAKYUSHU_LABELS = ['"Kitakyushu"@de', '"Kitakyushu"@en', '"北九州市"@ja']
CONSTRUCT = "CONSTRUCT WHERE { <https://w3id.org/rit-graph/id/place/kitakyushu> ?p ?o }"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.fixture(scope="session")
def server() -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT), "--timeout", "60") as running:
        yield running


def labels(response: httpx.Response, fmt: ox.QueryResultsFormat) -> list[str]:
    assert response.status_code == 200, response.text
    if fmt == ox.QueryResultsFormat.CSV:
        return [row["label"] for row in csv.DictReader(io.StringIO(response.text))]
    results = ox.parse_query_results(io.BytesIO(response.content), fmt)
    assert isinstance(results, ox.QuerySolutions)
    return [str(s["label"]) for s in results]


def expected_labels(fmt: ox.QueryResultsFormat) -> list[str]:
    return ["Kitakyushu", "Kitakyushu", "北九州市"] if fmt == ox.QueryResultsFormat.CSV else KITAKYUSHU_LABELS


def assert_isomorphic(got: rdflib.Graph, expected: rdflib.Graph) -> None:
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(got, expected)
        pytest.fail(
            f"only in result:\n{only_got.serialize(format='nt')}\nonly "
            f"expected:\n{only_expected.serialize(format='nt')}"
        )


@pytest.fixture(scope="session")
def kitakyushu(corpus: Corpus) -> rdflib.Graph:
    """What the project says about Kitakyushu, read from the store without the server."""
    subject = ox.NamedNode(corpus.project.base_iri + "id/place/kitakyushu")
    triples = [q.triple for q in corpus.data.quads_for_pattern(subject, None, None)]
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


@pytest.mark.parametrize("results", sparql.RESULT_FORMATS, ids=[f.name for f in sparql.RESULT_FORMATS])
def test_get_post_form_and_post_direct_in_every_result_format(server: LiveServer, results: sparql.ResultFormat) -> None:
    accept = {"Accept": results.media_type}
    responses = [
        httpx.get(server.url, params={"query": LABELS}, headers=accept),
        httpx.post(server.url, data={"query": LABELS}, headers=accept),
        httpx.post(server.url, content=LABELS.encode(), headers={**accept, "Content-Type": "application/sparql-query"}),
        httpx.get(server.url, params={"query": LABELS, "format": results.name}),
    ]
    for response in responses:
        assert response.headers["content-type"].split(";")[0] == results.media_type
        assert labels(response, results.oxigraph) == expected_labels(results.oxigraph)


@pytest.mark.parametrize(
    "name, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml"), ("jsonld", "json-ld")]
)
def test_construct_in_every_graph_format(
    server: LiveServer, kitakyushu: rdflib.Graph, name: str, rdflib_format: str
) -> None:
    rdf = BY_NAME[name]
    for response in (
        httpx.get(server.url, params={"query": CONSTRUCT}, headers={"Accept": rdf.media_type}),
        httpx.get(server.url, params={"query": CONSTRUCT, "format": name}),
    ):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == rdf.media_type
        assert_isomorphic(rdflib.Graph().parse(data=response.text, format=rdflib_format), kitakyushu)


def test_accept_quality_values_choose_the_format(server: LiveServer) -> None:
    accept = "application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1"
    response = httpx.get(server.url, params={"query": LABELS}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith("text/csv")
    default = httpx.get(server.url, params={"query": LABELS}, headers={"Accept": "*/*"})
    assert default.headers["content-type"] == "application/sparql-results+json"


def test_a_format_the_query_cannot_give_is_refused_if_accept_names_none_either(server: LiveServer) -> None:
    response = httpx.get(server.url, params={"query": LABELS, "format": "turtle"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "not available for SELECT" in response.text


def test_sparqlwrapper_select_ask_construct(server: LiveServer, kitakyushu: rdflib.Graph) -> None:
    client = SPARQLWrapper(server.url)
    client.setQuery(LABELS)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]  # type: ignore[index,call-overload]
    assert [(b["label"]["value"], b["label"]["xml:lang"]) for b in bindings] == [
        ("Kitakyushu", "de"),
        ("Kitakyushu", "en"),
        ("北九州市", "ja"),
    ]
    client.setReturnFormat(XML)
    client.setMethod("POST")
    document = client.query().convert()
    assert [n.firstChild.data for n in document.getElementsByTagName("literal")] == [
        "Kitakyushu",
        "Kitakyushu",
        "北九州市",
    ]  # type: ignore[union-attr]
    client.setQuery("ASK { <https://w3id.org/rit-graph/id/place/kitakyushu> ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True  # type: ignore[index,call-overload]
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert_isomorphic(graph, kitakyushu)


def test_rdflib_sparqlstore_gets_the_same_rows_as_the_command_line(server: LiveServer) -> None:
    from click.testing import CliRunner

    from rit_graph.cli import cli

    query = (ROOT / "queries" / "cluster-partnerships.rq").read_text(encoding="utf-8")
    remote = rdflib.Graph(store=SPARQLStore(server.url, returnFormat="xml"))
    got = [tuple(str(term) if term is not None else "" for term in row) for row in remote.query(query)]  # type: ignore[union-attr]
    local = CliRunner().invoke(cli, ["query", "--project", str(ROOT), query, "--format", "csv"])
    assert local.exit_code == 0, local.output
    expected = [tuple(row) for row in csv.reader(io.StringIO(local.output))][1:]
    assert got == expected
    assert len(got) == 2


def test_default_graph_uri_and_named_graph_uri_select_graphs(server: LiveServer, corpus: Corpus) -> None:
    reference = corpus.project.graph_iri("reference")
    announcement = corpus.project.graph_iri("announcement", "bwi-cluster-japan-rit")
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"

    def number(params: dict[str, str | list[str]]) -> int:
        response = httpx.get(server.url, params={"query": count, **params}, headers={"Accept": "text/csv"})
        assert response.status_code == 200, response.text
        return int(response.text.split()[1])

    in_reference = len(list(corpus.data.quads_for_pattern(None, None, None, ox.NamedNode(reference))))
    assert number({"default-graph-uri": reference}) == in_reference
    assert number({"default-graph-uri": "http://example.org/not-in-the-store"}) == 0
    assert number({}) > in_reference
    graphs = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    response = httpx.get(
        server.url,
        params={"query": graphs, "named-graph-uri": [reference, announcement]},
        headers={"Accept": "text/csv"},
    )
    assert response.text.split() == ["g", announcement, reference]


def test_service_description_on_a_plain_get(server: LiveServer, corpus: Corpus) -> None:
    response = httpx.get(server.url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    service = rdflib.URIRef(server.url)
    assert (service, rdflib.RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    names = {str(o) for o in graph.objects(None, SD.name)}
    announcements = {corpus.project.graph_iri("announcement", name) for name in corpus.announcement_graphs}
    assert corpus.project.graph_iri("announcement", "bwi-cluster-japan-rit") in announcements
    assert names == {corpus.project.graph_iri("reference"), corpus.project.graph_iri("ontology")} | announcements
    as_rdfxml = httpx.get(server.url, headers={"Accept": "application/rdf+xml"})
    assert as_rdfxml.headers["content-type"].startswith("application/rdf+xml")
    assert_isomorphic(rdflib.Graph().parse(data=as_rdfxml.text, format="xml"), graph)


def test_html_query_page_offers_the_example_queries(server: LiveServer) -> None:
    response = httpx.get(server.url, headers={"Accept": "text/html,application/xhtml+xml;q=0.9"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for path in (ROOT / "queries").glob("*.rq"):
        assert f">{path.stem}</button>" in response.text


def test_html_query_page_escapes_the_text_of_example_queries(tmp_path: Path) -> None:
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "evil.rq").write_text(
        '# </li><script>alert("x")</script>\nSELECT * { ?s ?p "\\"><img src=x onerror=alert(1)>" }\n', encoding="utf-8"
    )
    with live_server("--project", str(tmp_path)) as evil:
        page = httpx.get(evil.url, headers={"Accept": "text/html"}).text
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_cors_lets_browser_clients_query(server: LiveServer) -> None:
    origin = {"Origin": "https://analyst.example"}
    response = httpx.get(server.url, params={"query": "ASK {}"}, headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(
        server.url,
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()


@pytest.mark.parametrize(
    "request_args, status, message",
    [
        ({"method": "PUT", "params": {"query": "ASK {}"}}, 405, ""),
        ({"method": "GET", "params": {"query": ["ASK {}", "ASK {}"]}}, 400, "exactly one query"),
        ({"method": "GET", "params": {"query": "ASK {"}}, 400, "syntax error at line 1"),
        (
            {"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
            415,
            "application/sparql-query",
        ),
        (
            {
                "method": "POST",
                "content": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
            },
            415,
            "UTF-8",
        ),
        (
            {"method": "POST", "content": b"ASK { \xff }", "headers": {"Content-Type": "application/sparql-query"}},
            400,
            "not valid UTF-8",
        ),
    ],
)
def test_bad_requests_get_4xx_and_a_message(server: LiveServer, request_args: dict, status: int, message: str) -> None:  # type: ignore[type-arg]
    response = httpx.request(url=server.url, **request_args)
    assert response.status_code == status
    assert message in response.text


def test_serve_checks_its_inputs_before_starting(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rit_graph.cli import cli

    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/s> <http://example.org/p> .\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--data", str(broken)])
    assert result.exit_code == 2
    assert "broken.ttl" in result.output and "syntax error" in result.output
    not_a_project = CliRunner().invoke(cli, ["serve", "--project", str(tmp_path)])
    assert not_a_project.exit_code == 2
    assert "not a rit-graph project" in not_a_project.output


def test_data_files_keep_their_graph_names(tmp_path: Path) -> None:
    trig = tmp_path / "graphs.trig"
    trig.write_text(
        "<http://example.org/g1> { <http://example.org/a> <http://example.org/p> 1 }\n"
        "<http://example.org/g2> { <http://example.org/b> <http://example.org/p> 2 }\n",
        encoding="utf-8",
    )
    turtle = tmp_path / "default.ttl"
    turtle.write_text("<http://example.org/c> <http://example.org/p> 3 .\n", encoding="utf-8")
    with live_server("--data", str(trig), "--data", str(turtle)) as running:
        response = httpx.get(
            running.url,
            params={"query": "SELECT ?g ?s { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", "format": "csv"},
        )
        union = httpx.get(running.url, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "format": "csv"})
    assert response.text.split() == [
        "g,s",
        "http://example.org/g1,http://example.org/a",
        "http://example.org/g2,http://example.org/b",
    ]
    assert union.text.split() == ["n", "3"]
