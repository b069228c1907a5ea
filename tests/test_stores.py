"""--store: the same answers from a store on disk and from an external SPARQL store, under the same rules."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result
from helpers import assert_isomorphic
from http_recorder import RecordingStore
from live_server import LiveServer, free_port, live_server
from oxigraph_server import OxigraphServer, oxigraph_server
from projects import ROOT
from store_checks import BY_GRAPH, JSON_RESULTS, MINI_LABEL, comparable, csv_of, current, query, relabel

from rit_graph.cli import cli
from rit_graph.query import sparql
from rit_graph.stores import CURRENT, MANIFEST, open_disk
from rit_graph.stores.remote import TOKEN_VARIABLE

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
UNION = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
KITAKYUSHU = "CONSTRUCT WHERE { <id/place/kitakyushu> ?p ?o }"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) {FROM} { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def rows(response: httpx.Response, ordered: bool = True) -> list[tuple[str, ...]]:
    """A result set as rows of terms; blank nodes, whose labels are the store's own, as _:b."""
    assert response.status_code == 200, response.text
    results = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
    if isinstance(results, ox.QueryBoolean):
        return [(str(bool(results)),)]
    assert isinstance(results, ox.QuerySolutions)
    found = [tuple(comparable(s[v]) for v in results.variables) for s in results]
    return found if ordered else sorted(found)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def published(oxigraph: OxigraphServer) -> OxigraphServer:
    result = run("publish", "--project", str(ROOT), "--to", oxigraph.store_url)
    assert result.exit_code == 0, result.output
    return oxigraph


@pytest.fixture(scope="module")
def remote(published: OxigraphServer) -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT), "--store", published.query_url, "--timeout", "60") as running:
        yield running


@pytest.fixture(scope="module")
def memory() -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT), "--timeout", "60") as running:
        yield running


# --- an external store ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [BY_GRAPH, UNION, *(p.read_text(encoding="utf-8") for p in QUERIES)],
    ids=["by-graph", "union", *(p.stem for p in QUERIES)],
)
def test_an_external_store_answers_as_the_memory_store(remote: LiveServer, memory: LiveServer, text: str) -> None:
    ordered = "ORDER BY" in text.upper()
    expected = rows(query(memory, text), ordered)
    assert expected, "the query finds something"
    assert rows(query(remote, text), ordered) == expected


@pytest.mark.parametrize("media_type", ["application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_an_external_store_answers_in_every_result_format(
    remote: LiveServer, memory: LiveServer, media_type: str
) -> None:
    got, expected = query(remote, BY_GRAPH, Accept=media_type), query(memory, BY_GRAPH, Accept=media_type)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].split(";")[0] == media_type
    assert got.text == expected.text


@pytest.mark.parametrize("name, rdflib_format", [("turtle", "turtle"), ("jsonld", "json-ld"), ("rdfxml", "xml")])
def test_an_external_store_gives_graphs_with_relative_iris_resolved(
    remote: LiveServer, memory: LiveServer, name: str, rdflib_format: str
) -> None:
    got = httpx.get(remote.url, params={"query": KITAKYUSHU, "format": name})
    expected = httpx.get(memory.url, params={"query": KITAKYUSHU, "format": name})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == expected.headers["content-type"]
    graph = rdflib.Graph().parse(data=got.text, format=rdflib_format)
    assert len(graph) > 5
    assert_isomorphic(rdflib.Graph().parse(data=expected.text, format=rdflib_format), graph, name)


