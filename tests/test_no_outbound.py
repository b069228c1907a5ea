"""No part of rit-graph opens a connection at build or serve time, whatever its input names.

A web server on loopback records every connection made to it and would serve
what a fetch asks for: a JSON-LD context, an XML entity, an ontology, shapes
that fail every resource, SPARQL results. Projects and queries point at it in
every way RDF offers (remote JSON-LD contexts, external XML entities,
owl:imports, sh:shapesGraph, SERVICE, LOAD, FROM, the protocol's graph
parameters), and ``validate``, ``build``, ``query``, ``stats``, ``markup`` and
``serve`` run on them. The listener must see no connection. The commands that
run in the test's process also have every Internet socket connect refused and
recorded, which catches a fetch to any other address.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from live_server import live_server
from projects import MINI, copy_project

from rit_graph.cli import cli
from rit_graph.errors import InputError
from rit_graph.query.querycheck import CheckedQuery, Form, QueryError
from rit_graph.query.querypool import QueryPool
from rit_graph.query.sparql import Answer, Limits, Request, files_store

#: What a fetch would bring in; none of it may show up anywhere.
FETCHED = "urn:fetched:from-the-listener"
#: Shapes that every labelled resource violates, served as any Turtle the listener is asked for.
FAILING_SHAPES = f"""
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{FETCHED}> a sh:NodeShape ; rdfs:label "{FETCHED}" ;
    sh:targetSubjectsOf rdfs:label ; sh:property [ sh:path rdfs:label ; sh:maxCount 0 ; sh:message "{FETCHED}" ] .
