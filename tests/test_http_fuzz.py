"""Fuzzing the HTTP server: whatever arrives, a 4xx or a correct answer; never a 5xx, a traceback or a file
outside the site.

One server on loopback serves a copy of the minimal project. Canary files
holding a random secret lie beside and inside the project, and the secret is in
its rit-graph.toml too: no answer may contain it, nor /etc/passwd, nor the
repository's pyproject.toml. Requests go out as raw bytes over a socket (paths
exactly as written: httpx would resolve ``..``) and through httpx; the random
ones come from hypothesis, derandomized so that every run sends the same.
After each test the server still answers, has the same query workers, and
has logged no traceback.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from live_server import LiveServer, live_server
from projects import MINI, ROOT, copy_project

from rit_graph.query.sparql import FORMAT_NAMES

#: Every run sends the same requests; the server is shared, so examples are not timed.
FUZZ = settings(
    derandomize=True, database=None, deadline=None, max_examples=500, suppress_health_check=[HealthCheck.too_slow]
)
#: What a leaked file would show: the system's passwords file and the repository's packaging.
FOREIGN = (b"root:x:0:0:", b'build-backend = "setuptools.build_meta"')
TRACEBACK = (b"Traceback (most recent call last)", b'File "')


@dataclass
class Target:
    server: LiveServer
    secret: bytes
    workers: set[int]
    client: httpx.Client

    def exchange(self, request: bytes) -> tuple[int | None, bytes]:
        """REQUEST sent as it is; the status (None if the server closed without one) and all it sent back."""
        received = b""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as connection:
            try:
                connection.sendall(request)
                while chunk := connection.recv(65536):
                    received += chunk
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may refuse a request before reading all of it
        found = re.match(rb"HTTP/1\.[01] (\d{3}) ", received)
        return (int(found.group(1)) if found else None), received

    def get(self, target: bytes, headers: bytes = b"") -> tuple[int | None, bytes]:
        return self.exchange(b"GET " + target + b" HTTP/1.1\r\nHost: fuzz\r\n" + headers + b"Connection: close\r\n\r\n")

    def assert_safe(self, status: int | None, body: bytes, what: object) -> None:
        assert status is not None and status < 500, (what, body[:500])
        for forbidden in (*TRACEBACK, *FOREIGN, self.secret):
            assert forbidden not in body, (what, forbidden, body[:500])

    def assert_healthy(self) -> None:
        """The server answers, no query worker died, and its log shows no traceback."""
        response = self.client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert response.json() == {"head": {}, "boolean": True}
        assert self.server.worker_pids() == self.workers
        log = self.server.log.read_text(errors="replace")
        assert "Traceback" not in log, log[log.find("Traceback") - 300 :]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    folder = tmp_path_factory.mktemp("fuzz")
    project = copy_project(MINI, folder / "project")
    secret = "canary-" + secrets.token_hex(16)
    for canary in (folder / "canary.txt", project / "canary.txt", project / "data" / "reference" / "canary.txt"):
        canary.write_text(secret + "\n", encoding="utf-8")
    with (project / "rit-graph.toml").open("a", encoding="utf-8") as settings_file:
        settings_file.write(f"# {secret}\n")
    with live_server("--project", str(project), cwd=folder) as server:
        base_url = f"http://127.0.0.1:{server.port}"
        with httpx.Client(base_url=base_url, timeout=30) as client:
            yield Target(server, secret.encode(), server.worker_pids(), client)


#: Paths that try to leave the site: traversal in every spelling, absolute paths, NUL bytes, files that exist.
ESCAPES = [
    b"/downloads/../../etc/passwd",
    b"/downloads/../../../../../../../../etc/passwd",
    b"/downloads/%2e%2e/%2e%2e/etc/passwd",
    b"/downloads/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    b"/downloads/..%2f..%2f..%2fetc%2fpasswd",
    b"/downloads/..%5c..%5c..%5cetc%5cpasswd",
    b"/downloads/..\\..\\etc\\passwd",
    b"/downloads/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    b"/downloads/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    b"/downloads//etc/passwd",
    b"/downloads/%2fetc%2fpasswd",
    b"/downloads/rit-graph.ttl%00.html",
    b"/downloads/%00",
    b"/downloads/..",
    b"/downloads/.",
    b"/source/..",
    b"/source/../rit-graph.toml",
    b"/source/..%2f..%2fcanary.txt",
    b"/source/mini/../../canary.txt",
    b"/id/..",
    b"/id/../../canary.txt",
    b"/id/%2e%2e/%2e%2e/canary.txt",
    b"/id/place/%00",
    b"/id/" + b"../" * 40 + b"etc/passwd",
    b"//etc/passwd",
    b"/etc/passwd",
    b"/proc/self/environ",
    b"/canary.txt",
    b"/project/canary.txt",
    b"/data/reference/canary.txt",
    b"/rit-graph.toml",
    b"/pyproject.toml",
    b"/../pyproject.toml",
    b"/%2e%2e/pyproject.toml",
    b"/ontology/rit.ttl",
    b"/shapes/rit-shapes.ttl",
    b"/data/announcements/mini/source.txt",
    b"/" + quote(str(ROOT / "pyproject.toml")).encode(),
    b"/downloads/" + quote(str(ROOT / "pyproject.toml"), safe="").encode(),
    b"/downloads/" + b"a" * 8000,
    b"/" + b"%2e%2e/" * 2000,
    b"http://127.0.0.1/../../etc/passwd",
    b"*",
]


@pytest.mark.parametrize("path", ESCAPES, ids=[p.decode()[:60] for p in ESCAPES])
def test_paths_outside_the_site_are_not_found_and_leak_nothing(target: Target, path: bytes) -> None:
    status, body = target.get(path)
    target.assert_safe(status, body, path)
    assert status in (400, 404), (path, body[:300])


def test_invalid_utf8_and_percent_encoding_in_paths_and_query_strings(target: Target) -> None:
    for path in (
        b"/id/%ff%fe",
        b"/id/\xff\xfe",
        b"/source/%c3%28",
        b"/downloads/%",
        b"/%zz",
        b"/id/place/%e2%82",
        b"/?lang=%ff",
        b"/id/place/tokyo?lang=%",
        b"/sparql?query=%ff",
        b"/sparql?query=%",
        b"/sparql?query=ASK%7B%7D&format=%ff",
        b"/sparql?%ff=%ff&query=ASK%7B%7D",
        b"/sparql?query=\xff",
        b"/sparql?query=ASK{}&&&==&",
    ):
        status, body = target.get(path)
        target.assert_safe(status, body, path)
    target.assert_healthy()


ROUTES = [
    b"/sparql",
    b"/",
    b"/index.en.html",
    b"/id/place/tokyo",
    b"/id/place/tokyo.ttl",
    b"/downloads/rit-graph.ttl",
    b"/source/mini",
    b"/ontology",
    b"/no/such/page",
]


@pytest.mark.parametrize(
    "method", [b"PUT", b"DELETE", b"PATCH", b"TRACE", b"CONNECT", b"OPTIONS", b"PROPFIND", b"BREW"]
)
def test_other_methods_than_get_and_post_are_not_allowed(target: Target, method: bytes) -> None:
    """405; uvicorn's HTTP parser refuses a method it does not know (BREW) with a body itself, with 400."""
    for route in ROUTES:
        request = (
            method + b" " + route + b" HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody"
        )
        status, body = target.exchange(request)
        target.assert_safe(status, body, (method, route))
        assert status in ((400, 405) if method == b"BREW" else (405,)), (method, route, body[:300])
    target.assert_healthy()