def test_an_external_store_serves_the_site_and_describes_the_projects_graphs(
    remote: LiveServer, memory: LiveServer
) -> None:
    page = httpx.get(remote.url.removesuffix("/sparql") + "/id/place/kitakyushu", headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    assert (
        page.text
        == httpx.get(
            memory.url.removesuffix("/sparql") + "/id/place/kitakyushu", headers={"Accept": "text/turtle"}
        ).text
    )
    names = "SELECT ?g { ?s <http://www.w3.org/ns/sparql-service-description#name> ?g } ORDER BY ?g"

    def described(server: LiveServer) -> list[str]:
        graph = rdflib.Graph().parse(data=httpx.get(server.url).text, format="turtle")
        return [str(r[0]) for r in graph.query(names)]  # type: ignore[index]

    assert described(remote) == described(memory)


def test_refused_queries_never_reach_the_store() -> None:
    with RecordingStore() as store, live_server("--project", str(ROOT), "--store", store.url + "/query") as server:
        checks = [r.params["query"][0].splitlines()[-1] for r in store.requests]
        assert checks == ["ASK { ?s ?p ?o }"], "one check at start"
        store.requests.clear()
        refused = [
            httpx.get(server.url, params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}),
            httpx.get(
                server.url, params={"query": "SELECT * { { SELECT * { SERVICE SILENT <http://x/> { ?s ?p ?o } } } }"}
            ),
            httpx.post(server.url, data={"update": "CLEAR ALL"}),
            httpx.post(server.url, content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}),
            httpx.get(server.url, params={"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}),
            httpx.post(server.url, data={"query": "LOAD <http://example.org/data.ttl>"}),
        ]
        assert [r.status_code for r in refused] == [403] * len(refused)
        assert store.requests == []
        assert query(server, "ASK { ?s ?p ?o }").status_code == 200
        assert len(store.requests) == 1, "a query that passes the checks does reach the store"


def test_an_update_through_the_endpoint_leaves_the_real_store_unchanged(
    remote: LiveServer, published: OxigraphServer
) -> None:
    triple = "<http://example.org/intruder> <http://example.org/p> <http://example.org/o>"
    response = httpx.post(remote.url, data={"query": f"INSERT DATA {{ GRAPH <http://example.org/g> {{ {triple} }} }}"})
    assert response.status_code == 403
    assert "read-only" in response.text
    direct = httpx.post(published.query_url, data={"query": f"ASK {{ GRAPH ?g {{ {triple} }} }}"}, headers=JSON_RESULTS)
    assert direct.json()["boolean"] is False


def test_the_limits_hold_for_an_external_store(published: OxigraphServer) -> None:
    slow = "http://example.org/test/slow"
    triples = "".join(f'<http://example.org/s{i}> <http://example.org/p> "value {i}" .\n' for i in range(3_000))
    put = httpx.put(
        published.store_url,
        params={"graph": slow},
        content=triples.encode(),
        headers={"Content-Type": "application/n-triples"},
    )
    assert put.status_code in (201, 204)
    try:
        with live_server(
            "--project", str(ROOT), "--store", published.query_url, "--timeout", "1", "--max-result-bytes", "5000"
        ) as server:
            stopped = query(server, CROSS_JOIN.replace("{FROM}", f"FROM <{slow}>"))
            assert stopped.status_code == 503, stopped.text
            assert "time limit of 1 s" in stopped.text
            large = httpx.get(server.url, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
            assert large.status_code == 400
            assert "larger than the limit of 5000 bytes" in large.text
            assert query(server, "ASK { ?s ?p ?o }").status_code == 200, "the endpoint goes on answering"
    finally:
        httpx.delete(published.store_url, params={"graph": slow})


def test_the_stores_errors_come_back_as_clear_4xx_or_502(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, "s3cret-token")
    with RecordingStore() as store, live_server("--project", str(ROOT), "--store", store.url + "/query") as server:
        assert {r.headers.get("authorization") for r in store.requests} == {"Bearer s3cret-token"}
        cases = [
            (
                400,
                b"Parser error at 1:7",
                "text/plain",
                400,
                "refused the query (400 Bad Request: Parser error at 1:7)",
            ),
            (500, b"disk full", "text/plain", 502, "failed (500 Internal Server Error: disk full)"),
            (401, b"", "text/plain", 502, "refused rit-graph's credentials (401"),
            (404, b"", "text/plain", 502, "does not answer SPARQL queries there"),
            (302, b"", "text/plain", 502, "redirects to another address (302)"),
            (200, b"<html>hello</html>", "text/html", 502, "answered in text/html, which rit-graph cannot read"),
        ]
        for status, body, media_type, expected, message in cases:
            store.query_status, store.query_body, store.query_type = status, body, media_type
            response = query(server, "ASK { ?s ?p ?o }")
            assert response.status_code == expected, response.text
            assert message in response.text
            assert "Traceback" not in response.text
        log = server.log.read_text()
    assert "s3cret" not in log


def test_an_answer_in_another_format_is_converted() -> None:
    with RecordingStore() as store, live_server("--project", str(ROOT), "--store", store.url + "/query") as server:
        store.query_body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1"}}]}}'
        response = query(server, "SELECT ?x { ?s ?p ?x }", Accept="text/tab-separated-values")
        assert response.status_code == 200, response.text
        assert response.text.split() == ["?x", '"1"']
        assert (
            store.requests[-1]
            .headers["accept"]
            .startswith("text/tab-separated-values, application/sparql-results+json")
        )


def test_serve_refuses_to_start_on_a_store_it_cannot_query(published: OxigraphServer) -> None:
    nobody = run("serve", "--project", str(ROOT), "--store", f"http://127.0.0.1:{free_port()}/query")
    assert nobody.exit_code == 3, nobody.output
    assert "cannot reach the SPARQL store" in nobody.output
    graph_store = run("serve", "--project", str(ROOT), "--store", published.store_url)
    assert graph_store.exit_code == 3, graph_store.output
    assert "query endpoint (Oxigraph server: /query)" in graph_store.output
    with_data = run("serve", "--data", str(ROOT / "ontology" / "rit.ttl"), "--store", published.query_url)
    assert with_data.exit_code == 2
    assert "--data serves files on an embedded store" in with_data.output


def test_query_on_the_command_line_gives_the_same_answer_from_an_external_store(published: OxigraphServer) -> None:
    for args in (
        ["--file", str(ROOT / "queries" / "cluster-partnerships.rq"), "--format", "csv"],
        ["--file", str(ROOT / "queries" / "organisations.rq")],
        [BY_GRAPH],
        ["ASK { <id/place/kitakyushu> ?p ?o }"],
    ):
        expected = run("query", "--project", str(ROOT), *args)
        got = run("query", "--project", str(ROOT), "--store", published.query_url, *args)
        assert expected.exit_code == got.exit_code == 0, got.output
        assert got.output == expected.output
    described = run("query", "--project", str(ROOT), "--store", published.query_url, "DESCRIBE <id/place/kitakyushu>")
    local = run("query", "--project", str(ROOT), "DESCRIBE <id/place/kitakyushu>")
    assert_isomorphic(
        rdflib.Graph().parse(data=local.output, format="turtle"),
        rdflib.Graph().parse(data=described.output, format="turtle"),
    )
    unreachable = run("query", "--project", str(ROOT), "--store", f"http://127.0.0.1:{free_port()}/query", "ASK {}")
    assert unreachable.exit_code == 3
    assert "cannot reach the SPARQL store" in unreachable.output


# --- a store on disk --------------------------------------------------------------------------


def csv_rows(result: Result) -> list[list[str]]:
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.output)))