"""
SERVED: dict[str, tuple[str, str]] = {
    "/context.jsonld": ("application/ld+json", json.dumps({"@context": {"name": FETCHED}})),
    "/e": ("text/plain", FETCHED),
    "/x.dtd": ("application/xml-dtd", f'<!ENTITY e "{FETCHED}">'),
    "/sparql": (
        "application/sparql-results+json",
        json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": FETCHED}}]}}),
    ),
}


class Listener:
    """A web server on loopback that records every connection made to it."""

    def __init__(self) -> None:
        connections: list[tuple[str, int]] = []
        self.connections = connections

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                media_type, body = SERVED.get(self.path.split("?")[0], ("text/turtle", FAILING_SHAPES))
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_GET  # noqa: N815 - the name http.server calls

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def process_request(self, request: Any, client_address: Any) -> None:
                connections.append(client_address)
                super().process_request(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    # The listener does record connections: this one is the test's own.
    assert httpx.get(running.url + "/context.jsonld").json() == {"@context": {"name": FETCHED}}
    assert len(running.connections) == 1
    running.close()


@pytest.fixture
def outbound(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every Internet connection this process tries from here on, each refused."""
    attempts: list[object] = []
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise ConnectionRefusedError(f"rit-graph may not connect to {address}")
        original(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def project_with(folder: Path, files: dict[str, str]) -> Path:
    """A copy of the minimal project with FILES (path within the project: text) added."""
    project = copy_project(MINI, folder / "project")
    for name, text in files.items():
        (project / name).write_text(text, encoding="utf-8")
    return project


def imports(url: str) -> dict[str, str]:
    """Ontology, shapes and data that name the listener in every way that could make a tool load from it."""
    return {
        "ontology/imports.ttl": f"""
            @prefix owl: <http://www.w3.org/2002/07/owl#> .
            <ontology> a owl:Ontology ; owl:imports <{url}/ontology.ttl> .""",
        "shapes/imports.ttl": f"""
            @prefix owl: <http://www.w3.org/2002/07/owl#> .
            @prefix sh:  <http://www.w3.org/ns/shacl#> .
            <shapes> a owl:Ontology ; owl:imports <{url}/shapes.ttl> .
            <data> sh:shapesGraph <{url}/shapes-graph.ttl> .
            <shapes#From> a sh:NodeShape ; sh:targetClass <ontology#Country> ;
                sh:sparql [ a sh:SPARQLConstraint ; sh:message "from the listener" ;
                    sh:select "SELECT $this FROM <{url}/g> FROM NAMED <{url}/n> WHERE {{ $this <{url}/p> ?o }}" ] .""",
        "data/reference/links.ttl": f"""
            @prefix owl:  <http://www.w3.org/2002/07/owl#> .
            @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
            @prefix sh:   <http://www.w3.org/ns/shacl#> .
            <data> a owl:Ontology ; owl:imports <{url}/data.ttl> ; sh:shapesGraph <{url}/data-shapes.ttl> .
            <id/place/tokyo> rdfs:seeAlso <{url}/tokyo> .""",
        "data/reference/rdfxml.rdf": f"""<?xml version="1.0"?>
            <!DOCTYPE rdf:RDF SYSTEM "{url}/x.dtd">
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
              <rdf:Description rdf:about="id/place/tokyo"><rdfs:seeAlso rdf:resource="{url}/x.dtd"/></rdf:Description>
            </rdf:RDF>""",
        "data/reference/context.jsonld": json.dumps(
            {
                "@context": {"seeAlso": {"@id": "http://www.w3.org/2000/01/rdf-schema#seeAlso", "@type": "@id"}},
                "@id": "id/place/tokyo",
                "seeAlso": url + "/from-jsonld",
            }
        ),
    }


def test_imports_and_shapes_graphs_are_not_followed(tmp_path: Path, listener: Listener, outbound: list[object]) -> None:
    """The fetched shapes fail every labelled resource: had pyshacl loaded them, validation would fail."""
    project = project_with(tmp_path, imports(listener.url))
    out = tmp_path / "dist"
    for args in (["validate", "--no-cache"], ["build", "--no-cache", "--out", str(out)], ["stats"], ["markup"]):
        result = run(*args, "--project", str(project))
        assert result.exit_code == 0, (args, result.output)
        assert FETCHED not in result.output
    assert all(FETCHED.encode() not in path.read_bytes() for path in out.rglob("*") if path.is_file())
    assert listener.connections == []
    assert outbound == []


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        (
            "remote.jsonld",
            '{\n  "@context": "URL/context.jsonld",\n  "@id": "id/place/x", "name": "x"\n}',
            ":2:3: names the remote JSON-LD context URL/context.jsonld, which rit-graph never fetches",
        ),
        (
            "list.jsonld",
            '{"@context": ["URL/context.jsonld", {"@vocab": "http://schema.org/"}], "@id": "id/place/x"}',
            ":1:2: names the remote JSON-LD context URL/context.jsonld",
        ),
        (
            "import.jsonld",
            '{"@context": {"@version": 1.1, "@import": "URL/context.jsonld"}, "@id": "id/place/x", "name": "x"}',
            ":1:32: names the remote JSON-LD context URL/context.jsonld",
        ),
        (
            "entity.rdf",
            (
                '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "URL/e">]>\n'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
            ),
            ":2:20: declares an external XML entity (SYSTEM or PUBLIC), which rit-graph never loads",
        ),
        (
            "parameter-entity.rdf",
            (
                '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  <!ENTITY % p PUBLIC "-//x//EN" "URL/e"> %p;\n]>\n'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
            ),
            ":3:3: declares an external XML entity",
        ),
    ],
)
def test_data_that_needs_a_fetch_is_refused_with_its_place(
    tmp_path: Path, listener: Listener, outbound: list[object], name: str, text: str, words: str
) -> None:
    project = project_with(tmp_path, {"data/reference/" + name: text.replace("URL", listener.url)})
    file = project / "data" / "reference" / name
    for args in (["validate"], ["build", "--out", str(tmp_path / "dist")], ["query", "ASK {}"]):
        result = run(*args, "--project", str(project))
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith(f"Error: {file}{words.replace('URL', listener.url)}"), result.output
        assert "how to fix: " in result.output
    assert not (tmp_path / "dist").exists()
    with pytest.raises(InputError, match=re.escape(words.split(": ", 1)[1].replace("URL", listener.url))):
        files_store([file], "https://example.org/kb/")  # rit-graph serve --data FILE
    assert listener.connections == []
    assert outbound == []


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { SERVICE <URL/sparql> { $this ?p ?o } }",
        # pyshacl's own check looks for "SERVICE" followed by a space or "<" and misses these two.
        "PREFIX : <URL/> SELECT $this WHERE { $this ?p ?o . SERVICE:sparql { ?a ?b ?c } }",
        "PREFIX : <URL/> SELECT $this WHERE { $this ?p ?o FILTER NOT EXISTS { SERVICE:sparql { ?a ?b ?c } } }",
        "SELECT $this WHERE { $this ?p ?o OPTIONAL { SERVICE SILENT <URL/sparql> { ?a ?b ?c } } }",
        # pyoxigraph ends a comment at CR, rdflib only at LF: the shape runs as checked, with LF.
        "SELECT $this WHERE { $this ?p ?o . #\\r SERVICE <URL/sparql> { ?a ?b ?c } \\n }",
        "SELECT $this WHERE { $this ?p ?o . #\\\\u000D SERVICE <URL/sparql> { ?a ?b ?c } \\n }",
    ],
)
def test_a_shape_with_service_is_refused_before_validation(
    tmp_path: Path, listener: Listener, outbound: list[object], select: str
) -> None:
    shapes = f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <shapes#Remote> a sh:NodeShape ; sh:targetClass <ontology#Country> ;
            sh:sparql [ a sh:SPARQLConstraint ; sh:message "remote" ;
                sh:select "{select.replace("URL", listener.url)}" ] ."""
    project = project_with(tmp_path, {"shapes/remote.ttl": shapes})
    for args in (["validate", "--no-cache"], ["build", "--no-cache", "--out", str(tmp_path / "dist")]):
        result = run(*args, "--project", str(project))
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith(
            f"Error: {project / 'shapes' / 'remote.ttl'}: the SPARQL select of shape "
            "https://example.org/kb/shapes#Remote "
            "cannot be used: SERVICE is not allowed"
        ), result.output
    assert listener.connections == []
    assert outbound == []


def test_shapes_that_pyshacl_refuses_are_an_input_error(tmp_path: Path) -> None:
    """pyshacl's ValidationFailure (here: VALUES in a constraint) used to end validation with an AttributeError."""
    shapes = """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <shapes#Values> a sh:NodeShape ; sh:targetClass <ontology#Country> ; sh:sparql [ a sh:SPARQLConstraint ;
            sh:select "SELECT $this WHERE { VALUES ?x { 1 } $this ?p ?x }" ] ."""
    project = project_with(tmp_path, {"shapes/values.ttl": shapes})
    result = run("validate", "--no-cache", "--project", str(project))
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {project / 'shapes'}: pyshacl cannot use the shapes: ")
    assert "VALUES" in result.output


