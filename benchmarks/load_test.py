"""Load test of ``rit-graph serve`` on loopback: many clients mixing cheap and expensive requests.

Starts ``rit-graph serve`` on a project with a short ``--timeout``. The project is a
synthetic corpus (benchmarks/synthetic.py; about 1,140 triples per announcement)
or ``--project DIR``. The script first warms the server up: every cheap request
below is sent once, which also makes the server write the downloads it keeps in
memory, and then one expensive query per worker, so that every worker is
replaced. Then asyncio clients drive it, each over its own keep-alive httpx
connection:

- cheap clients (CLIENTS - EXPENSIVE_CLIENTS) cycle through a fixed mix of 10
  requests: 4 example queries of the project's queries/ (POSTed), 3 HTML pages
  (``/``, ``/ontology`` and ``/id/...`` in German, English and Japanese), 2
  linked-data requests (``/id/...`` as Turtle, JSON-LD, N-Triples or RDF/XML) and
  1 download;
- expensive clients (EXPENSIVE_CLIENTS) send queries back to back that cannot
  finish within the time limit at any corpus size: a cross join of all triples, a
  regex over every three literals, and the closure of any-predicate paths. Each
  must end with 503 at the time limit.

The cheap clients run alone for BASELINE seconds, then all clients run for
DURATION seconds. The run stops sooner after MAX_REQUESTS requests. Every second
the script samples the memory of the server and its worker processes from /proc:
RSS (the total the issue asks for; it counts the store's pages, which forked
workers share with the server, once per process) and PSS (shared pages split
between the processes that map them; the real footprint).

It prints Markdown for benchmarks/RESULTS.md:
- per phase and kind of request: the count, the answers other than the expected
  one, and p50/p95/p99/max latency;
- how long the expensive queries took to be stopped;
- cheap requests per second alone and while expensive queries run;
- memory: min/max/last, and the trend from the first to the last third of the run;
- the worker processes before and after.

The exit status is 1 if a request got another answer than expected or the
server's workers are not back to ``--workers``. The server and all it forked are
stopped at the end, also on errors, SIGTERM and Ctrl-C. tests/test_load.py runs a
short version through ``run``.

    .venv/bin/python -m benchmarks.load_test [--announcements 88 | --project DIR] [--clients 32]
        [--expensive-clients 1] [--duration 180] [--baseline 20] [--max-requests 500000]
        [--timeout 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import itertools
import os
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.serving import (
    BIN,
    RESULTS_JSON,
    command_line,
    cpu_seconds,
    exit_on_sigterm,
    family,
    free_port,
    machine,
    percentile_ms,
    progress,
    query_headers,
    read_queries,
    software,
    started,
    wait_until_ready,
    workers,
)
from benchmarks.synthetic import make_project
from rit_graph.corpus.project import Project
from rit_graph.output.build import DUMP_NAME, ONTOLOGY_FILE
from rit_graph.output.catalog import CATALOG_FILE
from rit_graph.query.sparql import Limits
from rit_graph.rdf.jsonld import CONTEXT_FILE

MIB = 1024 * 1024
#: Queries that no corpus of 1,000 triples or more answers within seconds: the first two make billions
#: of rows from 1,000 triples, the third joins two closures over every predicate in both directions.
EXPENSIVE_QUERIES = {
    "cross join of all triples": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "regex over every three literals": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER (isLiteral(?c) && isLiteral(?f) && isLiteral(?i) && "
        'REGEX(CONCAT(STR(?c), STR(?f), STR(?i)), "(a|e)[^x]*(i|o)[^x]*u.*z$", "i")) }'
    ),
    "closure of any-predicate paths": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:x:none>|^!<urn:x:none>)* ?b . "
        "?b (!<urn:x:none>|^!<urn:x:none>)* ?c }"
    ),
}
#: A cheap client's cycle of request kinds.
MIX = ("query", "page", "data", "query", "page", "data", "query", "page", "query", "download")
LANGUAGES = ("de", "en", "ja")
DATA_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
DOWNLOADS = (CATALOG_FILE, ONTOLOGY_FILE, CONTEXT_FILE, DUMP_NAME + ".ttl.gz", DUMP_NAME + ".jsonld.gz")
#: Resources (of those under BASE/id/, evenly spread) whose pages and data the clients ask for.
RESOURCES = 40
#: The answer an expensive query must get; see ``answer``.
STOPPED = "503 time limit"
#: The answers of a query past its memory limit, and of one that found no worker in time.
MEMORY = "503 memory"
BUSY = "503 busy"
#: What attackers send in --hostile runs, each kind from addresses of its own; what the check or the
#: engine must refuse. "slow to check" is 90 KB of operators with the letters of SERVICE in a comment,
#: so that rdflib must parse it, each text new so that no refusal is remembered.
MEMORY_HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"
SLOW_TO_CHECK = "ASK { FILTER(" + "1+" * 45_000 + "1) } # service {n}"
HOSTILE_KINDS = {"expensive": 3, "memory": 1, "slow to check": 2}
#: Neither cheap nor hostile: a newcomer's texts, each new, measured apart (see ``fresh_queries``).
APART = {*HOSTILE_KINDS, "fresh"}
#: A result of some 40 MB, under the default --max-result-bytes, asked for by readers that hardly read it.
LARGE = "CONSTRUCT { ?a <urn:x:q> ?b } WHERE { ?a ?x ?y . ?b ?z ?w } LIMIT 300000"


@dataclass(frozen=True)
class Settings:
    clients: int = 32
    #: Fewer than WORKERS: each expensive query holds a worker until the time limit, cheap queries need one.
    expensive_clients: int = 1
    #: Seconds with all clients, after BASELINE seconds with the cheap clients alone.
    duration: float = 180.0
    baseline: float = 20.0
    max_requests: int = 500_000
    #: rit-graph serve's --timeout and --workers.
    timeout: float = 2.0
    workers: int = 2
    #: Add the attackers of HOSTILE_KINDS, slow readers and slowloris connections, each from an address of its
    #: own, and serve without the result cache (every cheap query reaches a worker).
    hostile: bool = False
    #: rit-graph serve's --max-query-memory, in MiB.
    max_query_memory: int = 1024
    slow_readers: int = 4
    slowloris: int = 200
    #: rit-graph serve's --read-timeout: a slowloris connection is closed after it.
    read_timeout: float = Limits.read_timeout


@dataclass(frozen=True)
class Call:
    """A request a client may send, and the answer it must get."""

    kind: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    #: The answers it may get.
    expected: tuple[str, ...] = ("200",)


@dataclass(frozen=True)
class Outcome:
    kind: str
    began: float
    ended: float
    #: "200", "503 time limit", "503: the first line of another 503", "ReadTimeout" (no answer)...
    answer: str
    expected: bool

    @property
    def seconds(self) -> float:
        return self.ended - self.began


@dataclass(frozen=True)
class Sample:
    """Memory of a server with its workers and of the server alone at one moment, in bytes; its workers."""

    at: float
    rss: int
    pss: int
    server_rss: int
    server_pss: int
    workers: frozenset[int]
    #: Open file descriptors of the server (connections, workers' channels, files).
    server_fds: int = 0


@dataclass
class Phase:
    name: str
    began: float
    ended: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    #: CPU seconds during the phase of the server with its workers, and of the clients (this process).
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.began

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    def cheap(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind not in APART]

    def cheap_while_expensive(self) -> tuple[int, float]:
        """Cheap requests answered while an expensive query was under way, and the seconds one was."""
        spans: list[list[float]] = []
        for began, ended in sorted((o.began, o.ended) for o in self.of("expensive")):
            if spans and began <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], ended)
            else:
                spans.append([began, ended])
        starts = [b for b, _ in spans]
        answered = 0
        for outcome in self.cheap():
            index = bisect.bisect_right(starts, outcome.ended) - 1
            answered += index >= 0 and outcome.ended <= spans[index][1]
        return answered, sum(e - b for b, e in spans)


@dataclass
class Report:
    settings: Settings
    project: str
    server_pid: int
    quads: int
    calls: dict[str, list[Call]]
    warm_up: list[Phase]
    #: The timed phases: "cheap only" (unless --baseline 0), then "all".
    phases: list[Phase]
    #: The server at rest after the warm-up and after the run (all clients done).
    warm: Sample
    end: Sample
    nuisance: Nuisance | None = None

    def phase(self, name: str) -> Phase:
        return next(p for p in [*self.warm_up, *self.phases] if p.name == name)

    def unexpected(self) -> list[Outcome]:
        return [o for p in [*self.warm_up, *self.phases] for o in p.outcomes if not o.expected]


@dataclass
class Nuisance:
    """Clients that cost the server without asking it anything useful: readers that hardly read a large
    answer (1 KB a second, a 4 KB receive buffer), and slowloris connections that send a header line a
    second and never end their head. Each from an address of its own."""

    port: int
    readers: int
    slowloris: int
    #: Per slow reader: bytes it read, and seconds until the server closed the connection (None: still open).
    read: list[tuple[int, float | None]] = field(default_factory=list)
    #: Per slowloris connection: seconds until the server closed it (None: still open), and what it answered.
    loris: list[tuple[float | None, str]] = field(default_factory=list)

    def run(self, deadline: float) -> list[Coroutine[None, None, None]]:
        return [
            *(self._reader(n, deadline) for n in range(self.readers)),
            *(self._loris(n, deadline) for n in range(self.slowloris)),
        ]

    async def _reader(self, n: int, deadline: float) -> None:
        began = time.perf_counter()
        connection = socket.socket()
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.bind((f"127.0.1.{n + 1}", 0))
        connection.setblocking(False)
        await asyncio.get_running_loop().sock_connect(connection, ("127.0.0.1", self.port))
        reader, writer = await asyncio.open_connection(sock=connection, limit=4096)
        target = "/sparql?" + str(httpx.QueryParams({"query": LARGE, "format": "ntriples"}))
        writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        received, closed = 0, None
        try:
            while time.perf_counter() < deadline:
                chunk = await reader.read(1024)
                if not chunk:
                    closed = time.perf_counter() - began
                    break
                received += len(chunk)
                await asyncio.sleep(1)
        except ConnectionError:
            closed = time.perf_counter() - began
        finally:
            writer.close()
        self.read.append((received, closed))

    async def _loris(self, n: int, deadline: float) -> None:
        began = time.perf_counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(f"127.0.2.{n % 250 + 1}", 0))
        answer, closed = "", None
        try:
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")
            while time.perf_counter() < deadline:
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=1)
                except TimeoutError:
                    writer.write(b"X-Slow: loris\r\n")
                    continue
                answer += data.decode("latin-1")
                if not data:
                    closed = time.perf_counter() - began
                    break
        except ConnectionError:
            closed = time.perf_counter() - began
        finally:
            writer.close()
        self.loris.append((closed, answer.split("\r\n", 1)[0][9:] or "nothing"))


class Budget:
    """How many requests the clients may still send, of --max-requests, over all phases."""

    def __init__(self, requests: int) -> None:
        self.left = requests

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def run(project_dir: Path, settings: Settings, work: Path) -> Report:
    """Serve PROJECT_DIR and load it as SETTINGS say; WORK holds the server's log. The server is stopped after."""
    port = free_port()
    command = [
        str(BIN / "rit-graph"),
        "serve",
        "--project",
        str(project_dir),
        "--port",
        str(port),
        "--timeout",
        f"{settings.timeout:g}",
        "--workers",
        str(settings.workers),
        "--max-query-memory",
        str(settings.max_query_memory),
        "--read-timeout",
        f"{settings.read_timeout:g}",
        *(["--result-cache-bytes", "0"] if settings.hostile else []),
    ]
    url = f"http://127.0.0.1:{port}"
    with started("rit-graph serve", url + "/sparql", command, work / "rit-graph.log") as server:
        progress(f"rit-graph serve: ready after {wait_until_ready(server):.1f} s")
        pid = server.process.pid
        calls, quads = plan(url, project_dir)
        warm_up = list(warmed_up(url, pid, calls, settings))
        warm = at_rest(pid, settings.workers)
        progress(
            f"warm-up: {sum(len(p.outcomes) for p in warm_up)} requests in {sum(p.seconds for p in warm_up):.1f} s"
        )
        budget = Budget(settings.max_requests)
        cheap = [Stream(cheap_calls(calls, n)) for n in range(settings.clients - settings.expensive_clients)]
        expensive = [
            Stream(itertools.islice(itertools.cycle(calls["expensive"]), n, None), _address(n))
            for n in range(settings.expensive_clients)
        ]
        if settings.hostile:
            expensive += hostile_streams(calls, settings.expensive_clients)
        phases = []
        if settings.baseline > 0:
            progress(f"{settings.baseline:g} s with {len(cheap)} cheap clients alone")
            phases.append(
                asyncio.run(drive("cheap only", url, pid, cheap, settings.baseline, budget, settings.timeout))
            )
        progress(f"{settings.duration:g} s with {len(cheap)} cheap and {len(expensive)} hostile or expensive clients")
        nuisance = Nuisance(port, settings.slow_readers, settings.slowloris) if settings.hostile else None
        phases.append(
            asyncio.run(
                drive("all", url, pid, [*cheap, *expensive], settings.duration, budget, settings.timeout, nuisance)
            )
        )
        end = at_rest(pid, settings.workers)
    return Report(settings, str(project_dir), pid, quads, calls, warm_up, phases, warm, end, nuisance)


