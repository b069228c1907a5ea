"""How long the schema.org projection, its check and its markup blocks take.

Times each step on the repository's project (median of REPEAT runs) and
prints the figures with the machine they were measured on.

    .venv/bin/python -m benchmarks.schemaorg_markup 5
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from rit_graph import schemaorg
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.rdf.embed import script_element

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(step: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repeat: int) -> None:
    corpus = load(Project.open(ROOT))
    triples = schemaorg.project(Run(corpus))
    base = corpus.project.base_iri + "id/"
    pages = sorted(
        {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode) and "#" not in t.subject.value}
    )
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"projection: {len(triples)} triples, {len(pages)} pages; median of {repeat} runs\n")
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("project (7 CONSTRUCT queries per unit)", lambda: schemaorg.project(Run(corpus))),
        ("check (SHACL, pyshacl)", lambda: schemaorg.check(Run(corpus), schemaorg.projections(Run(corpus)))),
        (
            "announcement block (de)",
            lambda: script_element(schemaorg.markup(triples, base + "announcement/bwi-cluster-japan-rit")),
        ),
        (f"all {len(pages)} page blocks (de)", lambda: [script_element(schemaorg.markup(triples, p)) for p in pages]),
    ]
    for name, step in steps:
        print(f"{name:<36} {median_seconds(step, repeat) * 1000:9.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
