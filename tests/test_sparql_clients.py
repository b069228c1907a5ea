"""SPARQL clients as they are, querying ``rit-graph serve`` on loopback: SPARQLWrapper with its defaults
and with each return format, rdflib's SPARQLStore and Comunica; the format parameters they send; the
service description's format IRIs.

The facts asked for are the bw-i announcement's (data/announcements/bwi-cluster-japan-rit/): the
partnership of Photonics BW with the city of Kitakyushu ("Photonics BW mit der Stadt Kitakyushu").
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.dom.minidom import Document

import httpx
import pytest
import rdflib
from live_server import LiveServer, live_server
from projects import ROOT
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper

from rit_graph.corpus.project import Project

COMUNICA = Path(__file__).parent / "comunica"
#: SPARQLWrapper's request methods: GET, a POSTed form, and the query POSTed as the body.
METHODS = {"GET": ("GET", URLENCODED), "POST form": (POST, URLENCODED), "POST query": (POST, POSTDIRECTLY)}
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


class Fact:
    """The partnership's place, a triple of the bw-i announcement, and queries of every form about it."""

    def __init__(self, base_iri: str) -> None:
        self.partnership = rdflib.URIRef(base_iri + "id/partnership/photonics-bw-kitakyushu")
        self.place = rdflib.URIRef(base_iri + "id/place/kitakyushu")
        self.predicate = rdflib.URIRef(base_iri + "ontology#partnerPlace")
        s, p, o = self.partnership.n3(), self.predicate.n3(), self.place.n3()
        self.queries = {
            "SELECT": f"SELECT ?place WHERE {{ {s} {p} ?place }}",
            "ASK": f"ASK {{ {s} {p} {o} }}",
            "CONSTRUCT": f"CONSTRUCT {{ ?x {p} ?place }} WHERE {{ ?x {p} ?place }}",
            "DESCRIBE": f"DESCRIBE {s}",
        }

    @property
    def triple(self) -> tuple[rdflib.URIRef, rdflib.URIRef, rdflib.URIRef]:
        return self.partnership, self.predicate, self.place


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT), "--timeout", "60") as running:
        yield running


@pytest.fixture(scope="module")
def fact(project: Project) -> Fact:
    return Fact(project.base_iri)


def wrapper(server: LiveServer, query: str, method: str = "GET") -> SPARQLWrapper:
    """A SPARQLWrapper as a user makes it: the endpoint, the query and a method, nothing else."""
    client = SPARQLWrapper(server.url)
    client.setQuery(query)
    http_method, request_method = METHODS[method]
    client.setMethod(http_method)
    client.setRequestMethod(request_method)
    return client


