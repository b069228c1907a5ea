"""What the server's search costs on synthetic corpora: building its FTS5 index, its size, and queries.

    .venv/bin/python -m benchmarks.search_index 88 880

For each size: a synthetic project (``benchmarks.synthetic``) is made and loaded, the site built (as the server
builds it at start), then ``SearchIndex`` (timed: what the first /search waits for), and a few queries each run
five times (the median), a common word, a rare one, a Japanese name, a two-character one (LIKE) and one
matching every passage.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import make_project
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.output.search import SearchIndex
from rit_graph.output.site import Site

QUERIES = ("Kitakyushu", "Delegation", "Singapur", "北九州", "日立", "e")


def measure(announcements: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        make_project(Path(folder) / "project", announcements)
        corpus = load(Project.open(Path(folder) / "project"))
        triples = len(corpus.quads)
        started = time.perf_counter()
        site = Site(corpus)
        built_site = time.perf_counter() - started
        started = time.perf_counter()
        index = SearchIndex(site)
        built = time.perf_counter() - started
        size = sum(row[0] for row in index.db.execute("SELECT pgsize FROM dbstat") if row[0])
        print(
            f"{announcements} announcements, {triples} quads, {len(site.resources)} resources: "
            f"site {built_site:.2f} s, index {built:.2f} s, {len(index)} passages, {size / 2**20:.1f} MiB"
        )
        for query in QUERIES:
            times = []
            for _ in range(5):
                started = time.perf_counter()
                found = index.search(query)
                times.append(time.perf_counter() - started)
            print(f"  {query!r}: {found.total} results, median {statistics.median(times) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of synthetic announcements")
    for announcements in parser.parse_args().sizes:
        measure(announcements)


if __name__ == "__main__":
    main()
