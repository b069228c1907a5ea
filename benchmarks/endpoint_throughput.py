"""Throughput of the SPARQL endpoint under concurrent clients: ``rit-graph serve`` against Oxigraph's server.

Makes a synthetic project (benchmarks/synthetic.py; about 1,136 triples per
announcement) or takes one, writes its dataset (data graphs and graph/ontology,
as ``rit-graph serve`` queries it) as N-Quads once, loads that into an
``oxigraph`` store served by ``oxigraph serve-read-only --union-default-graph``
(RocksDB on disk) and into ``oxigraph serve --union-default-graph`` without a
location (in memory, as rit-graph's store is, loaded over HTTP), so that all
answer with the union of all graphs as default graph, and starts
``rit-graph serve --project DIR --no-access-log`` twice, both on loopback: with its default
settings, and with ``--result-cache-bytes 0`` (without the access log, as
Oxigraph's server writes none). The queries repeat, so with the
result cache nearly every request is answered from memory without evaluating
anything; the run without it is the one that compares engine to engine.
It checks once that all give the same number of result rows for each query of
queries/*.rq, then drives one server at a time with CLIENTS threads, one
keep-alive httpx.Client each, that POST the queries round robin for DURATION
seconds after a warm-up (with ROUNDS, in that many turns per server).

It prints Markdown for benchmarks/RESULTS.md: the machine and the exact command;
the rows per query; per server the requests, errors, queries per second and
p50/p99 latency per query and overall, and the CPU time the server (with its
worker processes) and the clients spent per request; and the ratio rit-graph
qps / oxigraph qps, without and with the result cache. All servers are stopped
at the end, also on errors. Exit status 1 if a request failed or the row counts differ. Needs the ``oxigraph``
package (``.venv/bin/pip install oxigraph``) and Linux (/proc for CPU times).

    .venv/bin/python -m benchmarks.endpoint_throughput [--announcements 88 | --project DIR]
        [--clients 8] [--duration 20] [--warmup 3] [--rounds 1] [--workers N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

from benchmarks.serving import (
    BIN,
    RESULTS_JSON,
    Query,
    Server,
    command_line,
    cpu_seconds,
    exit_on_sigterm,
    free_port,
    machine,
    percentile_ms,
    progress,
    query_headers,
    read_queries,
    software,
    started,
    wait_until_ready,
)
from benchmarks.synthetic import make_project
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project

ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = BIN / "oxigraph"


@dataclass
class Tally:
    """Requests of a run or of one client thread: latencies of the answered ones, the failed ones."""

    #: Seconds per successful request, by query name.
    latencies: dict[str, list[float]] = field(default_factory=dict)
    #: Failed requests by query name, and each distinct failure with its count.
    failures: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        for name, values in other.latencies.items():
            self.latencies.setdefault(name, []).extend(values)
        self.failures.update(other.failures)
        self.messages.update(other.messages)

    def count(self, name: str) -> int:
        return len(self.latencies.get(name, [])) + self.failures[name]


@dataclass(frozen=True)
class Run:
    """What one timed run measured."""

    tally: Tally
    seconds: float
    #: CPU seconds of the server process and its children, and of this process (the clients).
    server_cpu: float
    client_cpu: float

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.tally.latencies.values()) + self.errors

    @property
    def errors(self) -> int:
        return sum(self.tally.failures.values())

    def qps(self, name: str | None = None) -> float:
        """Requests per second, of query NAME or of all."""
        return (self.requests if name is None else self.tally.count(name)) / self.seconds

    def plus(self, other: Run) -> Run:
        """This run and OTHER (a later turn of the same server) as one."""
        tally = Tally()
        tally.add(self.tally)
        tally.add(other.tally)
        return Run(
            tally, self.seconds + other.seconds, self.server_cpu + other.server_cpu, self.client_cpu + other.client_cpu
        )


def write_nquads(project_dir: Path, path: Path) -> int:
    """The dataset ``rit-graph serve`` queries (data graphs and graph/ontology) as N-Quads at PATH; its quads."""
    store = load(Project.open(project_dir)).store
    store.dump(str(path), ox.RdfFormat.N_QUADS)
    return len(store)


@contextlib.contextmanager
def all_servers(
    project_dir: Path, nquads: Path, work: Path, workers: int | None
) -> Iterator[tuple[list[Server], list[Server]]]:
    """rit-graph serve on PROJECT_DIR without and with its result cache, and Oxigraph's server on NQUADS
    twice: on its RocksDB store (loaded into WORK/oxigraph) and in memory (loaded over its Graph Store
    endpoint); all ready."""
    clock = time.perf_counter()
    database = work / "oxigraph"
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(database), "--file", str(nquads)], check=True, capture_output=True
    )
    progress(f"oxigraph load: {time.perf_counter() - clock:.1f} s")
    with contextlib.ExitStack() as stack:
        port = free_port()
        on_disk = stack.enter_context(
            started(
                "oxigraph serve-read-only --union-default-graph",
                f"http://127.0.0.1:{port}/query",
                [
                    str(OXIGRAPH),
                    "serve-read-only",
                    "--location",
                    str(database),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--union-default-graph",
                ],
                work / "oxigraph.log",
            )
        )
        port = free_port()
        in_memory = stack.enter_context(
            started(
                "oxigraph serve --union-default-graph (in memory)",
                f"http://127.0.0.1:{port}/query",
                [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                work / "oxigraph-memory.log",
            )
        )
        ours: list[Server] = []
        for cache_option, settings in ((["--result-cache-bytes", "0"], "(no result cache)"), ([], "(result cache on)")):
            port = free_port()
            option = ([] if workers is None else ["--workers", str(workers)]) + cache_option + ["--no-access-log"]
            ours.append(
                stack.enter_context(
                    started(
                        " ".join(["rit-graph serve", *option, settings]),
                        f"http://127.0.0.1:{port}/sparql",
                        [str(BIN / "rit-graph"), "serve", "--project", str(project_dir), "--port", str(port), *option],
                        work / f"rit-graph-{len(ours)}.log",
                    )
                )
            )
        for server in (on_disk, in_memory, *ours):
            progress(f"{server.name}: ready after {wait_until_ready(server):.1f} s")
        clock = time.perf_counter()
        with nquads.open("rb") as body:
            stored = httpx.post(
                in_memory.endpoint.replace("/query", "/store"),
                content=body,
                headers={"Content-Type": "application/n-quads"},
                timeout=600,
            )
        stored.raise_for_status()
        progress(f"{in_memory.name}: loaded over HTTP in {time.perf_counter() - clock:.1f} s")
        yield ours, [on_disk, in_memory]


def count_rows(client: httpx.Client, server: Server, query: Query) -> int:
    """The rows of QUERY's result on SERVER: solutions of a SELECT, 1 for an ASK, triples of a graph."""
    response = client.post(server.endpoint, content=query.text, headers=query_headers(query.accept))
    response.raise_for_status()
    if query.accept == RESULTS_JSON:
        result = json.loads(response.content)
        return len(result["results"]["bindings"]) if "results" in result else 1
    return sum(1 for _ in ox.parse(response.content, ox.RdfFormat.N_TRIPLES))