def converted(client: SPARQLWrapper) -> tuple[str, Any]:
    """The answer's media type and SPARQLWrapper's conversion of it, which warns when the endpoint answers
    in another format than was asked for: here that fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = client.query()
        return result.info()["content-type"].split(";")[0], result.convert()


def literals(document: Document, tag: str) -> list[str]:
    return [node.firstChild.data for node in document.getElementsByTagName(tag)]  # type: ignore[union-attr]


def rows(text: str | bytes, delimiter: str) -> list[list[str]]:
    text = text.decode("utf-8") if isinstance(text, bytes) else text
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("form", ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"])
def test_sparqlwrapper_with_its_defaults_gets_every_query_form(
    server: LiveServer, fact: Fact, form: str, method: str
) -> None:
    """SPARQLWrapper asks for ``xml`` in three parameters whatever the query: XML results for SELECT and
    ASK, RDF/XML for CONSTRUCT and DESCRIBE, which it reads into a graph."""
    media_type, answer = converted(wrapper(server, fact.queries[form], method))
    if form == "SELECT":
        assert media_type == "application/sparql-results+xml"
        assert literals(answer, "uri") == [str(fact.place)]
    elif form == "ASK":
        assert media_type == "application/sparql-results+xml"
        assert literals(answer, "boolean") == ["true"]
    else:
        assert media_type == "application/rdf+xml"
        assert isinstance(answer, rdflib.Graph) and fact.triple in answer


#: (query form, SPARQLWrapper's return format, the media type it gets)
RETURN_FORMATS = [
    ("SELECT", JSON, "application/sparql-results+json"),
    ("SELECT", XML, "application/sparql-results+xml"),
    ("SELECT", CSV, "text/csv"),
    ("SELECT", TSV, "text/tab-separated-values"),
    ("ASK", JSON, "application/sparql-results+json"),
    ("ASK", XML, "application/sparql-results+xml"),
    ("CONSTRUCT", XML, "application/rdf+xml"),
    ("CONSTRUCT", RDFXML, "application/rdf+xml"),
    ("CONSTRUCT", TURTLE, "text/turtle"),
    ("CONSTRUCT", N3, "text/turtle"),
    ("CONSTRUCT", JSONLD, "application/ld+json"),
    ("DESCRIBE", TURTLE, "text/turtle"),
    ("DESCRIBE", JSONLD, "application/ld+json"),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("form", "return_format", "media_type"), RETURN_FORMATS)
def test_sparqlwrapper_gets_each_return_format(
    server: LiveServer, fact: Fact, form: str, return_format: str, media_type: str, method: str
) -> None:
    client = wrapper(server, fact.queries[form], method)
    client.setReturnFormat(return_format)
    got, answer = converted(client)
    assert got == media_type
    if form == "ASK":
        assert (answer["boolean"] is True) if return_format == JSON else (literals(answer, "boolean") == ["true"])
    elif form == "SELECT" and return_format == JSON:
        (binding,) = answer["results"]["bindings"]
        assert binding["place"] == {"type": "uri", "value": str(fact.place)}
    elif form == "SELECT" and return_format == XML:
        assert literals(answer, "uri") == [str(fact.place)]
    elif return_format in (CSV, TSV):
        comma = return_format == CSV
        header, *values = rows(answer, "," if comma else "\t")
        assert header == ["place" if comma else "?place"]
        assert values == [[str(fact.place) if comma else fact.place.n3()]]
    else:
        graph = rdflib.Graph().parse(data=answer, format="turtle") if isinstance(answer, bytes) else answer
        assert fact.triple in graph


#: (query form, parameters as Fuseki's, Virtuoso's and other clients send them, Accept, media type served)
PARAMETERS: list[tuple[str, dict[str, str], str | None, str]] = [
    ("CONSTRUCT", {"output": "ttl"}, None, "text/turtle"),
    ("CONSTRUCT", {"output": "text"}, None, "text/turtle"),
    ("CONSTRUCT", {"results": "nt"}, None, "application/n-triples"),
    ("CONSTRUCT", {"format": "ntriples"}, None, "application/n-triples"),
    ("CONSTRUCT", {"format": "rdf"}, None, "application/rdf+xml"),
    ("CONSTRUCT", {"format": "application/rdf+xml"}, None, "application/rdf+xml"),
    ("CONSTRUCT", {"format": "json-ld"}, None, "application/ld+json"),
    ("CONSTRUCT", {"format": "JSON-LD"}, None, "application/ld+json"),
    ("CONSTRUCT", {"output": "json"}, None, "application/ld+json"),
    ("DESCRIBE", {"output": "xml"}, "text/turtle", "application/rdf+xml"),
    ("SELECT", {"format": "xml"}, None, "application/sparql-results+xml"),
    ("SELECT", {"output": "csv"}, None, "text/csv"),
    ("SELECT", {"results": "tsv"}, None, "text/tab-separated-values"),
    ("SELECT", {"format": "application/sparql-results+json"}, None, "application/sparql-results+json"),
    ("SELECT", {"format": "text/csv; charset=utf-8"}, None, "text/csv"),
    ("ASK", {"output": "json"}, None, "application/sparql-results+json"),
    # A list of media types in one value, as SPARQLWrapper sends for JSON-LD, TSV and RDF/XML.
    ("CONSTRUCT", {"format": "application/ld+json,application/x-json+ld"}, None, "application/ld+json"),
    # The first format the query can give wins, whichever parameter names it.
    ("SELECT", {"format": "turtle", "output": "tsv", "results": "csv"}, None, "text/tab-separated-values"),
    # A format the query cannot give is passed over: Accept decides, else the default.
    ("SELECT", {"format": "turtle"}, "text/csv", "text/csv"),
    ("SELECT", {"format": "n3"}, None, "application/sparql-results+json"),
    ("CONSTRUCT", {"format": "csv"}, "application/n-triples", "application/n-triples"),
    ("CONSTRUCT", {"format": "tsv"}, "*/*", "text/turtle"),
]


@pytest.mark.parametrize(("form", "params", "accept", "media_type"), PARAMETERS)
def test_format_parameters_as_clients_send_them(
    server: LiveServer, fact: Fact, form: str, params: dict[str, str], accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    for response in (
        httpx.get(server.url, params={"query": fact.queries[form], **params}, headers=headers),
        httpx.post(server.url, data={"query": fact.queries[form], **params}, headers=headers),
    ):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media_type


def test_a_format_nothing_asked_for_can_serve_is_not_acceptable(server: LiveServer, fact: Fact) -> None:
    """Only when neither the parameter nor Accept names a format the query can give is the request refused."""
    for form, params, accept, message in [
        ("SELECT", {"format": "turtle"}, "text/turtle", "format 'turtle' is not available for SELECT"),
        ("ASK", {"output": "ttl", "format": "nt"}, "application/rdf+xml", "format 'ttl', 'nt' is not available"),
        ("CONSTRUCT", {"format": "csv"}, "application/sparql-results+json", "use one of turtle, ntriples, jsonld"),
    ]:
        response = httpx.get(server.url, params={"query": fact.queries[form], **params}, headers={"Accept": accept})
        assert response.status_code == 406, (form, params)
        assert message in response.text
        assert "nor is any format the Accept header names" in response.text


def test_a_post_without_a_query_is_a_bad_request(server: LiveServer) -> None:
    """Only a plain GET gets the service description (or the query page): a POST is meant to run a query."""
    form = httpx.post(server.url, data={"format": "json", "default-graph-uri": "https://example.org/g"})
    empty_form = httpx.post(server.url, headers={"Content-Type": "application/x-www-form-urlencoded"})
    empty_body = httpx.post(server.url, headers={"Content-Type": "application/sparql-query"})
    for response in (form, empty_form, empty_body):
        assert response.status_code == 400
        assert response.text.startswith("the POST holds no query: send it in a form field named query")
    assert httpx.get(server.url).status_code == 200
    assert httpx.get(server.url, params={"format": "json"}).headers["content-type"].startswith("text/turtle")


def test_the_service_description_names_formats_by_their_w3c_iris(server: LiveServer) -> None:
    """The IRIs of the W3C's registry of formats, https://www.w3.org/ns/formats/ (not the pages about them)."""
    graph = rdflib.Graph().parse(data=httpx.get(server.url).text, format="turtle")
    assert {str(o) for o in graph.objects(rdflib.URIRef(server.url), SD.resultFormat)} == {
        "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
        "http://www.w3.org/ns/formats/SPARQL_Results_XML",
        "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
        "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
        "http://www.w3.org/ns/formats/Turtle",
        "http://www.w3.org/ns/formats/N-Triples",
        "http://www.w3.org/ns/formats/RDF_XML",
        "http://www.w3.org/ns/formats/JSON-LD",
    }


