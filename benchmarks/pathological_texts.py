"""A newcomer's fresh queries while other addresses send 100 KB pathological query texts.

Serves a synthetic corpus (benchmarks/synthetic.py; about 1,140 triples per
announcement) with ``rit-graph serve``'s defaults. ATTACKERS clients, each on
a loopback address of its own, send ``ASK { FILTER(1+1+…) }`` texts of 98 KB
back to back, each new: half of them with the letters of SERVICE in a comment,
so that rdflib must parse them (in a worker, at most 5 s), half without, so
that pyoxigraph's own parser meets them (in a worker, which may crash on the
chain). Meanwhile a newcomer on another address sends a new cheap query every
half second. It prints how long the newcomer's queries took and what the
attackers got: issue 13 asks that the newcomer be answered within 1 s.

    .venv/bin/python -m benchmarks.pathological_texts [--announcements 88] [--attackers 6] [--duration 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from benchmarks.serving import (
    BIN,
    command_line,
    free_port,
    machine,
    percentile_ms,
    started,
    wait_until_ready,
)
from benchmarks.synthetic import make_project

#: What an attacker sends: about 98 KB of one operator chain, made new by the comment.
CHAIN = "ASK { FILTER(" + "1+" * 49_000 + "1) } # "


def attack(url: str, address: str, service: bool, stop: threading.Event, answers: Counter[str]) -> None:
    with httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=300) as client:
        for n in range(1_000_000):
            if stop.is_set():
                return
            text = CHAIN + (f"service {address} {n}" if service else f"{address} {n}")
            status = client.post(
                url, content=text.encode(), headers={"Content-Type": "application/sparql-query"}
            ).status_code
            answers[f"{'with' if service else 'without'} the letters of SERVICE: {status}"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--announcements", type=int, default=88, help="synthetic announcements (default 88, about 100k triples)"
    )
    parser.add_argument("--attackers", type=int, default=6, help="addresses sending pathological texts (default 6)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds the newcomer sends queries (default 60)")
    arguments = parser.parse_args()
    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pathological-") as scratch:
        project = Path(scratch) / "project"
        make_project(project, arguments.announcements)
        port = free_port()
        url = f"http://127.0.0.1:{port}/sparql"
        command = [str(BIN / "rit-graph"), "serve", "--project", str(project), "--port", str(port), "--no-access-log"]
        with started("rit-graph serve", url, command, Path(scratch) / "rit-graph.log") as server:
            wait_until_ready(server)
            stop, answers = threading.Event(), Counter[str]()
            attackers = [
                threading.Thread(target=attack, args=(url, f"127.0.0.{20 + n}", n % 2 == 1, stop, answers))
                for n in range(arguments.attackers)
            ]
            for thread in attackers:
                thread.start()
            time.sleep(3)
            seconds, statuses = [], Counter[int]()
            with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.99"), timeout=300) as newcomer:
                deadline, n = time.monotonic() + arguments.duration, 0
                while time.monotonic() < deadline:
                    began = time.perf_counter()
                    response = newcomer.get(url, params={"query": f"SELECT (COUNT(*) AS ?n) {{ ?s a ?c }} # new {n}"})
                    seconds.append(time.perf_counter() - began)
                    statuses[response.status_code] += 1
                    n += 1
                    time.sleep(0.5)
            stop.set()
            for thread in attackers:
                thread.join()
    print("## A newcomer among pathological query texts\n")
    print(f"command: `{command_line()}`  ")
    print(f"machine: {machine(load_average)}  ")
    print(
        f"load: {arguments.announcements} synthetic announcements; rit-graph serve with its defaults; "
        f"{arguments.attackers} attackers; the newcomer for {arguments.duration:g} s\n"
    )
    print(
        f"Newcomer: {len(seconds)} queries, answers {dict(statuses)}, p50 {percentile_ms(seconds, 0.5)} ms, "
        f"p99 {percentile_ms(seconds, 0.99)} ms, max {percentile_ms(seconds, 1.0)} ms, "
        f"mean {statistics.mean(seconds) * 1000:.1f} ms.  "
    )
    print("Attackers: " + ", ".join(f"{answer} × {count}" for answer, count in sorted(answers.items())) + ".")


if __name__ == "__main__":
    main()
