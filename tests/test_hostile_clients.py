"""What one client can cost the server: bounded time, memory, bytes and workers, whatever it sends or fails to read.

Each attack found by trying the server as an attacker would is repeated here
against a real ``rit-graph serve`` on loopback, with small limits so that each
bound is reached in seconds. Clients on other loopback addresses (127.0.0.2
and up) stand for other machines.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, eventually, live_server

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MEMORY_HUNGRY = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"
CHEAP = "ASK { <http://example.org/s1> ?p ?o }"
#: Twelve megabytes of N-Triples, far more than the socket buffers hold.
LARGE = "CONSTRUCT { ?a <http://example.org/q> ?b } WHERE { ?a ?x ?y . ?b ?z ?w } LIMIT 200000"
TIMEOUT = 1
READ_TIMEOUT = 1
SEND_TIMEOUT = 1


@pytest.fixture(scope="module")
def server(cross_join_data: Path) -> Iterator[LiveServer]:
    with live_server(
        "--data",
        str(cross_join_data),
        "--timeout",
        str(TIMEOUT),
        "--workers",
        "2",
        "--max-query-memory",
        "128",
        "--max-result-bytes",
        "30000000",
        "--read-timeout",
        str(READ_TIMEOUT),
        "--send-timeout",
        str(SEND_TIMEOUT),
        "--result-cache-bytes",
        "0",
    ) as running:
        yield running


def client(address: str = "127.0.0.1") -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=120)


def raw(server: LiveServer, request: bytes, wait: float = 30) -> bytes:
    """What the server sends back to REQUEST, read until it closes the connection."""
    received = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as connection:
        try:
            connection.sendall(request)
            while chunk := connection.recv(65536):
                received += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass
    return received


def status(response: bytes) -> int | None:
    found = re.match(rb"HTTP/1\.[01] (\d{3}) ", response)
    return int(found.group(1)) if found else None


def test_a_query_that_needs_too_much_memory_is_stopped_and_its_worker_replaced(server: LiveServer) -> None:
    before = server.worker_pids()
    with client() as http:
        response = http.get(server.url, params={"query": MEMORY_HUNGRY})
        assert response.status_code == 503, response.text
        assert "needed more memory than the limit of 128 MiB" in response.text
        eventually(lambda: len(server.worker_pids()) == 2 and server.worker_pids() != before, "the worker is replaced")
        assert http.get(server.url, params={"query": CHEAP}).json()["boolean"] is True


def test_expensive_queries_from_other_clients_leave_cheap_ones_a_worker(server: LiveServer) -> None:
    """Three clients keep sending queries that run to the time limit; a fourth's known-quick queries all pass."""
    with client() as http:
        assert http.get(server.url, params={"query": CHEAP}).status_code == 200  # now known to be quick
    stop = threading.Event()

    def flood(address: str) -> list[int]:
        statuses = []
        with client(address) as attacker:
            while not stop.is_set():
                statuses.append(attacker.get(server.url, params={"query": CROSS_JOIN}).status_code)
        return statuses

    with ThreadPoolExecutor(3) as executor:
        floods = [executor.submit(flood, f"127.0.0.{n}") for n in (2, 3, 4)]
        with client() as http:
            answers = [http.get(server.url, params={"query": CHEAP}) for _ in range(30)]
        time.sleep(4 * TIMEOUT)  # every attacker has had a worker for its time limit
        # A text never seen before, from a new address, goes before the attackers who used the worker.
        with client("127.0.0.5") as newcomer:
            fresh = newcomer.get(server.url, params={"query": "ASK { ?s ?p 'fresh' }"})
        stop.set()
        flooded = [s for f in floods for s in f.result()]
    assert [a.status_code for a in answers] == [200] * 30
    assert fresh.status_code == 200, fresh.text
    assert set(flooded) <= {503}
    eventually(lambda: len(server.worker_pids()) == 2, "the workers come back to two")


def test_texts_that_are_slow_to_check_cost_only_their_sender(server: LiveServer) -> None:
    """100 KB of operators with the letters of SERVICE in a comment must be parsed by rdflib: in a worker, in turn."""
    pathological = "ASK { FILTER(" + "1+" * 45_000 + "1) } # service"
    # Each sender has had a slow text checked before, as attackers have by the time they matter. A worker
    # goes to the client that used the workers least lately: senders that had used none would tie with the
    # newcomer, and the test would pass only after another test had charged their addresses on this server.
    # Each text is new (a text refused once is refused again without a worker).
    for address in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
        with client(address) as http:
            http.post(
                server.url,
                content=f"{pathological} sent before by {address}".encode(),
                headers={"Content-Type": "application/sparql-query"},
            )

    def send(address: str) -> httpx.Response:
        with client(address) as http:
            return http.post(
                server.url, content=pathological.encode(), headers={"Content-Type": "application/sparql-query"}
            )

    with ThreadPoolExecutor(3) as executor:
        slow = [executor.submit(send, a) for a in ("127.0.0.2", "127.0.0.3", "127.0.0.4")]
        time.sleep(0.5)
        with client("127.0.0.6") as http:
            fresh = http.get(server.url, params={"query": "SELECT * { ?s ?p 'new text' } LIMIT 1"})
        refused = [s.result() for s in slow]
    assert fresh.status_code == 200, fresh.text
    assert {r.status_code for r in refused} <= {503, 400}, [r.text for r in refused]
    eventually(lambda: len(server.worker_pids()) == 2, "the workers come back to two")