def labels(server: LiveServer) -> list[str]:
    return [r[0] for r in csv_of(server, MINI_LABEL)[1:]]


def test_a_disk_store_survives_a_restart_and_reloads_only_when_the_project_changed(
    mini_folder: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    serve = ("--project", str(mini_folder), "--store", str(store))
    in_memory = csv_rows(run("query", "--project", str(mini_folder), BY_GRAPH, "--format", "csv"))
    with live_server(*serve) as first:
        assert csv_of(first, BY_GRAPH) == in_memory
        assert "A small test announcement" in labels(first)
        assert "quads, loaded" in first.log.read_text()
    version, written, manifest = current(store)
    assert manifest["graphs"] == sorted(r[0] for r in in_memory[1:])

    with live_server(*serve) as second:
        assert csv_of(second, BY_GRAPH) == in_memory
        assert "unchanged since" in second.log.read_text()
    assert current(store)[:2] == (version, written), "an unchanged project is not loaded again"

    relabel(mini_folder)
    with live_server(*serve) as third:
        assert "A renamed test announcement" in labels(third)
        assert "A small test announcement" not in labels(third)
    new_version, _, new_manifest = current(store)
    assert new_version != version and new_manifest["digest"] != manifest["digest"]
    assert sorted(p.name for p in store.iterdir()) == sorted([".lock", CURRENT, new_version]), (
        "the old store was removed"
    )


def test_the_command_line_reads_the_same_disk_store(mini_folder: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    for text in (BY_GRAPH, MINI_LABEL):
        expected = run("query", "--project", str(mini_folder), text, "--format", "csv")
        assert (
            run("query", "--project", str(mini_folder), "--store", store, text, "--format", "csv").output
            == expected.output
        )
    assert len([p for p in Path(store).iterdir() if p.name.startswith("v-")]) == 1


def test_a_store_in_use_is_kept_while_another_process_reloads_the_folder(mini_folder: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    with live_server("--project", str(mini_folder), "--store", str(store)) as running:
        old = os.readlink(store / CURRENT)
        relabel(mini_folder)
        reloaded = run("query", "--project", str(mini_folder), "--store", str(store), MINI_LABEL, "--format", "csv")
        assert "A renamed test announcement" in reloaded.output
        assert os.readlink(store / CURRENT) != old
        assert (store / old / MANIFEST).exists(), "the running server's store is not removed under it"
        assert "A small test announcement" in labels(running)
    run("query", "--project", str(mini_folder), "--store", str(store), "ASK {}")
    assert not (store / old).exists(), "once nobody uses it, the next start removes it"


CRASH = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import pyoxigraph as ox
    from rit_graph.stores import open_disk

    class Crashing(list):
        '''Quads whose second reading (the load, after the digest) kills the process halfway through.'''
        readings = 0

        def __iter__(self):
            Crashing.readings += 1
            for i, quad in enumerate(list.__iter__(self)):
                if Crashing.readings == 2 and i == len(self) // 2:
                    os.kill(os.getpid(), signal.SIGKILL)
                yield quad

    p, g = ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/new")
    quads = (ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(str(i)), g) for i in range(5000))
    open_disk(Path(sys.argv[1]), Crashing(quads))
    """
)


def test_a_crash_while_loading_leaves_the_previous_store_in_use(tmp_path: Path) -> None:
    store = tmp_path / "store"
    old = [
        ox.Quad(
            ox.NamedNode("http://example.org/a"),
            ox.NamedNode("http://example.org/p"),
            ox.Literal("old"),
            ox.NamedNode("http://example.org/old"),
        )
    ]
    first = open_disk(store, old)
    first.close()
    crashed = subprocess.run([sys.executable, "-c", CRASH, str(store)], check=False, capture_output=True, timeout=120)
    assert crashed.returncode == -9, crashed.stderr.decode()
    assert [p.name for p in store.iterdir() if p.name.startswith(".loading-")], "the crash left a half-loaded folder"
    assert os.readlink(store / CURRENT) == first.path.name

    again = open_disk(store, old)
    assert not again.reloaded and again.path == first.path
    answer = again.answer(sparql.Request(sparql.check("SELECT ?o { GRAPH ?g { ?s ?p ?o } }"), "csv"))
    assert answer.body.decode("utf-8").split() == ["o", "old"]
    assert not [p.name for p in store.iterdir() if p.name.startswith(".loading-")], "leftovers are removed"
    again.close()


def test_a_folder_holding_other_files_is_not_taken_for_a_store(tmp_path: Path, mini_folder: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("query", "--project", str(mini_folder), "--store", str(tmp_path), "ASK {}")
    assert result.exit_code == 2
    assert "holds other files (notes.txt" in result.output and "new or empty folder" in result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_workers_open_the_disk_store_themselves_and_again_after_a_timeout(tmp_path: Path) -> None:
    data = tmp_path / "generated.nt"
    data.write_text(
        "".join(f'<http://example.org/s{i}> <http://example.org/p> "value {i}" .\n' for i in range(3_000)),
        encoding="utf-8",
    )
    store = tmp_path / "store"
    with live_server("--data", str(data), "--store", str(store), "--timeout", "1", "--workers", "1") as server:
        before = server.worker_pids()
        stopped = query(server, CROSS_JOIN.replace("{FROM}", ""))
        assert stopped.status_code == 503, stopped.text
        deadline = time.monotonic() + 30
        while server.worker_pids() == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.worker_pids() != before, "the stopped worker was replaced"
        assert csv_of(server, UNION) == [["n"], ["3000"]], "the new worker opened the store on disk"


def test_a_store_without_the_union_graph_is_refused_at_start_with_how_to_publish(tmp_path: Path) -> None:
    """A store published by a rit-graph older than the union graph, or holding other data, answers
    queries that name no graph from an empty graph: every count would be 0. It is refused at start."""
    with oxigraph_server(tmp_path) as older:
        put = httpx.put(
            older.store_url,
            params={"graph": "https://example.org/kb/id/announcement/mini"},
            content=b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n",
            headers={"Content-Type": "application/n-triples"},
        )
        assert put.status_code in (201, 204), put.text
        refused = run("query", "--project", str(ROOT), "--store", older.query_url, "ASK {}")
    assert refused.exit_code == 3
    assert "holds nothing in the graph" in refused.output
    assert "rit-graph publish" in refused.output
