"""The endpoint is read-only and bounds time, request and result size (test_no_outbound: it is closed too)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, eventually, live_server

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MAX_BODY = 2_000
MAX_RESULT = 5_000


@pytest.fixture(scope="module")
def server(cross_join_data: Path) -> Iterator[LiveServer]:
    with live_server(
        "--data",
        str(cross_join_data),
        "--timeout",
        "1",
        "--workers",
        "2",
        "--max-body-bytes",
        str(MAX_BODY),
        "--max-result-bytes",
        str(MAX_RESULT),
    ) as running:
        yield running


def test_updates_and_load_are_refused_as_read_only(server: LiveServer) -> None:
    refused = [
        httpx.post(server.url, data={"update": "CLEAR ALL"}),
        httpx.post(server.url, content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}),
        httpx.get(server.url, params={"update": "DROP ALL"}),
        httpx.get(server.url, params={"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}),
        httpx.post(server.url, data={"query": "LOAD <http://example.org/data.ttl>"}),
        httpx.post(
            server.url, content=b"DELETE WHERE { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"}
        ),
    ]
    for response in refused:
        assert response.status_code == 403
        assert "read-only" in response.text
    count = httpx.get(server.url, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "format": "csv"})
    assert count.text.split() == ["n", "3000"]


def test_a_query_past_its_time_limit_is_stopped_while_others_are_answered(server: LiveServer) -> None:
    workers_before = server.worker_pids()
    assert len(workers_before) == 2
    with ThreadPoolExecutor(1) as executor:
        slow = executor.submit(httpx.get, server.url, params={"query": CROSS_JOIN}, timeout=120)
        quick = httpx.get(server.url, params={"query": "ASK { <http://example.org/s1> ?p ?o }"}, timeout=120)
        assert quick.status_code == 200
        assert quick.json()["boolean"] is True
        stopped = slow.result()
    assert stopped.status_code == 503
    assert "stopped after the time limit of 1 s" in stopped.text
    # The worker is killed, and its replacement forked, just after the answer: wait for both.
    eventually(
        lambda: len(server.worker_pids()) == 2 and server.worker_pids() != workers_before,
        "the stopped worker is replaced",
    )
    workers_after = server.worker_pids()
    assert workers_before - workers_after, "the worker that ran the query was killed"
    for pid in workers_before - workers_after:
        eventually(lambda pid=pid: not Path(f"/proc/{pid}").exists(), "its process (and memory) is gone")
    for pid in workers_after - workers_before:
        # The fork copied the server's sockets; the new worker lets go of them as it starts.
        eventually(
            lambda pid=pid: len(_sockets(pid)) == 1,
            "the new worker holds its pipe, not the server's listening socket or connections",
        )
    again = httpx.get(server.url, params={"query": "ASK { <http://example.org/s2> ?p ?o }"})
    assert again.json()["boolean"] is True


def test_oversized_requests_get_413(server: LiveServer) -> None:
    padding = "#" + "x" * MAX_BODY + "\n"
    query = padding + "ASK {}"
    for response in (
        httpx.post(server.url, content=query.encode(), headers={"Content-Type": "application/sparql-query"}),
        httpx.post(server.url, data={"query": query}),
        httpx.get(server.url, params={"query": query}),
    ):
        assert response.status_code == 413
        assert f"larger than the limit of {MAX_BODY} bytes" in response.text
    fits = httpx.post(server.url, content=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert fits.status_code == 200


def test_oversized_results_get_a_clear_error(server: LiveServer) -> None:
    response = httpx.get(server.url, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert response.status_code == 400
    assert f"result is larger than the limit of {MAX_RESULT} bytes" in response.text
    small = httpx.get(server.url, params={"query": "SELECT * { ?s ?p ?o } LIMIT 5", "format": "tsv"})
    assert small.status_code == 200
    assert len(small.text.splitlines()) == 6


def _sockets(pid: int) -> list[Path]:
    """The sockets process PID holds open."""
    return [fd for fd in Path(f"/proc/{pid}/fd").iterdir() if fd.readlink().name.startswith("socket:")]