def hammer(server: Server, queries: list[Query], clients: int, seconds: float) -> Run:
    """CLIENTS threads POSTing QUERIES round robin to SERVER for SECONDS, each over one kept-alive connection."""
    shares = [Tally() for _ in range(clients)]
    finished = [0.0] * clients
    ready = threading.Barrier(clients + 1)
    deadline = 0.0

    def client(number: int) -> None:
        share = shares[number]
        with httpx.Client(timeout=120) as http:
            ready.wait()
            position = number
            while time.perf_counter() < deadline:
                query = queries[position % len(queries)]
                position += 1
                began = time.perf_counter()
                try:
                    response = http.post(server.endpoint, content=query.text, headers=query_headers(query.accept))
                    failure = None if response.is_success else f"HTTP {response.status_code}: {response.text[:200]}"
                except httpx.HTTPError as e:
                    failure = f"{type(e).__name__}: {e}"
                if failure is None:
                    share.latencies.setdefault(query.name, []).append(time.perf_counter() - began)
                else:
                    share.failures[query.name] += 1
                    share.messages[failure] += 1
        finished[number] = time.perf_counter()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    server_cpu, client_cpu = cpu_seconds(server.process.pid), time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    ready.wait()
    for thread in threads:
        thread.join()
    server_cpu, client_cpu = cpu_seconds(server.process.pid) - server_cpu, time.process_time() - client_cpu
    tally = Tally({q.name: [] for q in queries})
    for share in shares:
        tally.add(share)
    return Run(tally, max(finished) - start, server_cpu, client_cpu)


def print_header(arguments: argparse.Namespace, load_average: float, data: str, queries: list[Query]) -> None:
    print("## SPARQL endpoint throughput: rit-graph serve vs Oxigraph server\n")
    print(f"command: `{command_line()}`  ")
    print(f"machine: {machine(load_average)}  ")
    print(f"software: {software()}  ")
    print(
        f"load: {data}; the {len(queries)} queries of queries/*.rq round robin, POSTed as application/sparql-query; "
        f"{arguments.clients} clients (threads, one keep-alive httpx.Client each); {arguments.warmup:g} s warm-up, "
        f"then {arguments.duration:g} s per server in {arguments.rounds} turn(s), one server at a time, all on "
        "127.0.0.1"
    )


def print_rows(ours: Server, theirs: list[Server], rows: dict[str, dict[str, int]]) -> None:
    """Rows per query of OURS and of each of THEIRS (all other servers)."""
    print("\n### Result rows, checked once before the timed runs\n")
    print(f"| query | {ours.name} | {' | '.join(s.name for s in theirs)} | same |")
    print("|---|---:|" + "---:|" * len(theirs) + "---|")
    for name, mine in rows[ours.name].items():
        others = [rows[s.name][name] for s in theirs]
        same = all(other == mine for other in others)
        print(f"| {name} | {mine} | {' | '.join(map(str, others))} | {'yes' if same else '**NO**'} |")


