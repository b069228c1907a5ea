"""Run a real Oxigraph server (the ``oxigraph`` package's binary) on a free loopback port, for tests."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from live_server import free_port, running

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
#: Oxigraph's own limit on a query, so that a query the tests give up on does not keep a core busy.
SERVER_TIMEOUT_S = 10


@dataclass(frozen=True)
class OxigraphServer:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint."""
        return self.url + "/store"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 query endpoint."""
        return self.url + "/query"

    def graph_ntriples(self, iri: str) -> str | None:
        """A graph's triples as N-Triples, read with the Graph Store Protocol; None if the store has no such graph."""
        response = httpx.get(self.store_url, params={"graph": iri}, headers={"Accept": "application/n-triples"})
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.text

    def graphs(self) -> set[str]:
        response = httpx.post(
            self.query_url,
            data={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "text/csv"},
        )
        assert response.status_code == 200, response.text
        return set(response.text.split()[1:])


@contextlib.contextmanager
def oxigraph_server(location: Path) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` with its data in LOCATION, wait until it answers, and stop it afterwards."""
    if not OXIGRAPH.exists():
        raise RuntimeError(
            f"{OXIGRAPH} is missing: install the test extra (pip install -e '.[test]'), which has oxigraph"
        )
    port = free_port()
    command = [
        str(OXIGRAPH),
        "serve",
        "--location",
        str(location / "data"),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout-s",
        str(SERVER_TIMEOUT_S),
    ]
    log = location / "oxigraph.log"
    with running(command, log, f"http://127.0.0.1:{port}/query?query=ASK%20%7B%7D") as process:
        yield OxigraphServer(process, port, log)