def test_get_head_and_post_on_every_route_answer_without_error(target: Target) -> None:
    for route in ROUTES:
        for method in (b"GET", b"HEAD", b"POST"):
            request = (
                method + b" " + route + b" HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            status, body = target.exchange(request)
            target.assert_safe(status, body, (method, route))
    target.assert_healthy()


#: Requests broken at the HTTP level; uvicorn answers 400 and closes, or the app refuses.
MALFORMED = [
    b"GET /\r\n\r\n",
    b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",  # no Host
    b"\x00\x01\x02\x03\r\n\r\n",
    b"GET / HTTP/1.1 extra\r\nHost: fuzz\r\n\r\n",
    b"GET  /  HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n",
    b"G\xffT / HTTP/1.1\r\nHost: fuzz\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: fuzz\r\nNo colon here\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: fuzz\r\nX\x00: nul\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: fuzz\r\nX: a\r\n folded\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n" + b"X: " + b"a" * 200_000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
    + b"".join(b"X-%d: %d\r\n" % (i, i) for i in range(5000))
    + b"\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: fuzz\r\nContent-Length: -1\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: fuzz\r\nContent-Length: abc\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nASK{}",
    b"POST /sparql HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nASK{}\r\n0\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nASK{}XX0\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nASK{}",
    b"GET / HTTP/2.0\r\nHost: fuzz\r\n\r\n",
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)) + b"\r\n\r\n",  # a TLS hello
]