def print_run(server: Server, run: Run, queries: list[Query]) -> None:
    print(f"\n### {server.name}\n")
    print("| query | requests | errors | qps | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for query in queries:
        done = run.tally.latencies[query.name]
        print(
            f"| {query.name} | {run.tally.count(query.name)} | {run.tally.failures[query.name]} | "
            f"{run.qps(query.name):.1f} | {percentile_ms(done, 0.5)} | {percentile_ms(done, 0.99)} |"
        )
    every = [v for values in run.tally.latencies.values() for v in values]
    print(
        f"| **all** | **{run.requests}** | **{run.errors}** | **{run.qps():.1f}** | "
        f"**{percentile_ms(every, 0.5)}** | **{percentile_ms(every, 0.99)}** |"
    )
    cores = os.cpu_count() or 1
    print(
        f"\n{run.seconds:.1f} s. CPU per request: server {run.server_cpu / run.requests * 1000:.2f} ms "
        f"(busy {run.server_cpu / run.seconds / cores:.0%} of {cores} cores), "
        f"clients {run.client_cpu / run.requests * 1000:.2f} ms ({run.client_cpu / run.seconds / cores:.0%})."
    )
    for message, count in run.tally.messages.most_common(5):
        print(f"\n- {count} × {message}")


def print_ratio(ours: Run, ours_name: str, theirs: Run, theirs_name: str, queries: list[Query]) -> None:
    print(f"\n### {ours_name} qps / {theirs_name} qps\n")
    print("| query | rit-graph qps | oxigraph qps | ratio |")
    print("|---|---:|---:|---:|")
    for query in queries:
        mine, other = ours.qps(query.name), theirs.qps(query.name)
        print(f"| {query.name} | {mine:.1f} | {other:.1f} | {mine / other:.2f} |")
    ratio = ours.qps() / theirs.qps()
    print(f"| **all** | **{ours.qps():.1f}** | **{theirs.qps():.1f}** | **{ratio:.2f}** |")
    print(
        f"\nratio {ours_name} / {theirs_name}: **{ratio:.2f}** (target ≥ 0.70: {'met' if ratio >= 0.7 else 'not met'})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--announcements", type=int, default=88, help="synthetic announcements to make (default 88, about 100k triples)"
    )
    source.add_argument("--project", type=Path, help="serve this project folder instead of a synthetic one")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--duration", type=float, default=20.0, help="timed seconds per server (default 20)")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="untimed seconds of load per server before (default 3)"
    )
    parser.add_argument("--workers", type=int, help="passed to rit-graph serve --workers (default: its own default)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="split each server's DURATION into this many turns, the servers taking turns, so that a change in the "
        "machine's load while the benchmark runs affects all alike (default 1)",
    )
    arguments = parser.parse_args()
    slice_seconds = arguments.duration / arguments.rounds
    if not OXIGRAPH.exists():
        parser.error(f"{OXIGRAPH} is missing: install the oxigraph package ({BIN / 'pip'} install oxigraph)")

    exit_on_sigterm()
    load_average = os.getloadavg()[0]
    queries = read_queries(ROOT / "queries")
    with tempfile.TemporaryDirectory(prefix="endpoint-throughput-") as scratch:
        work = Path(scratch)
        clock = time.perf_counter()
        if arguments.project is None:
            project_dir = work / "project"
            make_project(project_dir, arguments.announcements)
        else:
            project_dir = arguments.project.resolve()
        quads = write_nquads(project_dir, work / "dataset.nq")
        progress(f"project and N-Quads: {quads:,} quads in {time.perf_counter() - clock:.1f} s")
        with all_servers(project_dir, work / "dataset.nq", work, arguments.workers) as (ours, theirs):
            with httpx.Client(timeout=120) as client:
                rows = {s.name: {q.name: count_rows(client, s, q) for q in queries} for s in (*ours, *theirs)}
            runs: dict[str, Run] = {}
            for server in (*theirs, *ours):
                progress(f"{server.name}: {arguments.warmup:g} s warm-up")
                hammer(server, queries, arguments.clients, arguments.warmup)
            for turn in range(arguments.rounds):
                for server in (*theirs, *ours):
                    progress(f"{server.name}: {slice_seconds:g} s timed (round {turn + 1} of {arguments.rounds})")
                    run = hammer(server, queries, arguments.clients, slice_seconds)
                    runs[server.name] = runs[server.name].plus(run) if server.name in runs else run

    data = f"{arguments.announcements} synthetic announcements" if arguments.project is None else str(project_dir)
    print_header(arguments, load_average, f"{data}, {quads:,} quads", queries)
    print_rows(ours[0], [*ours[1:], *theirs], rows)
    for server in (*ours, *theirs):
        print_run(server, runs[server.name], queries)
    for mine in ours:
        for server in theirs:
            print_ratio(runs[mine.name], mine.name, runs[server.name], server.name, queries)
    differ = any(rows[ours[0].name] != rows[s.name] for s in (*ours[1:], *theirs))
    return 1 if any(run.errors for run in runs.values()) or differ else 0


if __name__ == "__main__":
    sys.exit(main())
