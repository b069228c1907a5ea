"""How long the site takes to render: the whole static site, and one page as the server would.

Times, on the repository's project: building the page index (``Site``), the
schema.org blocks, each kind of page, and ``write_site`` writing every page
and data file. Prints a table with the machine it ran on.

    .venv/bin/python -m benchmarks.site_render
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.output.site import PAGE_LANGUAGES, Site, write_site

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