@pytest.mark.parametrize("request_bytes", MALFORMED, ids=[repr(m[:40]) for m in MALFORMED])
def test_malformed_http_gets_a_4xx(target: Target, request_bytes: bytes) -> None:
    status, body = target.exchange(request_bytes)
    target.assert_safe(status, body, request_bytes[:80])


def post(body: bytes, *headers: bytes) -> bytes:
    return (
        b"POST /sparql HTTP/1.1\r\nHost: fuzz\r\n"
        + b"".join(h + b"\r\n" for h in headers)
        + b"Connection: close\r\n\r\n"
        + body
    )


def sized(body: bytes, content_type: bytes = b"application/sparql-query") -> bytes:
    return post(body, b"Content-Type: " + content_type, b"Content-Length: %d" % len(body))


#: SPARQL requests with odd bodies and headers -> the status they get.
BODIES: list[tuple[bytes, int]] = [
    (
        post(
            b"5\r\nASK {\r\n1\r\n}\r\n0\r\n\r\n",
            b"Content-Type: application/sparql-query",
            b"Transfer-Encoding: chunked",
        ),
        200,
    ),
    (
        post(
            b"3\r\nque\r\n9\r\nry=ASK%7B\r\n3\r\n%7D\r\n0\r\n\r\n",
            b"Content-Type: application/x-www-form-urlencoded",
            b"Transfer-Encoding: chunked",
        ),
        200,
    ),
    # An empty body holds no query: a POST without one is a bad request.
    (post(b"0\r\n\r\n", b"Content-Type: application/sparql-query", b"Transfer-Encoding: chunked"), 400),
    (sized(b"ASK {}", b"application/sparql-query; charset=UTF-8"), 200),
    (sized(b"ASK {}", b"APPLICATION/SPARQL-QUERY"), 200),
    (sized(b"ASK {}", b"application/sparql-query; charset=latin-1"), 415),
    (sized(b"ASK {}", b"application/sparql-query; charset"), 415),
    (sized(b"ASK {}", b"application/sparql-query; charset=\xff"), 415),
    (sized(b"ASK {}", b"text/plain"), 415),
    (sized(b"ASK {}", b";;;"), 415),
    (sized(b"ASK {}", b""), 415),
    (sized(b"ASK {}", b"application/sparql-update"), 403),
    (sized(b"ASK {} \xff\xfe"), 400),
    (sized(b"query=ASK%7B%7D%ff", b"application/x-www-form-urlencoded"), 400),
    (sized(b"query=\xff", b"application/x-www-form-urlencoded"), 400),
    (sized(b"query=%", b"application/x-www-form-urlencoded"), 400),
    (sized(b"query=ASK{}&query=ASK{}", b"application/x-www-form-urlencoded"), 400),
    (sized(b"===&&&", b"application/x-www-form-urlencoded"), 400),  # no query: only a GET gets the description
    (sized(b"update=CLEAR%20ALL", b"application/x-www-form-urlencoded"), 403),
    (sized(b"#" * 200_000 + b"\nASK {}"), 413),
    (post(b"ASK {}", b"Content-Type: application/sparql-query", b"Content-Length: 200000"), 413),
    (
        post(b"ASK {}", b"Content-Type: application/sparql-query", b"Content-Type: text/plain", b"Content-Length: 6"),
        200,
    ),
    (
        post(
            b"ASK {}",
            b"Content-Type: application/sparql-query",
            b"Content-Length: 6",
            b"Accept: ;q=abc, \xff/\xff;q=nan, */*;q=inf",
        ),
        200,
    ),
    (
        post(
            b"ASK {}",
            b"Content-Type: application/sparql-query",
            b"Content-Length: 6",
            b"Accept: " + b"text/csv;q=0.1," * 5000,
        ),
        200,
    ),
    (
        post(b"ASK {}", b"Content-Type: application/sparql-query", b"Content-Length: 6", *[b"Accept: text/csv"] * 500),
        200,
    ),
    (
        post(
            b"ASK {}", b"Content-Type: application/sparql-query", b"Content-Length: 6", b"Accept: application/rdf+xml"
        ),
        200,
    ),
    # A shorter Content-Length leaves "}}" as the start of the next request on the connection.
    (post(b"ASK {}}}", b"Content-Type: application/sparql-query", b"Content-Length: 6"), 200),
]


