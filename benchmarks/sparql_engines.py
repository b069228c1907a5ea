"""Time the same SPARQL queries on rdflib's evaluator and on pyoxigraph, and the cost of the query workers.

Generates a synthetic corpus shaped like the announcements (events with typed
dates, places and participants, labels in de/en/ja) at 10k and 100k triples,
then prints median times as a Markdown table with the machine it ran on.

Run: .venv/bin/python -m benchmarks.sparql_engines [--sizes 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
from collections.abc import Callable

import pyoxigraph as ox
import rdflib

from benchmarks.serving import command_line
from rit_graph.query import sparql
from rit_graph.query.querypool import QueryPool

BASE = "https://w3id.org/rit-graph/"
RIT = BASE + "ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
PREFIXES = f"PREFIX rit: <{RIT}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"

QUERIES = {
    "events by date with place labels, LIMIT 100": PREFIXES
    + """SELECT ?event ?start ?label ?place WHERE {
  ?event a rit:DelegationVisit ; rit:startDate ?start ; rdfs:label ?label ; rit:destination/rdfs:label ?place .
  FILTER (lang(?label) = "en" && lang(?place) = "en")
} ORDER BY ?start LIMIT 100""",
    "COUNT … GROUP BY class": "SELECT ?class (COUNT(*) AS ?n) WHERE { ?s a ?class } GROUP BY ?class",
    "everything about one place": PREFIXES
    + f"SELECT ?p ?o WHERE {{ {{ <{BASE}id/place/p7> ?p ?o }} UNION {{ ?o ?p <{BASE}id/place/p7> }} }}",
    "participants per organisation (join + aggregate)": PREFIXES
    + """SELECT ?org (COUNT(DISTINCT ?event) AS ?events) WHERE {
  ?event rit:participant ?org . ?org rdfs:label ?name . FILTER (lang(?name) = "ja")
} GROUP BY ?org ORDER BY DESC(?events) LIMIT 10""",
}


def corpus(triples: int) -> str:
    """N-Triples of about TRIPLES triples: events (≈ 12 triples each) over shared places and organisations."""
    places, organisations = 200, 100
    lines = []

    def label(subject: str, text: str) -> None:
        for lang, word in (("de", text), ("en", text.upper()), ("ja", "名" + text)):
            lines.append(f'<{subject}> <{RDFS_LABEL}> "{word}"@{lang} .')

    for i in range(places):
        label(f"{BASE}id/place/p{i}", f"Ort {i}")
        lines.append(f"<{BASE}id/place/p{i}> <{RDF_TYPE}> <{RIT}City> .")
    for i in range(organisations):
        label(f"{BASE}id/organisation/o{i}", f"Cluster {i}")
        lines.append(f"<{BASE}id/organisation/o{i}> <{RDF_TYPE}> <{RIT}Cluster> .")
    event = 0
    while len(lines) < triples:
        subject = f"{BASE}id/event/e{event}"
        day = f"20{10 + event % 15:02d}-{1 + event % 12:02d}-{1 + event % 28:02d}"
        label(subject, f"Besuch {event}")
        lines += [
            f"<{subject}> <{RDF_TYPE}> <{RIT}DelegationVisit> .",
            f'<{subject}> <{RIT}startDate> "{day}"^^<{XSD_DATE}> .',
            f"<{subject}> <{RIT}destination> <{BASE}id/place/p{event % places}> .",
            f"<{subject}> <{RIT}participant> <{BASE}id/organisation/o{event % organisations}> .",
            f"<{subject}> <{RIT}participant> <{BASE}id/organisation/o{(event * 7) % organisations}> .",
            f'<{subject}> <{RIT}description> "Beschreibung des Besuchs {event}"@de .',
            f'<{subject}> <{RIT}description> "description of visit {event}"@en .',
            f'<{subject}> <{RIT}aim> "Zusammenarbeit fördern"@de .',
            f"<{subject}> <{RIT}eventStatus> <{RIT}Scheduled> .",
        ]
        event += 1
    return "\n".join(lines[:triples]) + "\n"


def median_seconds(runs: int, work: Callable[..., object], *args: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def show(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    print(f"command: {command_line()}")
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"python {platform.python_version()}, rdflib {rdflib.__version__}, pyoxigraph {ox.__version__}")
    print(f"median of {args.runs} runs\n")
    print("| query | triples | rdflib | pyoxigraph | ratio |")
    print("|---|---|---|---|---|")
    stores: dict[int, ox.Store] = {}
    for size in args.sizes:
        data = corpus(size)
        graph = rdflib.Graph().parse(data=data, format="nt")
        store = ox.Store()
        store.load(data.encode(), ox.RdfFormat.N_TRIPLES)
        stores[size] = store
        for name, query in QUERIES.items():
            rdflib_rows, oxigraph_rows = _rdflib_rows(graph, query), _oxigraph_rows(store, query)
            assert rdflib_rows == oxigraph_rows, f"{name}: rdflib {rdflib_rows} rows, pyoxigraph {oxigraph_rows}"
            slow = median_seconds(args.runs, _rdflib_rows, graph, query)
            fast = median_seconds(args.runs, _oxigraph_rows, store, query)
            print(f"| {name} | {size:,} | {show(slow)} | {show(fast)} | {slow / fast:.0f}× |")

    print("\nCost of answering in a worker process (QueryPool) instead of in the server process:\n")
    print("| what | triples | time |")
    print("|---|---|---|")
    for size, store in stores.items():
        ask = sparql.Request(sparql.check("ASK { ?s ?p ?o }"), "json")
        first = sparql.Request(sparql.check(QUERIES["events by date with place labels, LIMIT 100"]), "json")
        pool = SyncPool(store, timeout=60)
        try:
            runs = max(args.runs, 20)
            print(f"| ASK in-process (execute) | {size:,} | {show(median_seconds(runs, sparql.execute, store, ask))} |")
            print(f"| ASK through a worker (QueryPool.run) | {size:,} | {show(median_seconds(runs, pool.run, ask))} |")
            print(
                f"| events query in-process (execute) | {size:,} | "
                f"{show(median_seconds(runs, sparql.execute, store, first))} |"
            )
            print(f"| events query through a worker | {size:,} | {show(median_seconds(runs, pool.run, first))} |")
            check = median_seconds(runs, sparql.check, first.query.text)
            print(f"| check the events query (rdflib parse: update, SERVICE) | {size:,} | {show(check)} |")
        finally:
            pool.close()
        limit = 0.5
        short = SyncPool(store, timeout=limit)
        try:
            runaway = sparql.Request(sparql.check("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }"), "json")
            stop = median_seconds(args.runs, _stopped, short, runaway) - limit
            print(
                f"| stop a runaway query at its limit, kill + fork a new worker (beyond the {limit} s limit) | "
                f"{size:,} | {show(stop)} |"
            )
        finally:
            short.close()


def _rdflib_rows(graph: rdflib.Graph, query: str) -> int:
    return len(list(graph.query(query)))


def _oxigraph_rows(store: ox.Store, query: str) -> int:
    return len(list(store.query(query)))  # type: ignore[arg-type]


class SyncPool:
    """A QueryPool of one worker driven from plain code: the pool runs in an event loop of its own."""

    def __init__(self, store: ox.Store, timeout: float) -> None:
        self.loop = asyncio.new_event_loop()
        self.pool = self.loop.run_until_complete(self._open(store, timeout))

    @staticmethod
    async def _open(store: ox.Store, timeout: float) -> QueryPool:
        return QueryPool(store, sparql.Limits(workers=1, timeout=timeout))

    def run(self, request: sparql.Request) -> sparql.Answer:
        return self.loop.run_until_complete(self.pool.run(request, "benchmark"))

    def close(self) -> None:
        self.pool.close()
        self.loop.close()


def _stopped(pool: SyncPool, request: sparql.Request) -> None:
    try:
        pool.run(request)
    except sparql.QueryTimeout:
        return
    raise AssertionError("the runaway query was not stopped")


if __name__ == "__main__":
    main()
