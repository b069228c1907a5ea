"""How rit-graph scales: validate, build, incremental build and queries at about 10k, 100k and 1M triples.

For each size, makes a synthetic project (benchmarks/synthetic.py) and runs
the real command line on it, each step in its own process, printing wall
time and peak memory (the largest process of the step, from wait4):

- validate: ``rit-graph validate --no-cache`` (every partition validated);
- build: ``rit-graph build --no-site`` with an empty cache (validate, dumps, gzip, catalog);
- incremental build: the same after changing one announcement (the cache from the build before);
- with --site: ``rit-graph build`` with the static site and an empty cache, each run right after one
  without it (its ratio to that run), the same after the one change (the cache from the build before,
  its share of the build with site), and the site's files and bytes per announcement;
- with --repeat N: each build from an empty cache (with and without the site) run N times, each into new
  folders, and its median shown with the fastest and slowest, the ratio as the median of the N pairs':
  on a shared machine one run can be a third slower than the next;
- with --site --no-cache also: after each pair, the same pair with ``build --no-cache``, as issue 16
  measured the site's cost (its 4.4-9.6x), and the median of those pairs' ratios: a build that keeps
  nothing neither makes the keys of what each page shows nor links each file into the cache;
- queries: ``rit-graph serve`` started on the project, then each example query of
  queries/ sent once over HTTP; the time to answer all, and the server's peak memory.

Prints a Markdown table with the machine, the date and the command.

    .venv/bin/python -m benchmarks.scale 9 88 880
    .venv/bin/python -m benchmarks.scale --site --repeat 3 9 88
    .venv/bin/python -m benchmarks.scale --site --no-cache --repeat 5 88
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.serving import command_line, free_port, started, wait_until_ready
from benchmarks.synthetic import make_project
from rit_graph.runtime.cache import CACHE_DIR_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
RIT_GRAPH = str(Path(sys.executable).parent / "rit-graph")


@dataclass
class Step:
    seconds: float
    peak_mib: float
    #: The fastest and slowest of repeated runs (``median``), for a step run more than once.
    spread: tuple[float, float] | None = None


def median(steps: list[Step]) -> Step:
    """The median run of STEPS (by time), with the fastest and slowest."""
    seconds = sorted(s.seconds for s in steps)
    middle = statistics.median_low(seconds)
    peak = max(s.peak_mib for s in steps)
    return Step(middle, peak, (seconds[0], seconds[-1]) if len(steps) > 1 else None)


def run(*arguments: str, cache: Path | None = None) -> Step:
    """Run rit-graph with ARGUMENTS (its cache in CACHE if given); its wall time and the peak memory of its
    largest process."""
    environment = {**os.environ, CACHE_DIR_VARIABLE: str(cache)} if cache is not None else None
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: a long report cannot block the command
        start = time.perf_counter()
        process = subprocess.Popen([RIT_GRAPH, *arguments], stdout=subprocess.DEVNULL, stderr=stderr, env=environment)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            raise SystemExit(f"rit-graph {' '.join(arguments)} failed:\n{stderr.read().decode()[-2000:]}")
    return Step(seconds, usage.ru_maxrss / 1024)


def change_one_announcement(project: Path, name: str = "synthetic-00000") -> None:
    """Edit announcement NAME as an editor would: a new English title."""
    (path,) = (project / "data" / "announcements" / name).glob("announcement.*")
    text = path.read_text(encoding="utf-8")
    changed = text.replace('for the first time"@en', 'for the first time (updated)"@en', 1)
    assert changed != text, "the synthetic announcement has no English title to change"
    path.write_text(changed, encoding="utf-8")


def serve_queries(project: Path, work: Path) -> tuple[float, float, int]:
    """Seconds to answer every example query once through rit-graph serve, its peak memory, and the queries."""
    port = free_port()
    command = [RIT_GRAPH, "serve", "--project", str(project), "--port", str(port), "--timeout", "120"]
    with started("rit-graph serve", f"http://127.0.0.1:{port}/sparql", command, work / "serve.log") as server:
        wait_until_ready(server)
        queries = sorted((project / "queries").glob("*.rq"))
        with httpx.Client(timeout=300) as client:
            start = time.perf_counter()
            for query in queries:
                client.post(server.endpoint, data={"query": query.read_text(encoding="utf-8")}).raise_for_status()
            seconds = time.perf_counter() - start
        return seconds, _peak_mib(server.process.pid), len(queries)


def _peak_mib(pid: int) -> float:
    """The peak resident memory of process PID (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(sizes: list[int], with_site: bool, repeat: int = 1, no_cache: bool = False) -> None:
    print(f"date: {datetime.date.today().isoformat()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(f"command: {command_line()}")
    print()
    header = ["announcements", "triples", "validate", "build", "incremental build", "incremental / build"]
    if with_site:
        header += ["build with site", "with site / build", "after one change, with site", "change / build with site"]
        header += ["site files per announcement", "site bytes per announcement"]
        header += ["with site / build, both --no-cache"] if no_cache else []
    header += ["example queries via serve", "load before, after (1 min)"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    # One folder for every size, deleted at the end: see below.
    with tempfile.TemporaryDirectory() as everything:
        for announcements in sizes:
            _size(announcements, Path(everything) / str(announcements), with_site, repeat, no_cache)


def _size(announcements: int, work: Path, with_site: bool, repeat: int, no_cache: bool) -> None:
    """Print the table's row for a project of ANNOUNCEMENTS, made and built in WORK.

    Nothing is deleted until every size has run, and each build from an empty cache gets a new folder for it
    rather than the old one deleted: on a file system that passes over inodes deleted in the last minutes
    when it makes a file (ext4 without a journal: up to six minutes while their blocks are not yet written
    back), a build run after thousands of files were deleted pays for passing over them in every file it
    makes, the site's tens of thousands most of all.
    """
    project = make_project(work / "project", announcements)
    folder = ["--project", str(project.root)]
    load_before = os.getloadavg()[0]
    triples = int(
        subprocess.run([RIT_GRAPH, "stats", *folder], capture_output=True, text=True, check=True).stdout.split()[0]
    )
    validate = run("validate", "--no-cache", *folder)

    def cold(name: str, i: int, *options: str) -> tuple[Step, str, Path]:
        """Run I of the build with OPTIONS from an empty cache, into new folders; its output folder and cache,
        for the build after a change."""
        out, cache = str(work / f"{name}-{i}"), work / f"cache-{name}-{i}"
        return run("build", *options, "--out", out, *folder, cache=cache), out, cache

    # The builds with and without the site in pairs, one right after the other: the load of a shared machine
    # drifts over minutes, and the ratio of each pair is taken before it does.
    builds, site_builds, bare = [], [], []
    for i in range(repeat):
        builds.append(cold("without-site", i, "--no-site"))
        if with_site:
            site_builds.append(cold("with-site", i))
        if with_site and no_cache:
            bare.append((cold("bare", i, "--no-cache", "--no-site")[0], cold("bare-site", i, "--no-cache")[0]))
    build = median([b for b, _, _ in builds])
    change_one_announcement(project.root)
    _, out, cache = builds[-1]
    incremental = run("build", "--no-site", "--out", out, *folder, cache=cache)
    cells = [
        f"{announcements}",
        f"{triples:,}",
        _cell(validate),
        _cell(build),
        _cell(incremental),
        f"{incremental.seconds / build.seconds:.1%}",
    ]
    if with_site:
        site_build = median([b for b, _, _ in site_builds])
        _, out, cache = site_builds[-1]
        site = [p.stat().st_size for p in (Path(out) / "site").rglob("*") if p.is_file()]
        site_change = run("build", "--out", out, *folder, cache=cache)  # the same change, from its own cache
        cells += [
            _cell(site_build),
            _ratio([(b, s) for (b, _, _), (s, _, _) in zip(builds, site_builds, strict=True)]),
            _cell(site_change),
            f"{site_change.seconds / site_build.seconds:.1%}",
            f"{len(site) / announcements:,.0f}",
            f"{sum(site) / announcements / 2**20:,.2f} MiB",
        ]
        cells += [_ratio(bare)] if no_cache else []
    seconds, peak, count = serve_queries(project.root, work)
    cells.append(f"{count} queries in {seconds:.2f} s, {peak:,.0f} MiB")
    # Other processes on the machine slow every step: the load says how many were running.
    cells.append(f"{load_before:.1f}, {os.getloadavg()[0]:.1f}")
    print("| " + " | ".join(cells) + " |", flush=True)


def _ratio(pairs: list[tuple[Step, Step]]) -> str:
    """The median of the ratios of PAIRS (without the site, with it), with the lowest and highest."""
    ratios = sorted(site.seconds / build.seconds for build, site in pairs)
    spread = f" ({ratios[0]:.2f}–{ratios[-1]:.2f})" if len(ratios) > 1 else ""
    return f"{statistics.median_low(ratios):.2f}x{spread}"


def _cell(step: Step) -> str:
    spread = f" ({step.spread[0]:.1f}–{step.spread[1]:.1f})" if step.spread else ""
    return f"{step.seconds:.1f} s{spread}, {step.peak_mib:,.0f} MiB"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[9, 88, 880], help="numbers of announcements")
    parser.add_argument("--site", action="store_true", help="also time the build with the static site")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each build from an empty cache, of which the median is shown"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="with --site, also time each pair of builds with --no-cache (issue 16's way of measuring the site)",
    )
    arguments = parser.parse_args()
    main(arguments.sizes, arguments.site, arguments.repeat, arguments.no_cache)