@pytest.mark.parametrize(("request_bytes", "expected"), BODIES, ids=[f"{i}" for i in range(len(BODIES))])
def test_odd_bodies_and_headers_get_their_status(target: Target, request_bytes: bytes, expected: int) -> None:
    status, body = target.exchange(request_bytes)
    target.assert_safe(status, body, request_bytes[:200])
    assert status == expected, (request_bytes[:200], body[:500])
    if expected == 200 and b"ASK" in request_bytes:
        assert b"true" in body.split(b"\r\n\r\n", 1)[1]


def test_a_client_gone_mid_body_leaves_no_traceback(target: Target) -> None:
    """The app is reading the body when the connection ends: a declared length not reached, a chunk cut off."""
    for request_bytes in (
        post(b"ASK", b"Content-Type: application/sparql-query", b"Content-Length: 100"),
        post(b"3\r\nASK\r\n", b"Content-Type: application/sparql-query", b"Transfer-Encoding: chunked"),
        post(b"3\r\nASKXX", b"Content-Type: application/sparql-query", b"Transfer-Encoding: chunked"),
    ):
        with socket.create_connection(("127.0.0.1", target.server.port), timeout=30) as connection:
            connection.sendall(request_bytes)
    target.assert_healthy()


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_graph_parameters_that_are_not_iris_get_400_and_no_worker_dies(target: Target, parameter: str) -> None:
    for value in ("", "not an iri", "<http://example.org/g>", "\ufffd", "relative/graph", "http://exa mple.org/"):
        response = target.client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", parameter: value})
        assert response.status_code == 400, (value, response.text)
        assert f"{parameter} must be an absolute IRI" in response.text
    target.assert_healthy()


def test_results_that_xml_cannot_hold_get_400_rather_than_broken_xml(target: Target) -> None:
    """pyoxigraph writes such results as XML no parser reads; the client is told to ask for another format."""
    for query, name in (
        ('SELECT ("a\\u0001b" AS ?x) {}', "xml"),
        ('CONSTRUCT { <http://example.org/s> <http://example.org/1> "x" } WHERE {}', "rdfxml"),
        ('CONSTRUCT { <http://example.org/s> <http://example.org/p> "\\u0008" } WHERE {}', "rdfxml"),
    ):
        response = target.client.get("/sparql", params={"query": query, "format": name})
        assert response.status_code == 400, response.text
        assert "ask for another format than " + name in response.text
        other = "json" if name == "xml" else "turtle"
        assert target.client.get("/sparql", params={"query": query, "format": other}).status_code == 200
    target.assert_healthy()