def warmed_up(url: str, pid: int, calls: dict[str, list[Call]], settings: Settings) -> Iterator[Phase]:
    """Every cheap call once, one after the other: the server writes its downloads and checks each query.
    Then one expensive query per worker at once, so that every worker is killed and forked anew from the
    warmed-up server, as the workers replaced during the run are: RSS counts the pages a worker shares
    with the server it was forked from, so at rest after the run it compares with this."""
    every_cheap = [call for kind, group in calls.items() if kind not in APART for call in group]
    yield asyncio.run(
        drive(
            "warm-up", url, pid, [Stream(iter(every_cheap))], float("inf"), Budget(len(every_cheap)), settings.timeout
        )
    )
    expensive = [
        Stream(iter([calls["expensive"][n % len(calls["expensive"])]]), _address(n)) for n in range(settings.workers)
    ]
    yield asyncio.run(
        drive(
            "warm-up: workers replaced", url, pid, expensive, float("inf"), Budget(settings.workers), settings.timeout
        )
    )


def plan(url: str, project_dir: Path) -> tuple[dict[str, list[Call]], int]:
    """The requests of each kind for the project served at URL, and the quads it serves."""
    base = Project.open(project_dir).base_iri
    found = (
        f'SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?s), "{base}id/")) }} ORDER BY ?s'
    )
    with httpx.Client(base_url=url, timeout=600) as http:
        iris = [row["s"]["value"] for row in _select(http, found)]
        quads = int(_select(http, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]["value"])
    paths = ["/" + iri.removeprefix(base) for iri in iris[:: max(1, len(iris) // RESOURCES)]][:RESOURCES]
    if not paths:
        raise RuntimeError(f"the project at {project_dir} has no resources under {base}id/ to request")
    queries = read_queries(project_dir / "queries")
    pages = ["/", "/ontology", *paths]
    return {
        "query": [Call("query", "POST", "/sparql", query_headers(q.accept), q.text.encode()) for q in queries],
        "page": [
            Call("page", "GET", path, {"Accept": "text/html", "Accept-Language": LANGUAGES[n % len(LANGUAGES)]})
            for n, path in enumerate(pages)
        ],
        "data": [
            Call("data", "GET", path, {"Accept": DATA_TYPES[n % len(DATA_TYPES)]}) for n, path in enumerate(paths)
        ],
        "download": [Call("download", "GET", "/downloads/" + name, {}) for name in DOWNLOADS],
        "expensive": [
            Call("expensive", "POST", "/sparql", query_headers(RESULTS_JSON), text.encode(), (STOPPED, MEMORY, BUSY))
            for text in EXPENSIVE_QUERIES.values()
        ],
        # On a small corpus the memory-hungry query may reach the time limit before the memory limit.
        "memory": [
            Call(
                "memory",
                "POST",
                "/sparql",
                query_headers(RESULTS_JSON),
                MEMORY_HUNGRY.encode(),
                (MEMORY, STOPPED, BUSY),
            )
        ],
        "slow to check": [next(slow_to_check())],
        "fresh": [],
    }, quads


def fresh_queries(queries: list[Call]) -> Iterator[Call]:
    """The example QUERIES in turn, each made a text never seen before by a comment: no worker knows
    it to be quick, so it waits for its turn among the attackers'."""
    for n in itertools.count():
        call = queries[n % len(queries)]
        yield Call("fresh", call.method, call.path, call.headers, call.body + f"\n# fresh {n}".encode(), ("200", BUSY))


def slow_to_check() -> Iterator[Call]:
    """Texts that rdflib must parse and cannot within the time limit, each new."""
    for n in itertools.count():
        text = SLOW_TO_CHECK.replace("{n}", str(n)).encode()
        yield Call("slow to check", "POST", "/sparql", query_headers(RESULTS_JSON), text, (STOPPED, BUSY))


def _select(http: httpx.Client, query: str) -> list[dict[str, dict[str, str]]]:
    response = http.post("/sparql", content=query, headers=query_headers(RESULTS_JSON))
    response.raise_for_status()
    return list(response.json()["results"]["bindings"])


def cheap_calls(calls: dict[str, list[Call]], number: int) -> Iterator[Call]:
    """Cheap client NUMBER's requests: the kinds in MIX's order from an offset, each kind's calls round robin."""
    turns: Counter[str] = Counter()
    for kind in itertools.islice(itertools.cycle(MIX), number, None):
        options = calls[kind]
        yield options[(number + turns[kind]) % len(options)]
        turns[kind] += 1


@dataclass
class Stream:
    """One client's calls, and the loopback address it sends them from (each attacker has its own)."""

    calls: Iterator[Call]
    address: str = "127.0.0.1"


def _address(n: int) -> str:
    return f"127.0.0.{10 + n}"


def hostile_streams(calls: dict[str, list[Call]], first: int) -> list[Stream]:
    """The attackers of HOSTILE_KINDS but the expensive clients (counted by --expensive-clients)."""
    streams = [Stream(itertools.cycle(calls["memory"]), _address(first + n)) for n in range(HOSTILE_KINDS["memory"])]
    first += len(streams)
    streams += [Stream(slow_to_check(), _address(first + n)) for n in range(HOSTILE_KINDS["slow to check"])]
    calls["fresh"] = [next(fresh_queries(calls["query"]))]
    return [*streams, Stream(fresh_queries(calls["query"]), _address(first + len(streams)))]


async def drive(
    name: str,
    url: str,
    pid: int,
    streams: list[Stream],
    seconds: float,
    budget: Budget,
    timeout: float,
    nuisance: Nuisance | None = None,
) -> Phase:
    """One client per stream of calls, each sending its calls one after the other for SECONDS (or until its
    stream or BUDGET ends), while the memory of the server PID and its workers is sampled every second.
    NUISANCE's slow readers and slowloris connections run meanwhile."""
    phase = Phase(name, time.perf_counter())
    deadline = phase.began + seconds
    server_cpu, client_cpu = cpu_seconds(pid), time.process_time()

    async def client(stream: Stream) -> None:
        # Long enough for any answer the server may give; a client waiting longer gets ReadTimeout.
        transport = httpx.AsyncHTTPTransport(local_address=stream.address)
        async with httpx.AsyncClient(base_url=url, timeout=timeout + 60, transport=transport) as http:
            for call in stream.calls:
                if time.perf_counter() >= deadline or not budget.take():
                    return
                phase.outcomes.append(await send(http, call, timeout))

    async def sampler() -> None:
        while True:
            phase.samples.append(sample(pid))
            await asyncio.sleep(1)

    sampling = asyncio.create_task(sampler())
    nuisances = [asyncio.create_task(n) for n in nuisance.run(deadline)] if nuisance is not None else []
    try:
        await asyncio.gather(*(client(stream) for stream in streams))
        await asyncio.gather(*nuisances)
    finally:
        sampling.cancel()
        for task in nuisances:
            task.cancel()
    phase.ended = time.perf_counter()
    phase.server_cpu, phase.client_cpu = cpu_seconds(pid) - server_cpu, time.process_time() - client_cpu
    return phase


async def send(http: httpx.AsyncClient, call: Call, timeout: float) -> Outcome:
    began = time.perf_counter()
    try:
        response = await http.request(call.method, call.path, headers=call.headers, content=call.body or None)
        got = answer(response, timeout)
    except httpx.HTTPError as e:
        got = type(e).__name__
    return Outcome(call.kind, began, time.perf_counter(), got, got in call.expected)


def answer(response: httpx.Response, timeout: float) -> str:
    """What a request got, as the report counts it: the status, and for errors what they say."""
    if response.is_success:
        return str(response.status_code)
    if response.status_code == 503 and f"stopped after the time limit of {timeout:g} s" in response.text:
        return STOPPED
    if response.status_code == 503 and "needed more memory" in response.text:
        return MEMORY
    if response.status_code == 503 and "Retry-After" in response.headers:
        return BUSY
    return f"{response.status_code}: {response.text.strip().splitlines()[0][:100] if response.text.strip() else ''}"


def sample(pid: int) -> Sample:
    """RSS and PSS of process PID and its descendants, from /proc, and its query workers (the fork
    server's children that have not ended); processes that end meanwhile add no memory."""
    memory: dict[int, tuple[int, int]] = {}
    members = family(pid)
    for member in members:
        with contextlib.suppress(OSError):
            memory[member] = (
                _kib(Path(f"/proc/{member}/status"), "VmRSS:"),
                _kib(Path(f"/proc/{member}/smaps_rollup"), "Pss:"),
            )
    rss, pss = (sum(m[i] for m in memory.values()) for i in (0, 1))
    fds = 0
    with contextlib.suppress(OSError):
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    return Sample(time.perf_counter(), rss, pss, *memory.get(pid, (0, 0)), frozenset(workers(pid)), fds)


def at_rest(pid: int, workers: int, within: float = 10.0) -> Sample:
    """A sample of server PID once it has WORKERS query workers again, or after WITHIN seconds: the pool
    forks the successor of a killed worker after answering, so a sample taken at once may miss it."""
    deadline = time.monotonic() + within
    while len((now := sample(pid)).workers) != workers and time.monotonic() < deadline:
        time.sleep(0.05)
    return now


def _kib(path: Path, key: str) -> int:
    """Bytes of the line starting with KEY (a count of kB) in PATH; OSError if it has none (a zombie)."""
    for line in path.read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    raise OSError(f"no {key} in {path}")


# --- the report ------------------------------------------------------------------------------------


def print_report(report: Report, load_average: float, data: str) -> None:
    settings = report.settings
    calls = report.calls
    print("## Load test: rit-graph serve under mixed load\n")
    print(f"command: `{command_line()}`  ")
    print(f"machine: {machine(load_average)}  ")
    print(f"software: {software()}  ")
    print(
        f"load: {data}, {report.quads:,} quads; rit-graph serve --timeout {settings.timeout:g} --workers "
        f"{settings.workers}; "
        f"{settings.clients} clients ({settings.clients - settings.expensive_clients} cheap, "
        f"{settings.expensive_clients} expensive), "
        f"asyncio + httpx, one keep-alive connection each, all on 127.0.0.1; {settings.baseline:g} s cheap clients "
        "alone, "
        f"then {settings.duration:g} s all (at most {settings.max_requests:,} requests). Cheap mix per 10 requests: "
        f"4 example queries ({len(calls['query'])} queries), 3 HTML pages ({len(calls['page'])} paths, "
        f"Accept-Language {'/'.join(LANGUAGES)}), 2 linked-data requests ({len(calls['data'])} resources as "
        f"{', '.join(DATA_TYPES)}), 1 download ({', '.join(DOWNLOADS)}). Expensive, in turn: "
        f"{', '.join(EXPENSIVE_QUERIES)}."
    )
    print_requests(report)
    print_expensive(report)
    print_throughput(report)
    print_memory(report)
    print_workers(report)
    if report.nuisance is not None:
        print_hostile(report, report.nuisance)


def print_requests(report: Report) -> None:
    print("\n### Requests\n")
    print("| phase | kind | requests | expected answer | other answers | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---:|---|---|---:|---:|---:|---:|")
    for phase in [*report.warm_up, *report.phases]:
        for kind, calls in report.calls.items():
            done = phase.of(kind)
            if not done:
                continue
            others = Counter(o.answer for o in done if not o.expected)
            seconds = [o.seconds for o in done]
            print(
                f"| {phase.name} | {kind} | {len(done):,} | {' or '.join(calls[0].expected)} × "
                f"{len(done) - others.total():,} | "
                f"{', '.join(f'{a} × {n}' for a, n in others.most_common()) or 'none'} | "
                + " | ".join(percentile_ms(seconds, f) for f in (0.5, 0.95, 0.99, 1.0))
                + " |"
            )
    cores = os.cpu_count() or 1
    for phase in report.phases:
        print(
            f"\n{phase.name}: {len(phase.outcomes):,} requests in {phase.seconds:.1f} s. CPU, of {cores} cores: "
            f"server and workers {phase.server_cpu / phase.seconds / cores:.0%}, "
            f"clients {phase.client_cpu / phase.seconds / cores:.0%}."
        )


def print_expensive(report: Report) -> None:
    done = report.phase("all").of("expensive")
    stopped = [o.seconds for o in done if o.answer == STOPPED]
    if not stopped:
        return
    print(
        f"\n**Expensive queries:** {len(stopped)} of {len(done)} stopped with 503 at the time limit of "
        f"{report.settings.timeout:g} s, after {min(stopped):.2f} s (least), {statistics.median(stopped):.2f} s "
        f"(median) and {max(stopped):.2f} s (most) from sending."
    )


def print_throughput(report: Report) -> None:
    phase = report.phase("all")
    answered, seconds = phase.cheap_while_expensive()
    rate = answered / seconds if seconds else 0
    line = f"\n**Cheap requests per second:** {rate:.1f} while an expensive query ran ({answered:,} in {seconds:.1f} s)"
    baseline = next((p for p in report.phases if p.name == "cheap only"), None)
    if baseline is not None:
        alone = len(baseline.outcomes) / baseline.seconds
        line += f", {alone:.1f} with the cheap clients alone ({len(baseline.outcomes):,} in {baseline.seconds:.1f} s)"
    print(line + ".")


def print_memory(report: Report) -> None:
    samples = [s for p in report.phases for s in p.samples]
    run = report.phase("all").samples
    third = max(1, len(run) // 3)
    print("\n### Memory of the server and its workers, sampled every second\n")
    print(
        "| measure | after warm-up | min | max | last sample | at rest after the run | mean, first third | mean, "
        "last third | trend |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    measures = {
        "rss": "RSS, server and workers",
        "pss": "PSS, server and workers",
        "server_rss": "RSS, server alone",
        "server_pss": "PSS, server alone",
    }
    for name, label in measures.items():
        values = [getattr(s, name) for s in samples]
        first = statistics.mean(getattr(s, name) for s in run[:third])
        last = statistics.mean(getattr(s, name) for s in run[-third:])
        print(
            f"| {label} | {_mib(getattr(report.warm, name))} | {_mib(min(values))} | {_mib(max(values))} | "
            f"{_mib(values[-1])} | {_mib(getattr(report.end, name))} | {_mib(first)} | {_mib(last)} | "
            f"{last / first - 1:+.1%} |"
        )


def print_workers(report: Report) -> None:
    counts = [len(s.workers) for p in report.phases for s in p.samples]
    stopped = sum(o.answer == STOPPED for p in report.phases for o in p.outcomes)
    print(
        f"\n**Worker processes:** {len(report.warm.workers)} after the warm-up, {len(report.end.workers)} at rest "
        f"after the run (configured: {report.settings.workers}), {min(counts)}–{max(counts)} in the samples. "
        f"{len(report.end.workers - report.warm.workers)} of those at rest were started during the run, "
        f"replacing the workers killed with the {stopped} queries stopped at the time limit."
    )
    unexpected = report.unexpected()
    if unexpected:
        print(f"\n**{len(unexpected)} requests got another answer than expected.**")


def print_hostile(report: Report, nuisance: Nuisance) -> None:
    settings = report.settings
    cheap = [o for o in report.phase("all").cheap() if o.kind == "query"]
    seconds = [o.seconds for o in cheap]
    failed = sum(not o.expected for o in cheap)
    print("\n### Under attack\n")
    print(
        f"Cheap queries (uncached: no result cache) while attackers ran: {len(cheap):,}, {failed} errors, "
        f"p50 {percentile_ms(seconds, 0.5)} ms, p99 {percentile_ms(seconds, 0.99)} ms, max "
        f"{percentile_ms(seconds, 1.0)} ms."
    )
    fresh = report.phase("all").of("fresh")
    if fresh:
        answered = [o.seconds for o in fresh if o.answer == "200"]
        print(
            f"Fresh queries (an example query made new by a comment each time, from an address of its own): "
            f"{len(fresh):,}, {len(answered):,} answered, {len(fresh) - len(answered)} busy; answered in "
            f"p50 {percentile_ms(answered, 0.5)} ms, p99 {percentile_ms(answered, 0.99)} ms, "
            f"max {percentile_ms(answered, 1.0)} ms."
        )
    dropped = [c for _, c in nuisance.read if c is not None]
    print(
        f"Slow readers: {len(nuisance.read)}, asking for {LARGE!r} as N-Triples and reading 1 KB a second; "
        f"{len(dropped)} dropped by the server, after {min(dropped, default=0):.0f}–{max(dropped, default=0):.0f} s, "
        "having read "
        f"{min((r for r, _ in nuisance.read), default=0):,}–{max((r for r, _ in nuisance.read), default=0):,} bytes."
    )
    closed = [c for c, _ in nuisance.loris if c is not None]
    answers = Counter(a for _, a in nuisance.loris)
    print(
        f"Slowloris connections: {len(nuisance.loris)}; {len(closed)} closed by the server after "
        f"{min(closed, default=0):.1f}–{max(closed, default=0):.1f} s, answers: "
        f"{', '.join(f'{a} × {n}' for a, n in answers.most_common())}."
    )
    samples = [s for p in report.phases for s in p.samples]
    peak = max(s.rss for s in samples)
    bound = report.warm.rss + settings.workers * settings.max_query_memory * MIB + 256 * MIB
    print(
        f"Peak RSS of the server and its workers: {_mib(peak)}, against the bound the settings give of {_mib(bound)} "
        f"(at rest after the warm-up {_mib(report.warm.rss)} + {settings.workers} workers × --max-query-memory "
        f"{settings.max_query_memory} MiB + 256 MiB of answers being sent). Peak open files of the server: "
        f"{max(s.server_fds for s in samples)} (at rest {report.warm.server_fds})."
    )


def _mib(value: float) -> str:
    return f"{value / MIB:,.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--announcements", type=int, default=88, help="synthetic announcements to make (default 88, about 100k triples)"
    )
    source.add_argument("--project", type=Path, help="serve this project folder instead of a synthetic one")
    defaults = Settings()
    parser.add_argument(
        "--clients",
        type=int,
        default=defaults.clients,
        help=f"concurrent clients, cheap and expensive (default {defaults.clients})",
    )
    parser.add_argument(
        "--expensive-clients",
        type=int,
        default=defaults.expensive_clients,
        help=f"clients sending expensive queries (default {defaults.expensive_clients})",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=defaults.duration,
        help=f"seconds with all clients (default {defaults.duration:g})",
    )
    parser.add_argument(
        "--baseline",
        type=float,
        default=defaults.baseline,
        help=f"seconds before, with the cheap clients alone (default {defaults.baseline:g}; 0: none)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=defaults.max_requests,
        help=f"stop after this many requests (default {defaults.max_requests})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=defaults.timeout,
        help=f"rit-graph serve --timeout (default {defaults.timeout:g})",
    )
    parser.add_argument(
        "--workers", type=int, default=defaults.workers, help=f"rit-graph serve --workers (default {defaults.workers})"
    )
    parser.add_argument("--hostile", action="store_true", help="add attackers, slow readers and slowloris connections")
    parser.add_argument(
        "--max-query-memory",
        type=int,
        default=defaults.max_query_memory,
        help=f"rit-graph serve --max-query-memory in MiB (default {defaults.max_query_memory})",
    )
    parser.add_argument(
        "--read-timeout",
        type=float,
        default=defaults.read_timeout,
        help=f"rit-graph serve --read-timeout (default {defaults.read_timeout:g})",
    )
    arguments = parser.parse_args()
    if not 0 < arguments.expensive_clients < arguments.clients:
        parser.error("--expensive-clients must be at least 1 and fewer than --clients")
    settings = Settings(
        arguments.clients,
        arguments.expensive_clients,
        arguments.duration,
        arguments.baseline,
        arguments.max_requests,
        arguments.timeout,
        arguments.workers,
        arguments.hostile,
        arguments.max_query_memory,
        read_timeout=arguments.read_timeout,
    )

    exit_on_sigterm()
    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="load-test-") as scratch:
        work = Path(scratch)
        if arguments.project is None:
            project_dir = work / "project"
            make_project(project_dir, arguments.announcements)
            data = f"{arguments.announcements} synthetic announcements"
        else:
            project_dir = arguments.project.resolve()
            data = str(project_dir)
        report = run(project_dir, settings, work)
    print_report(report, load_average, data)
    return 1 if report.unexpected() or len(report.end.workers) != settings.workers else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
