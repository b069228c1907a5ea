"""How long the site takes to render: the whole static site, and one page as the server would.

Times, on the repository's project: building the page index (``Site``), the
schema.org blocks, each kind of page, and ``write_site`` writing every page
and data file. Prints a table with the machine it ran on. With ``--synthetic N``, on a
synthetic project of N announcements (``benchmarks/synthetic.py``; 88 make about 100k
triples), ``write_site`` once, in one process and without the cache, with its CPU time:
the rendering itself, whatever else the machine runs.

    .venv/bin/python -m benchmarks.site_render
    .venv/bin/python -m benchmarks.site_render --synthetic 88
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.synthetic import make_project
from rit_graph import schemaorg
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.output.site import PAGE_LANGUAGES, Site, schema_org_blocks, write_site

ROOT = Path(__file__).resolve().parent.parent


def timed(step: Callable[[], object], repeat: int = 1) -> float:
    """The median of REPEAT runs of STEP, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, metavar="N", help="a synthetic project of N announcements")
    announcements = parser.parse_args().synthetic
    if announcements is None:
        pages()
        return
    with tempfile.TemporaryDirectory() as work:
        whole_site(make_project(Path(work) / "project", announcements).root, Path(work) / "site")


def whole_site(project: Path, folder: Path) -> None:
    """write_site on PROJECT in one process, from nothing: wall and CPU time, files and bytes."""
    corpus = load(Project.open(project))
    blocks = schema_org_blocks(schemaorg.project(Run(corpus)))
    start, cpu = time.perf_counter(), time.process_time()
    write_site(corpus, folder, schema_block=blocks, workers=1)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    files = [p for p in folder.rglob("*") if p.is_file()]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"{len(corpus.quads):,} quads; write_site, one process: {wall:.1f} s wall, {cpu:.1f} s CPU of its own")
    print(f"{len(files):,} files, {sum(p.stat().st_size for p in files) / 2**20:.0f} MiB (Pagefind's CPU not counted)")


def pages() -> None:
    corpus = load(Project.open(ROOT))
    site = Site(corpus)
    kitakyushu = corpus.project.base_iri + "id/place/kitakyushu"
    rows = [
        ("Site(corpus): index, schema.org projection", timed(lambda: Site(corpus), 5)),
        ("resource page (Kitakyushu, en)", timed(lambda: site.resource(kitakyushu, "en"), 20)),
        ("home page (SVG diagram + timeline)", timed(lambda: site.home("en"), 20)),
        ("ontology page", timed(lambda: site.ontology_page("en"), 10)),
        ("shapes page", timed(lambda: site.shapes_page("en"), 10)),
        ("resource data, JSON-LD (Kitakyushu)", timed(lambda: site.resource_data(kitakyushu, "jsonld"), 20)),
    ]
    with tempfile.TemporaryDirectory() as folder:
        whole = timed(lambda: write_site(corpus, Path(folder)))
        files = sum(1 for p in Path(folder).rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    pages = f"{len(site.resources)} resources x {len(PAGE_LANGUAGES)} languages"
    rows.append((f"write_site: {files} files, {size // 1024} KiB, {pages}", whole))
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    for name, ms in rows:
        print(f"{ms:10.1f} ms  {name}")


if __name__ == "__main__":
    main()