# Random queries ------------------------------------------------------------------

#: Pieces of SPARQL, valid and not, that random queries are made of.
WORDS = (
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "DISTINCT",
    "REDUCED",
    "*",
    "{",
    "}",
    "(",
    ")",
    ".",
    ";",
    ",",
    "?s",
    "?p",
    "?o",
    "$x",
    "?g",
    "a",
    "<id/place/tokyo>",
    "<http://example.org/a>",
    "<>",
    "<http://example.org/1>",
    "<urn:x>",
    "ex:a",
    ":",
    "_:b",
    "[]",
    '"text"',
    "'x'@en",
    '"1"^^xsd:integer',
    '"\\u0001"',
    "1",
    "-2.5e3",
    "true",
    "FILTER",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "GRAPH",
    "BIND",
    "AS",
    "VALUES",
    "UNDEF",
    "LIMIT",
    "OFFSET",
    "ORDER BY",
    "GROUP BY",
    "HAVING",
    "COUNT(*)",
    'REGEX(?o, "(")',
    "STR(?s)",
    "LANG(?o)",
    'IRI("a b")',
    "1/0",
    "EXISTS",
    "NOT",
    "PREFIX ex: <http://example.org/>",
    "BASE <http://b/>",
    "FROM",
    "NAMED",
    "SERVICE",
    "SILENT",
    "LOAD",
    "INSERT",
    "DATA",
    "DELETE",
    "CLEAR",
    "ALL",
    "#",
    "\n",
    "\\",
    '"""',
    "%",
    "é",
    "日本",
    "<<",
    ">>",
    "^^",
    "@",
    "|",
    "/",
    "+",
    "?",
)


def terms() -> st.SearchStrategy[str]:
    return st.sampled_from(
        (
            "?s",
            "?p",
            "?o",
            "<id/place/tokyo>",
            "<http://example.org/1>",
            "<urn:x>",
            "<http://example.org/>",
            '"a\\u0001b"',
            '"text"@de',
            "42",
            '"2015-09"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>',
        )
    )


def shaped_queries() -> st.SearchStrategy[str]:
    """Queries of the four forms with random terms, so that many are valid and reach the store."""
    triple = st.tuples(terms(), terms(), terms()).map(" ".join)
    limit = st.integers(0, 5).map(lambda n: f" LIMIT {n}")
    return st.one_of(
        st.tuples(triple, limit).map(lambda t: f"SELECT * WHERE {{ {t[0]} }}{t[1]}"),
        st.tuples(triple, triple).map(lambda t: f"SELECT * {{ {{ {t[0]} }} UNION {{ {t[1]} }} }} LIMIT 20"),
        triple.map(lambda t: f"ASK {{ {t} }}"),
        st.tuples(triple, triple).map(lambda t: f"CONSTRUCT {{ {t[0]} }} WHERE {{ OPTIONAL {{ {t[1]} }} }} LIMIT 20"),
        terms().map(lambda t: f"DESCRIBE {t} WHERE {{ }}"),
        terms().map(lambda t: f"SELECT (STR({t}) AS ?x) (LANG({t}) AS ?l) (DATATYPE({t}) AS ?d) {{}}"),
    )


def queries() -> st.SearchStrategy[str]:
    return st.one_of(
        shaped_queries(),
        st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join),
        st.text(max_size=120),
    )


def assert_correct(response: httpx.Response) -> None:
    """A 200 answer is readable in the format its Content-Type names."""
    media_type = response.headers["content-type"].split(";")[0]
    body = response.content
    if media_type in ("application/sparql-results+json", "application/ld+json"):
        json.loads(body)
    elif media_type in ("application/sparql-results+xml", "application/rdf+xml"):
        xml.parsers.expat.ParserCreate(namespace_separator=" ").Parse(body, True)
    elif media_type in ("text/csv", "text/tab-separated-values"):
        body.decode("utf-8")
    else:
        rdf = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}[media_type]
        list(ox.parse(body, rdf))