def queries(url: str) -> list[tuple[dict[str, str], int]]:
    """SPARQL requests naming the listener (parameters, status over HTTP); the command line gets the same queries."""
    return [
        ({"query": f"SELECT * {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"}, 403),
        ({"query": f"SELECT * {{ ?s ?p ?o OPTIONAL {{ SERVICE SILENT <{url}/sparql> {{ ?s ?q ?r }} }} }}"}, 403),
        ({"query": f"SELECT * {{ VALUES ?e {{ <{url}/sparql> }} SERVICE ?e {{ ?s ?p ?o }} }}"}, 403),
        ({"query": f"PREFIX : <{url}/> SELECT * {{ SERVICE:sparql {{ ?s ?p ?o }} }}"}, 403),
        ({"query": f"LOAD <{url}/data.ttl>"}, 403),
        ({"query": f"SELECT * FROM <{url}/x> {{ ?s ?p ?o }}"}, 200),
        ({"query": f"SELECT * FROM NAMED <{url}/x> {{ GRAPH ?g {{ ?s ?p ?o }} }}"}, 200),
        ({"query": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}/x> WHERE {{ ?s ?p ?o }}"}, 200),
        ({"query": f"DESCRIBE <{url}/x>"}, 200),
        ({"query": f"ASK {{ <{url}/tokyo> ?p ?o }}"}, 200),
        *(
            ({"query": f"SELECT ?a {{ ?s ?p ?o . #{end} SERVICE <{url}/sparql> {{ ?a ?b ?c }} \n }} LIMIT 1"}, 403)
            for end in ("\r", "\r\n", "\\u000D", "\\u000a")
        ),
        # Characters that end no comment in either parser leave SERVICE inside it.
        *(
            ({"query": f"SELECT ?a {{ ?s ?p ?o . #{end} SERVICE <{url}/sparql> {{ ?a ?b ?c }} \n }} LIMIT 1"}, 200)
            for end in ("\u2028", "\u0085", "\x0c", "\x0b")
        ),
        (
            {"query": f'SELECT ?a {{ BIND("a\\u005C" AS ?x) SERVICE <{url}/sparql> {{ ?a ?b ?c }} BIND("b" AS ?y) }}'},
            400,
        ),
    ]


def test_queries_on_the_command_line_never_connect(tmp_path: Path, listener: Listener, outbound: list[object]) -> None:
    project = project_with(tmp_path, imports(listener.url))
    for params, status in queries(listener.url):
        result = run("query", params["query"], "--project", str(project))
        assert result.exit_code == (0 if status == 200 else 2), (params, result.output)
        assert FETCHED not in result.output
    assert listener.connections == []
    assert outbound == []


def test_the_server_never_connects(tmp_path: Path, listener: Listener) -> None:
    """SPARQL over every protocol form, and every kind of page of the site, of a project that names the listener."""
    project = project_with(tmp_path, imports(listener.url))
    url = listener.url
    with live_server("--project", str(project)) as server:
        requests = [
            *((params, status) for params, status in queries(url)),
            ({"update": f"LOAD <{url}/data.ttl>"}, 403),
            ({"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": f"{url}/x", "named-graph-uri": f"{url}/y"}, 200),
        ]
        for params, status in requests:
            for response in (httpx.post(server.url, data=params), httpx.get(server.url, params=params)):
                assert response.status_code == status, (params, response.text)
                assert FETCHED not in response.text
        site = f"http://127.0.0.1:{server.port}"
        pages = [
            "/",
            "/ontology",
            "/shapes",
            "/downloads",
            "/id/place/tokyo",
            "/source/mini",
            "/sparql",
            "/downloads/rit-graph.jsonld",
            "/downloads/catalog.ttl",
            f"/id/place/{url}",
        ]
        for page in pages:
            for accept in ("text/html", "text/turtle", "application/ld+json", "application/rdf+xml"):
                response = httpx.get(site + page, headers={"Accept": accept})
                assert response.status_code < 500, (page, accept)
                assert FETCHED not in response.text
    assert listener.connections == []


# The pool is made in the test process, which has threads (the listener's, pytest-xdist's): the warning that
# its fork server is forked from them is right, and beside the point here.
@pytest.mark.filterwarnings("ignore:the query pool's fork server is forked:RuntimeWarning")
def test_a_query_worker_cannot_connect_even_if_the_check_were_wrong(listener: Listener) -> None:
    """A SERVICE query handed to a worker as if it had passed the check: the kernel refuses the worker a socket."""
    query = CheckedQuery(f"SELECT * {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}", Form.SELECT, False)

    async def ask() -> Answer:
        pool = QueryPool(ox.Store(), Limits(workers=1, timeout=10))
        try:
            return await pool.run(Request(query, "json"), "127.0.0.1")
        finally:
            pool.close()

    with pytest.raises(QueryError, match="Permission denied"):
        asyncio.run(ask())
    assert listener.connections == []


# VT is refused as input before anything runs: XML cannot carry it (exit 2).
@pytest.mark.parametrize(("separator", "status"), [("\\u2028", 0), ("\\u0085", 0), ("\\f", 0), ("\\u000B", 2)])
def test_a_shape_whose_service_stays_in_a_comment_validates_without_connecting(
    tmp_path: Path, listener: Listener, separator: str, status: int
) -> None:
    """Characters that end no comment in either parser keep SERVICE in it; the shape runs, and connects nowhere."""
    shapes = (
        """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <shapes#Commented> a sh:NodeShape ; sh:targetClass <ontology#Country> ;
            sh:sparql [ a sh:SPARQLConstraint ; sh:message "commented" ;
                sh:select """
        f'"SELECT $this WHERE {{ $this <urn:x:none> ?o . #{separator} '
        f'SERVICE <{listener.url}/sparql> {{ ?a ?b ?c }} \\n }}" ] .'
    )
    project = project_with(tmp_path, {"shapes/commented.ttl": shapes})
    result = run("validate", "--no-cache", "--project", str(project))
    assert result.exit_code == status, result.output
    assert listener.connections == []
