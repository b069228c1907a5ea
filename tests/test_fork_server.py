"""The query workers are forked by a fork server without threads, never by the running server.

The server has threads once it serves (anyio's, for its sync endpoints), and a
process forked from it may inherit a lock one of them held and hang (Python
3.12 warns about it). The pool forks one fork server when it is created, and
every worker, the first ones and each replacement, comes from it.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import LiveServer, children, eventually, live_server, wait_until_ended

from rit_graph.corpus.load import Corpus
from rit_graph.query import sparql
from rit_graph.query.querypool import QueryPool
from rit_graph.runtime import forking
from rit_graph.serve.linkeddata import LinkedData

#: Runs far past a time limit of a second on cross_join_data.
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { <http://example.org/s1> ?p ?o }"


@pytest.fixture(scope="module")
def server(cross_join_data: Path) -> Iterator[LiveServer]:
    with live_server("--data", str(cross_join_data), "--timeout", "1", "--workers", "2") as running:
        eventually(lambda: len(running.worker_pids()) == 2, "the workers have started")
        yield running


def parent_of(pid: int) -> int:
    text = Path(f"/proc/{pid}/stat").read_text()
    return int(text[text.rindex(")") + 2 :].split()[1])


def threads_of(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def test_the_workers_are_the_children_of_a_fork_server_with_one_thread(server: LiveServer) -> None:
    fork_server = server.fork_server_pid()
    assert children(server.process.pid) == {fork_server}
    assert parent_of(fork_server) == server.process.pid
    assert {parent_of(worker) for worker in server.worker_pids()} == {fork_server}
    assert threads_of(fork_server) == 1


def test_a_worker_replaced_after_a_timeout_is_forked_by_the_fork_server(server: LiveServer) -> None:
    fork_server, before = server.fork_server_pid(), server.worker_pids()
    with httpx.Client(timeout=60) as http:
        http.get(server.url, params={"query": CHEAP})  # a sync endpoint's thread, among others, runs by now
        response = http.get(server.url, params={"query": CROSS_JOIN})
        assert response.status_code == 503 and "time limit" in response.text, response.text
        eventually(lambda: len(server.worker_pids() - before) == 1, "the stopped worker is replaced")
        assert http.get(server.url, params={"query": CHEAP}).json()["boolean"] is True
    (replacement,) = server.worker_pids() - before
    assert parent_of(replacement) == fork_server == server.fork_server_pid()
    assert threads_of(fork_server) == 1, "the fork server forked it from a process with one thread"


def test_killing_the_server_ends_the_fork_server_and_the_workers(cross_join_data: Path) -> None:
    with live_server("--data", str(cross_join_data), "--timeout", "3600", "--workers", "2") as running:
        eventually(lambda: len(running.worker_pids()) == 2, "the workers have started")
        processes = {running.fork_server_pid(), *running.worker_pids()}
        query = threading.Thread(target=_quietly, args=(running.url, CROSS_JOIN))  # a worker is busy
        query.start()
        running.process.send_signal(signal.SIGKILL)
        running.process.wait()
        query.join()
    wait_until_ended(processes)


def _quietly(url: str, query: str) -> None:
    try:
        httpx.get(url, params={"query": query}, timeout=None)
    except httpx.TransportError:
        pass


#: A pool created in a fresh process: no warning of forking from threads, whether this Python's
#: (3.12 and later: DeprecationWarning) or the pool's own (RuntimeWarning).
FRESH_POOL = """
import asyncio, os, warnings
import pyoxigraph as ox
from rit_graph.query import sparql
from rit_graph.query.querypool import QueryPool

warnings.filterwarnings("error", message=".*fork")

async def main():
    pool = QueryPool(ox.Store(), sparql.Limits(workers=2, timeout=10))
    try:
        answer = await pool.run(sparql.Request(sparql.check("ASK {}"), "json"), "client")
        assert b"true" in answer.body, answer
    finally:
        pool.close()

asyncio.run(main())
"""


def test_a_pool_created_before_any_thread_forks_without_warning() -> None:
    done = subprocess.run([sys.executable, "-c", FRESH_POOL], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_pool_created_while_a_thread_runs_warns() -> None:
    running = threading.Event()
    thread = threading.Thread(target=running.wait)
    thread.start()

    async def create() -> None:
        QueryPool(None, sparql.Limits(workers=1, timeout=10)).close()

    try:
        with pytest.warns(RuntimeWarning, match="fork server is forked from a process with [0-9]+ threads"):
            asyncio.run(create())
    finally:
        running.set()
        thread.join()


def test_the_downloads_are_written_without_forking_from_the_server(
    mini_corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server writes them on first request, from one of its threads: with workers, it would fork there."""
    site = LinkedData(mini_corpus)

    def forked(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the downloads were written by forked workers")

    monkeypatch.setattr(forking, "ProcessPoolExecutor", forked)
    assert "catalog.ttl" in site.downloads