def test_rdflib_sparqlstore_selects_asks_and_constructs(server: LiveServer, fact: Fact) -> None:
    remote = rdflib.Graph(store=SPARQLStore(server.url))
    assert [row[0] for row in remote.query(fact.queries["SELECT"])] == [fact.place]  # type: ignore[index]
    assert remote.query(fact.queries["ASK"]).askAnswer is True
    constructed = remote.query(fact.queries["CONSTRUCT"]).graph
    assert constructed is not None and fact.triple in constructed


def comunica(server: LiveServer, query: str, media_type: str) -> str:
    """What Comunica's command line prints for QUERY against /sparql as a SPARQL endpoint, as MEDIA_TYPE."""
    node = COMUNICA / "node_modules" / "node" / "bin" / "node"
    script = COMUNICA / "node_modules" / "@comunica" / "query-sparql" / "bin" / "query.js"
    command = [str(node), str(script), f"sparql@{server.url}", "-t", media_type, query]
    # The timeout only guards against a client that never ends; nothing asserts how long it takes.
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(
    not (COMUNICA / "node_modules").is_dir(),
    reason="Comunica is not installed: npm ci --prefix tests/comunica (.ci/run does)",
)
def test_comunica_queries_the_endpoint(server: LiveServer, fact: Fact) -> None:
    """Comunica (npm @comunica/query-sparql) takes /sparql for a SPARQL endpoint and answers through it."""
    selected = json.loads(comunica(server, fact.queries["SELECT"], "application/sparql-results+json"))
    assert selected["results"]["bindings"] == [{"place": {"type": "uri", "value": str(fact.place)}}]
    assert json.loads(comunica(server, fact.queries["ASK"], "application/sparql-results+json"))["boolean"] is True
    for form in ("CONSTRUCT", "DESCRIBE"):
        graph = rdflib.Graph().parse(data=comunica(server, fact.queries[form], "application/n-triples"), format="nt")
        assert fact.triple in graph, form