def test_queues_are_bounded_per_client_with_retry_after(server: LiveServer) -> None:
    with ThreadPoolExecutor(24) as executor, client("127.0.0.7") as http:
        responses = list(
            executor.map(lambda n: http.get(server.url, params={"query": f"{CROSS_JOIN} # {n}"}), range(24))
        )
    busy = [r for r in responses if "too many queries are waiting" in r.text]
    assert busy, [r.text for r in responses]
    assert all(r.status_code == 503 and int(r.headers["Retry-After"]) >= 1 for r in busy)
    eventually(lambda: len(server.worker_pids()) == 2, "the workers come back to two")


def test_a_url_or_headers_too_large_are_refused_before_they_are_buffered(server: LiveServer) -> None:
    long_url = b"GET /sparql?query=" + b"a" * 400_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert status(raw(server, long_url)) == 414
    # Past what uvicorn's URL parser takes (65,535 bytes), and small enough to arrive in one read.
    past_the_parser = b"GET /sparql?query=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert status(raw(server, past_the_parser)) == 414
    big_header = b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 2_000_000 + b"\r\n\r\n"
    assert status(raw(server, big_header)) == 431


def test_a_head_that_does_not_arrive_in_time_gets_408(server: LiveServer) -> None:
    started = time.monotonic()
    slowloris = raw(server, b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-a: b\r\n")  # never ends its headers
    assert status(slowloris) == 408
    assert time.monotonic() - started < 30  # the connection was closed by the server, not the client
    assert status(raw(server, b"")) == 408  # a connection that sends nothing


def test_a_body_that_does_not_arrive_in_time_gets_408(server: LiveServer) -> None:
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK"
    )
    assert status(raw(server, request)) == 408


def test_a_client_that_does_not_read_its_answer_is_dropped(server: LiveServer) -> None:
    """Its answer (12 MB) stays in the server only until the send timeout."""
    target = "/sparql?" + httpx.QueryParams({"query": LARGE, "format": "ntriples"}).__str__()
    with socket.socket() as connection:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.connect(("127.0.0.1", server.port))
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(SEND_TIMEOUT + TIMEOUT)
        received = 0
        connection.settimeout(30)
        try:
            while chunk := connection.recv(1 << 20):
                received += len(chunk)
        except ConnectionResetError:
            pass
    assert 0 < received < 12_000_000
    with client() as http:
        assert http.get(server.url, params={"query": CHEAP}).status_code == 200


@pytest.mark.parametrize("host", [b"%", b"a%2", b"%zz", b"[::1", b"exa mple"])
def test_host_headers_that_make_no_iri_get_400(server: LiveServer, host: bytes) -> None:
    answer = raw(server, b"GET /sparql HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
    assert status(answer) is not None and status(answer) < 500, answer[:300]  # type: ignore[operator]


def test_escapes_past_the_last_code_point_get_400(server: LiveServer) -> None:
    with client() as http:
        response = http.get(server.url, params={"query": "ASK { ?s ?p '\\U00110000' }"})
    assert response.status_code == 400
    assert "not a Unicode character" in response.text


def test_answers_of_rand_and_now_are_never_repeated(server: LiveServer) -> None:
    query = "SELECT (RAND() AS ?r) (STRUUID() AS ?u) {}"
    with client() as http:
        answers = [http.get(server.url, params={"query": query}) for _ in range(2)]
    assert answers[0].json() != answers[1].json()
    assert all("hit" not in a.headers.get("Cache-Status", "") for a in answers)


def test_the_query_page_varies_by_accept(server: LiveServer) -> None:
    with client() as http:
        page = http.get(server.url, headers={"Accept": "text/html"})
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Accept" in page.headers["Vary"]


def test_a_client_that_leaves_frees_its_worker(cross_join_data: Path) -> None:
    """Under a time limit of ten minutes, the worker is replaced as soon as its client has gone."""
    with live_server("--data", str(cross_join_data), "--timeout", "600", "--workers", "1") as running:
        before = running.worker_pids()
        with socket.create_connection(("127.0.0.1", running.port)) as connection:
            target = "/sparql?" + str(httpx.QueryParams({"query": CROSS_JOIN}))
            connection.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            time.sleep(0.5)
        eventually(lambda: running.worker_pids() and running.worker_pids() != before, "the worker is replaced")
        with client() as http:
            assert http.get(running.url, params={"query": CHEAP}).status_code == 200


@pytest.mark.parametrize("chain", ["1+" * 49_000 + "1", "||".join(["1"] * 30_000)])
def test_a_query_the_engine_cannot_evaluate_ends_its_worker_not_the_server(server: LiveServer, chain: str) -> None:
    """pyoxigraph recurses on long chains of operators: its worker crashes (400) or runs out of time (503)."""
    with client() as http:
        response = http.post(
            server.url,
            content=f"ASK {{ FILTER({chain}) }}".encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        assert response.status_code in (400, 503), response.text
        assert "the query worker ended on this query" in response.text or "time limit" in response.text
        eventually(lambda: len(server.worker_pids()) == 2, "the worker is replaced")
        assert http.get(server.url, params={"query": CHEAP}).json()["boolean"] is True


def test_no_answer_may_be_sniffed_as_a_page(server: LiveServer) -> None:
    with client() as http:
        for response in (
            http.get(server.url, params={"query": "ASK {"}),
            http.get(server.url, params={"query": CHEAP}),
        ):
            assert response.headers["X-Content-Type-Options"] == "nosniff"
