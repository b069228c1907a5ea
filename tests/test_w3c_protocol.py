"""The W3C SPARQL 1.1 Protocol test suite, replayed against ``rit-graph serve --data`` on loopback.

Each manifest entry names its graph data (ut:graphData, graph name in
rdfs:label) and its HTTP requests in the HTTP-in-RDF vocabulary. The data is
written into one N-Quads file per data set so the graphs keep their names;
one server per data set answers the requests of its tests. Query and
bad-request tests must pass as written; the update tests expect a 2xx for
an update, which this read-only endpoint refuses with 403 by design, so for
them the harness asserts the refusal instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from live_server import LiveServer, live_server
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection

SUITE = Path(__file__).parent / "w3c" / "sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

#: Media types that carry each expected result format.
EXPECTED_MEDIA_TYPES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}
RESULT_PARSERS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: frozenset[str]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    #: (data file, graph name) pairs to load first.
    data: tuple[tuple[Path, str], ...]
    requests: tuple[HttpRequest, ...]

    @property
    def is_update(self) -> bool:
        return self.name.startswith("update_")


def read_manifest() -> list[ProtocolTest]:
    manifest = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    entries = Collection(manifest, manifest.value(root, MF.entries))
    return [_read_test(manifest, entry) for entry in entries]


def _read_test(manifest: rdflib.Graph, entry: rdflib.term.Node) -> ProtocolTest:
    data = tuple(
        sorted(
            (Path(str(manifest.value(d, UT.graph)).removeprefix("file://")), str(manifest.value(d, RDFS.label)))
            for d in manifest.objects(entry, UT.graphData)
        )
    )
    connection = manifest.value(entry, MF.action)
    requests = Collection(manifest, manifest.value(connection, HT.requests))
    return ProtocolTest(
        str(entry).rsplit("#", 1)[1],
        str(manifest.value(entry, MF.name)),
        data,
        tuple(_read_request(manifest, r) for r in requests),
    )


def _read_request(manifest: rdflib.Graph, request: rdflib.term.Node) -> HttpRequest:
    headers_list = manifest.value(request, HT.headers)
    headers = {
        str(manifest.value(h, HT.fieldName)): str(manifest.value(h, HT.fieldValue))
        for h in (Collection(manifest, headers_list) if headers_list is not None else [])
    }
    body_node = manifest.value(request, HT.body)
    body = None
    if body_node is not None:
        encoding = str(manifest.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(manifest.value(body_node, CNT.chars)).encode(encoding)
    response = manifest.value(request, HT.resp)
    expected_format = manifest.value(response, MF.expectedFormat)
    expected_boolean = manifest.value(response, MF.expectedBoolean)
    return HttpRequest(
        str(manifest.value(request, HT.methodName)),
        str(manifest.value(request, HT.absolutePath)),
        headers,
        body,
        frozenset(str(s).removeprefix(str(HTS)) for s in manifest.objects(response, MF.expectedStatus)),
        str(expected_format) if expected_format is not None else None,
        expected_boolean.toPython() if expected_boolean is not None else None,
    )


TESTS = read_manifest()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[tuple[Path, str], ...], LiveServer]]:
    """One live server per distinct data set of the manifest, each serving one N-Quads file."""
    folder = tmp_path_factory.mktemp("w3c-data")
    with ExitStack() as stack:
        running = {}
        for number, data in enumerate(sorted({t.data for t in TESTS})):
            quads = folder / f"dataset{number}.nq"
            quads.write_bytes(
                ox.serialize(
                    [
                        ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(name))
                        for path, name in data
                        for q in ox.parse(path=SUITE / path.name, format=ox.RdfFormat.N_TRIPLES)
                    ],
                    format=ox.RdfFormat.N_QUADS,
                )
            )
            running[data] = stack.enter_context(live_server("--data", str(quads)))
        yield running


def replay(server: LiveServer, request: HttpRequest) -> httpx.Response:
    # The manifest's paths start with /sparql/; this endpoint is /sparql.
    path = "/sparql" + request.path.removeprefix("/sparql/")
    return httpx.request(
        request.method, f"http://127.0.0.1:{server.port}{path}", headers=request.headers, content=request.body
    )


def status_class(code: int) -> str:
    return f"StatusCode{code // 100}xx"


def check_response(request: HttpRequest, response: httpx.Response) -> None:
    assert status_class(response.status_code) in request.expected_status, (
        f"status {response.status_code}, expected {sorted(request.expected_status)}: {response.text}"
    )
    media_type = response.headers.get("content-type", "").split(";")[0]
    if request.expected_format is not None:
        assert media_type in EXPECTED_MEDIA_TYPES[request.expected_format], media_type
    if request.expected_boolean is not None:
        answer = ox.parse_query_results(io.BytesIO(response.content), RESULT_PARSERS[media_type])
        assert isinstance(answer, ox.QueryBoolean)
        assert bool(answer) is request.expected_boolean


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(servers: dict[tuple[tuple[Path, str], ...], LiveServer], test: ProtocolTest) -> None:
    server = servers[test.data]
    if test.is_update:
        # The first request is the update; the later ones would check its effect.
        update = test.requests[0]
        response = replay(server, update)
        assert response.status_code == 403, response.text
        assert "read-only" in response.text
        return
    for request in test.requests:
        check_response(request, replay(server, request))


def test_the_whole_manifest_is_covered() -> None:
    names = [t.name for t in TESTS]
    assert len(names) == 34
    kinds = {
        "query": [n for n in names if n.startswith("query_")],
        "bad request": [n for n in names if n.startswith("bad_")],
        "update (refused, read-only)": [n for n in names if n.startswith("update_")],
    }
    assert sum(len(v) for v in kinds.values()) == len(names)
    print("W3C SPARQL 1.1 Protocol:", ", ".join(f"{len(v)} {k}" for k, v in kinds.items()))
