"""What the endpoint benchmarks share: servers started on loopback, the example queries, /proc figures.

Used by endpoint_throughput.py and load_test.py (and, through load_test.py, by
tests/test_load.py), so that they start, stop and measure servers alike. Linux
only: process families, CPU times and memory are read from /proc.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

import rit_graph
from rit_graph.query.sparql import check

BIN = Path(sys.executable).parent
#: Seconds a server may take to load its data and answer its first request.
START_TIMEOUT = 900.0
RESULTS_JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Query:
    """One example query and the Accept header it is sent with."""

    name: str
    text: str
    accept: str


@dataclass(frozen=True)
class Server:
    """A running endpoint: its name, the URL queries are POSTed to, its process and its log."""

    name: str
    endpoint: str
    process: subprocess.Popen[bytes]
    log: Path


def read_queries(folder: Path) -> list[Query]:
    """Every .rq in FOLDER, with the Accept header its form calls for."""
    queries = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        accept = "application/n-triples" if check(text).form.gives_graph else RESULTS_JSON
        queries.append(Query(path.stem, text, accept))
    return queries


def query_headers(accept: str) -> dict[str, str]:
    """Headers of a query POSTed as application/sparql-query, asking for ACCEPT."""
    return {"Content-Type": "application/sparql-query", "Accept": accept}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def started(name: str, endpoint: str, command: list[str], log: Path) -> Iterator[Server]:
    """COMMAND running in a session of its own until the block ends; then it and all it forked are stopped."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield Server(name, endpoint, process, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_ready(server: Server) -> float:
    """Seconds until SERVER answers ``ASK {}``; RuntimeError with its log if it exits or takes too long."""
    start = time.perf_counter()
    with httpx.Client(timeout=10) as client:
        while time.perf_counter() - start < START_TIMEOUT:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"{server.name} exited with {server.process.returncode}:\n{server.log.read_text()[-3000:]}"
                )
            with contextlib.suppress(httpx.TransportError):
                if client.post(server.endpoint, content="ASK {}", headers=query_headers(RESULTS_JSON)).is_success:
                    return time.perf_counter() - start
            time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer within {START_TIMEOUT:g} s:\n{server.log.read_text()[-3000:]}")


def _stat_fields(pid: int | str) -> list[str]:
    """/proc/PID/stat after the command name (which may hold spaces): state, parent, ...; OSError if gone."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def _processes() -> dict[int, tuple[str, int]]:
    """Every process's state and parent, from /proc."""
    found: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = _stat_fields(entry.name)
                found[int(entry.name)] = (fields[0], int(fields[1]))
    return found


def family(pid: int) -> set[int]:
    """Process PID and its descendants (a server, its workers' fork server and the workers)."""
    parents = {p: parent for p, (_, parent) in _processes().items()}
    members = {pid}
    while more := {p for p, parent in parents.items() if parent in members} - members:
        members |= more
    return members


def workers(pid: int) -> set[int]:
    """The query workers of server PID that have not ended: the children of its children (its one
    child is the fork server that forks them), zombies left out."""
    processes = _processes()
    forkers = {p for p, (_, parent) in processes.items() if parent == pid}
    return {p for p, (state, parent) in processes.items() if parent in forkers and state != "Z"}


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) of process PID and its descendants, from /proc: the live ones, and the
    ended ones their parents waited for (a worker killed at the time limit), which count in their parents'."""
    ticks = 0
    for member in family(pid):
        with contextlib.suppress(OSError):
            ticks += sum(int(f) for f in _stat_fields(member)[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile_ms(values: list[float], fraction: float) -> str:
    """The nearest-rank percentile of VALUES (seconds) in milliseconds, or a dash when there are none."""
    if not values:
        return "–"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))] * 1000:.1f}"


def command_line() -> str:
    """This process's command as one can paste it, with PYTHONPATH if it was set: ``python -m benchmarks.NAME``
    for a benchmark run as a module, as they are meant to be."""
    environment = [f"PYTHONPATH={os.environ['PYTHONPATH']}"] if os.environ.get("PYTHONPATH") else []
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    script = ["-m", spec.name] if spec is not None else sys.argv[:1]
    return shlex.join([*environment, os.path.relpath(sys.executable), *script, *sys.argv[1:]])


def machine(load_average: float) -> str:
    return (
        f"{platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {load_average:.2f} at the start"
    )


def software() -> str:
    return (
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__}, oxigraph {version('oxigraph')}, "
        f"rit-graph {version('rit-graph')} (from {next(iter(rit_graph.__path__))}), uvicorn {version('uvicorn')}, "
        f"starlette {version('starlette')}, rdflib {version('rdflib')}, httpx {version('httpx')}"
    )


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def exit_on_sigterm() -> None:
    """Leave on SIGTERM as on an error: through the finally blocks that stop the servers."""
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
