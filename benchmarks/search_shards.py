"""Time the static site's search index at N synthetic announcements: Pagefind over every written page (what
the build did before the index was sharded) against the sharded index from the data, in a full build and
after one announcement changed.

    .venv/bin/python -m benchmarks.search_shards 88
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.scale import change_one_announcement
from benchmarks.synthetic import make_project
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.output.site import Site, write_site
from rit_graph.output.site.search_shards import pagefind_binary, shards, write_index
from rit_graph.runtime.cache import Cache


def main(announcements: int, workers: int) -> None:
    binary = pagefind_binary()
    assert binary is not None, "needs pagefind[extended]"
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        project = make_project(work / "project", announcements).root
        corpus = load(Project.open(project))
        written = write_site(corpus, work / "site", cache=Cache(None), workers=workers)
        start = time.perf_counter()
        subprocess.run(
            [str(binary), "--site", str(work / "site"), "--output-subdir", "pagefind-pages", "--silent"], check=True
        )
        pages = time.perf_counter() - start
        site = Site(corpus)
        records = sum(len(s) for s in shards(site))
        cache = Cache(work / "cache")
        start = time.perf_counter()
        full = write_index(site, work / "full", cache)
        sharded = time.perf_counter() - start
        change_one_announcement(project)
        changed_site = Site(load(Project.open(project)))
        start = time.perf_counter()
        changed = write_index(changed_site, work / "changed", Cache(work / "cache"))
        after_change = time.perf_counter() - start
    print(f"announcements: {announcements}; site files: {len(written.files):,}; search records: {records:,}")
    print(f"Pagefind over every written page (each build before): {pages:.1f} s")
    print(f"sharded index, full: {sharded:.1f} s ({len(full)} shards indexed)")
    print(f"sharded index after one change: {after_change:.2f} s ({len(changed)} shard indexed)")
    print(f"after one change / full sharded: {after_change / sharded:.1%}; / pages before: {after_change / pages:.1%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("announcements", type=int)
    parser.add_argument("--workers", type=int, default=2, help="processes writing the site's pages")
    arguments = parser.parse_args()
    main(arguments.announcements, arguments.workers)
