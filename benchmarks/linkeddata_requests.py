"""How fast the server answers dereferenced IRIs, over real HTTP on loopback.

Times the app's start-up work (``LinkedData``: the page index and the in-memory
dumps for /downloads/), then, against ``rit-graph serve`` on a free port, the
median of sequential requests per kind: a negotiated HTML page, each RDF format,
a 304 revalidation, the home page, a browse page, a search and a 404 with its
close IRIs. Pages are rendered per request (nothing is cached), so these are the
figures a cache in front would save. With ``--synthetic N``, on a synthetic
project of N announcements (``benchmarks/synthetic.py``; 880 make a million
triples) instead of the repository's: the server path for a corpus whose
static site is too large to publish as files (README, "Static site or server").

    .venv/bin/python -m benchmarks.linkeddata_requests
    .venv/bin/python -m benchmarks.linkeddata_requests --synthetic 880
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.synthetic import make_project
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.serve.linkeddata import LinkedData

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def median_ms(client: httpx.Client, url: str, headers: dict[str, str], status: int) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == status, (url, headers, response.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, metavar="N", help="a synthetic project of N announcements")
    announcements = parser.parse_args().synthetic
    with tempfile.TemporaryDirectory() as work:
        project = ROOT if announcements is None else make_project(Path(work) / "project", announcements).root
        measure(project)


def measure(project: Path) -> None:
    corpus = load(Project.open(project))
    triples = len(corpus.quads)
    start = time.perf_counter()
    LinkedData(corpus)
    startup = (time.perf_counter() - start) * 1000
    del corpus
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("rit-graph")), "serve", "--port", str(port), "--project", str(project)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        with httpx.Client(timeout=600) as client:
            while True:
                try:
                    client.get(base + "sparql")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            ready = time.perf_counter() - started
            iri = base + "id/place/kitakyushu"
            etag = client.get(iri, headers={"Accept": "text/html"}).headers["etag"]
            rows = [
                (
                    "HTML, negotiated (Accept-Language: ja)",
                    median_ms(client, iri, {"Accept": "text/html", "Accept-Language": "ja"}, 200),
                ),
                ("Turtle, negotiated", median_ms(client, iri, {"Accept": "text/turtle"}, 200)),
                ("N-Triples, negotiated", median_ms(client, iri, {"Accept": "application/n-triples"}, 200)),
                ("JSON-LD, negotiated", median_ms(client, iri, {"Accept": "application/ld+json"}, 200)),
                ("RDF/XML, negotiated", median_ms(client, iri, {"Accept": "application/rdf+xml"}, 200)),
                (
                    "304, If-None-Match (page still rendered to hash)",
                    median_ms(client, iri, {"Accept": "text/html", "If-None-Match": etag}, 304),
                ),
                ("home page: the corpus summed up", median_ms(client, base, {"Accept": "text/html"}, 200)),
                ("browse page: cities, first 100", median_ms(client, base + "browse/class/City/1.en.html", {}, 200)),
                ("search for Kitakyushu, first results", median_ms(client, base + "search?q=Kitakyushu", {}, 200)),
                ("404 with close IRIs", median_ms(client, base + "id/place/kitakyuhsu", {"Accept": "text/html"}, 404)),
            ]
    finally:
        server.terminate()
        server.wait()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"{project.name}: {triples:,} quads")
    print(f"{startup:10.1f} ms  LinkedData(corpus): Site and in-memory downloads, once at start")
    print(f"{ready * 1000:10.1f} ms  rit-graph serve started until it answers")
    for name, ms in rows:
        print(f"{ms:10.1f} ms  {name} (median of {REPEAT})")


if __name__ == "__main__":
    main()
