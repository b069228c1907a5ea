"""The result cache: identical requests answered again from memory, never from a store whose data can change."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from live_server import LiveServer, live_server
from oxigraph_server import oxigraph_server
from store_checks import MINI_LABEL, relabel

from rit_graph.cli import cli
from rit_graph.corpus.project import Project
from rit_graph.query import sparql

COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
HIT, MISS, STORED = "rit-graph; hit", "rit-graph; fwd=miss", "rit-graph; fwd=miss; stored"


@pytest.fixture(scope="module")
def server(mini_project: Project) -> Iterator[LiveServer]:
    with live_server("--project", str(mini_project.root), "--timeout", "1") as running:
        yield running


def ask(server: LiveServer, text: str, **params: str) -> httpx.Response:
    """A GET of TEXT with PARAMS (e.g. format, default-graph-uri), answered with 200."""
    response = httpx.get(server.url, params={"query": text, **params}, timeout=60)
    assert response.status_code == 200, response.text
    return response


def cache_status(response: httpx.Response) -> str | None:
    return response.headers.get("cache-status")


@contextlib.contextmanager
def stopped(pids: set[int]) -> Iterator[None]:
    """The processes PIDS stopped (SIGSTOP) while the block runs: alive, but answering nothing."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def test_a_repeated_query_is_answered_from_the_cache_without_asking_a_worker(server: LiveServer) -> None:
    text = "SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 5"
    first = ask(server, text)
    assert cache_status(first) == STORED
    with stopped(server.worker_pids()):
        again = ask(server, text)
        not_cached = httpx.get(server.url, params={"query": COUNT + " LIMIT 1"}, timeout=60)
    assert cache_status(again) == HIT
    assert (again.content, again.headers["content-type"]) == (first.content, first.headers["content-type"])
    assert not_cached.status_code == 503, "with the workers stopped, only the cache can answer"


def test_each_format_and_each_set_of_graphs_is_an_entry_of_its_own(server: LiveServer) -> None:
    text = "SELECT ?label { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
    graph = "https://example.org/kb/graph/reference"
    json_accept = {"Accept": "application/sparql-results+json"}
    steps = [
        (ask(server, text, format="json"), STORED),
        (httpx.get(server.url, params={"query": text}, headers=json_accept), HIT),  # the same format, negotiated
        (ask(server, text, format="xml"), STORED),
        (ask(server, text, format="csv"), STORED),
        (ask(server, text, format="json", **{"default-graph-uri": graph}), STORED),
        (ask(server, text, format="json", **{"named-graph-uri": graph}), STORED),
        (ask(server, text, format="xml"), HIT),
    ]
    assert [cache_status(response) for response, _ in steps] == [status for _, status in steps]
    assert steps[0][0].content == steps[1][0].content
    assert steps[0][0].content != steps[4][0].content, "the reference graph alone has fewer labels"


def test_the_byte_bound_keeps_the_most_recently_used_answers() -> None:
    def entry(number: int) -> tuple[sparql.Request, sparql.Answer]:
        query = sparql.CheckedQuery(f"ASK {{ ?s ?p {number:02} }}", sparql.Form.ASK, False)
        return sparql.Request(query, "json"), sparql.Answer("application/sparql-results+json", b"x" * 700)

    entries = [entry(n) for n in range(17)]
    cost = len(entries[0][1].body) + len(entries[0][0].query.text) + sparql.ResultCache.OVERHEAD
    cache = sparql.ResultCache(16 * cost)  # room for 16 entries
    for request, answer in entries[:16]:
        assert cache.put(request, answer)
    assert cache.get(entries[0][0]) == entries[0][1], "the first entry is now the most recently used"
    assert cache.put(*entries[16])
    assert (len(cache), cache.size) == (16, 16 * cost)
    assert cache.get(entries[1][0]) is None, "the least recently used entry went"
    assert all(cache.get(request) == answer for request, answer in (entries[0], *entries[2:]))


def test_answers_larger_than_a_sixteenth_of_the_cache_are_not_kept() -> None:
    query = sparql.CheckedQuery("SELECT * { ?s ?p ?o }", sparql.Form.SELECT, False)
    request = sparql.Request(query, "json")
    cache = sparql.ResultCache(16_000)
    assert not cache.put(request, sparql.Answer("application/sparql-results+json", b"x" * 1_000))
    assert cache.get(request) is None and cache.size == 0


def test_large_answers_and_errors_are_not_stored_and_size_0_turns_the_cache_off(mini_project: Project) -> None:
    root = str(mini_project.root)
    small = ("--result-cache-bytes", "16000", "--max-result-bytes", "100000")
    with live_server("--project", root, *small) as server:
        statuses = [cache_status(ask(server, COUNT)) for _ in range(2)]
        statuses += [cache_status(ask(server, "SELECT * { ?s ?p ?o } LIMIT 10")) for _ in range(2)]  # 2.3 kB
        too_large = [httpx.get(server.url, params={"query": "SELECT * { ?s ?p ?o }"}) for _ in range(2)]  # 186 kB
    assert statuses == [STORED, HIT, MISS, MISS]
    assert [(r.status_code, cache_status(r)) for r in too_large] == [(400, None)] * 2
    assert "larger than the limit" in too_large[1].text
    with live_server("--project", root, "--result-cache-bytes", "0") as off:
        assert [cache_status(ask(off, COUNT)) for _ in range(2)] == [None, None]


def test_an_external_store_is_never_cached(mini_project: Project, tmp_path: Path) -> None:
    graph = "https://example.org/changing"
    text = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> {{ ?s ?p ?o }}"

    def put(store_url: str, triples: int) -> None:
        body = "".join(f"<https://example.org/s{n}> <https://example.org/p> {n} .\n" for n in range(triples))
        response = httpx.put(store_url, params={"graph": graph}, content=body, headers={"Content-Type": "text/turtle"})
        assert response.is_success, response.text

    counts = []
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(oxigraph_server(tmp_path))
        published = CliRunner().invoke(cli, ["publish", "--project", str(mini_project.root), "--to", store.store_url])
        assert published.exit_code == 0, published.output
        server = stack.enter_context(live_server("--project", str(mini_project.root), "--store", store.query_url))
        for triples in (1, 2):
            put(store.store_url, triples)
            response = ask(server, text, format="csv")
            assert cache_status(response) is None
            counts.append(response.text.split()[1])
    assert counts == ["1", "2"], "the second answer shows the change made behind the server's back"


def test_a_reloaded_disk_store_is_not_answered_from_the_previous_cache(mini_folder: Path, tmp_path: Path) -> None:
    serve = ("--project", str(mini_folder), "--store", str(tmp_path / "store"))
    with live_server(*serve) as first:
        before = [ask(first, MINI_LABEL, format="csv") for _ in range(2)]
    relabel(mini_folder)
    with live_server(*serve) as second:
        after = ask(second, MINI_LABEL, format="csv")
        assert "quads, loaded" in second.log.read_text()
    assert [cache_status(r) for r in (*before, after)] == [STORED, HIT, STORED]
    assert "A small test announcement" in before[1].text
    assert "A renamed test announcement" in after.text and "A small test announcement" not in after.text