@FUZZ
@given(
    query=queries(),
    how=st.sampled_from(("get", "form", "direct")),
    name=st.one_of(st.none(), st.sampled_from(FORMAT_NAMES), st.text(max_size=10)),
)
def a_random_query_gets_a_4xx_or_a_correct_result(target: Target, query: str, how: str, name: str | None) -> None:
    params = {"query": query} | ({"format": name} if name is not None else {})
    if how == "get":
        response = target.client.get("/sparql", params=params)
    elif how == "form":
        response = target.client.post("/sparql", data=params)
    else:
        response = target.client.post(
            "/sparql",
            params={k: v for k, v in params.items() if k != "query"},
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
    target.assert_safe(response.status_code, response.content, params)
    event(f"status {response.status_code}")
    if response.status_code == 200:
        assert_correct(response)


def test_random_queries_get_a_4xx_or_a_correct_result_and_leave_the_server_healthy(target: Target) -> None:
    """The random queries, then the server's health checked in the same test, whatever ran before or elsewhere."""
    a_random_query_gets_a_4xx_or_a_correct_result(target)
    target.assert_healthy()


#: Path segments random paths are made of: traversal in its spellings, the site's own names, odd bytes.
SEGMENTS = (
    "..",
    ".",
    "%2e%2e",
    "%2E%2e%2f",
    "..%2f",
    "..%5c",
    "%252e%252e",
    "%00",
    "%ff",
    "%",
    "%c0%af",
    "\\",
    "",
    "id",
    "place",
    "tokyo",
    "tokyo.ttl",
    "tokyo.en.html",
    "downloads",
    "rit-graph.ttl",
    "source",
    "mini",
    "index.de.html",
    "ontology",
    "canary.txt",
    "rit-graph.toml",
    "etc",
    "passwd",
    "~",
    ";",
    "?",
    "#",
    "sparql",
)
HEADER_NAMES = (b"Accept", b"Accept-Language", b"If-None-Match", b"If-Modified-Since", b"Origin", b"Range", b"Cookie")
HEADER_VALUES = st.one_of(
    st.sampled_from(
        (
            b"*/*",
            b"text/html",
            b"text/turtle;q=0",
            b"application/ld+json;q=nan",
            b"de;q=2, ja",
            b"*",
            b"Mon, 01 Jan 0001 00:00:00 GMT",
            b"Fri, 31 Dec 9999 23:59:59 +1400",
            b'W/"x", "y"',
            b"bytes=0-1",
        )
    ),
    st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
)


@FUZZ
@given(
    segments=st.lists(st.one_of(st.sampled_from(SEGMENTS), st.text(max_size=8).map(quote)), min_size=1, max_size=8),
    query=st.one_of(st.just(""), st.sampled_from(("?lang=ja", "?lang=%ff", "?lang=", "?format=x&lang=de"))),
    headers=st.lists(st.tuples(st.sampled_from(HEADER_NAMES), HEADER_VALUES), max_size=4),
)
def a_random_path_and_headers_get_a_4xx_or_a_page(
    target: Target, segments: list[str], query: str, headers: list[tuple[bytes, bytes]]
) -> None:
    path = ("/" + "/".join(segments) + query).encode()
    status, body = target.get(path, b"".join(name + b": " + value + b"\r\n" for name, value in headers))
    target.assert_safe(status, body, (path, headers))
    event(f"status {status}")


def test_random_paths_and_headers_get_a_4xx_or_a_page_and_leave_the_server_healthy(target: Target) -> None:
    """The random paths, then the server's health checked in the same test, whatever ran before or elsewhere."""
    a_random_path_and_headers_get_a_4xx_or_a_page(target)
    target.assert_healthy()
