"""What the 404 page's search for close IRIs costs, by number of resources and path asked for.

Times ``ClosePaths.close_to`` (what every 404 runs) and, for comparison, the search before
issue 13, which compared the whole path asked for with every resource path using difflib,
and counts how often both name the same path first.
The paths are those of the repository's project (62) and of synthetic projects of 99 and
1,031 announcements (4,773 and 49,509 paths; 880 announcements are 1M triples), made by
renaming as ``benchmarks/synthetic.py`` does; the script first checks the renaming against
a 9-announcement project built with it.

With ``--http``, it also starts ``rit-graph serve`` on the repository's project and times
a page while 40 clients each ask for an 8 KB path that names nothing.

    .venv/bin/python -u -m benchmarks.not_found
    .venv/bin/python -u -m benchmarks.not_found --http
"""

from __future__ import annotations

import argparse
import difflib
import os
import platform
import random
import statistics
import string
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import NamedTuple

import httpx
import pyoxigraph as ox

from benchmarks.serving import BIN, free_port, started, wait_until_ready
from benchmarks.synthetic import OWN_REFERENCE, SEED_NAME, make_project
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.serve.linkeddata import ClosePaths, LinkedData

ROOT = Path(__file__).resolve().parent.parent
SIZES = (0, 99, 1_031)
REPEAT = 20
#: Past this many paths the search before is timed with the second of each case's sample sizes:
#: it takes seconds for a short path there, and would take minutes for an 8 KB one.
BEFORE_LIMIT = 5_000
LETTERS = string.ascii_lowercase + string.digits + "-/"


class Case(NamedTuple):
    """Paths asked for, and on how many of them the search before is timed, up to BEFORE_LIMIT paths and past it."""

    asked: list[str]
    before: tuple[int, int]


def typo(path: str, rng: random.Random) -> str:
    """PATH with one letter of its last segment swapped with the next, left out, added or changed."""
    folder, _, name = path.rpartition("/")
    i = rng.randrange(len(name) - 1)
    name = rng.choice(
        [
            name[:i] + name[i + 1] + name[i] + name[i + 2 :],
            name[:i] + name[i + 1 :],
            name[:i] + rng.choice(LETTERS[:26]) + name[i:],
            name[:i] + rng.choice(LETTERS[:26]) + name[i + 1 :],
        ]
    )
    return f"{folder}/{name}"


def cases(paths: list[str]) -> dict[str, Case]:
    """What a corpus of PATHS is asked: typos of its own paths, so that the results can be compared, and paths
    of every length that name nothing."""
    rng = random.Random(13)
    named = [p for p in paths if len(p.rpartition("/")[2]) > 1]
    return {
        "typo (id/place/kitakyuhsu)": Case(["id/place/kitakyuhsu"], (1, 1)),
        "wrong kind (id/city/kitakyushu)": Case(["id/city/kitakyushu"], (1, 1)),
        "one-letter typos of up to 150 resource paths": Case(
            [typo(p, rng) for p in rng.sample(named, min(150, len(named)))], (150, 20)
        ),
        "8 KB path, random letters": Case(["id/place/" + "".join(rng.choice(LETTERS) for _ in range(8183))], (1, 0)),
        "8 KB path, one letter": Case(["a" * 8192], (1, 0)),
        "8 KB path, a name repeated": Case(["id/place/" + "kitakyushu-" * 744], (1, 0)),
        "200 random paths of 1-300 characters": Case(
            ["".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 300))) for _ in range(200)], (20, 0)
        ),
    }


def resource_paths(seed: Corpus, announcements: int) -> list[str]:
    """The resource paths of a synthetic project of ANNOUNCEMENTS announcements, without building it."""
    base = seed.project.base_iri
    reference = ox.NamedNode(seed.project.graph_iri("reference"))
    shared = {q.subject.value for q in seed.quads if q.graph_name == reference and isinstance(q.subject, ox.NamedNode)}
    announcement = seed.graph(seed.announcement_graphs[SEED_NAME])
    local = {t.subject.value for t in announcement if isinstance(t.subject, ox.NamedNode)} - shared
    own = {base + "id/" + path for path in OWN_REFERENCE}
    seed_paths = [iri[len(base) :] for iri in LinkedData(seed).site.resources]
    old = "id/announcement/" + SEED_NAME
    paths = {p for p in seed_paths if base + p not in local} if announcements else set(seed_paths)
    for n in range(announcements):
        for p in seed_paths:
            if p.startswith(old):
                paths.add(f"id/announcement/synthetic-{n:05d}{p[len(old) :]}")
            elif base + p in local | own:
                paths.add(f"{p}-s{n:05d}")
    return sorted(paths)


def before(paths: list[str], path: str) -> list[str]:
    """The search as it was before issue 13: the whole PATH against every path, twice with difflib."""
    name = path.rsplit("/", 1)[-1].lower()

    def likeness(candidate: str) -> tuple[float, float]:
        return (
            difflib.SequenceMatcher(None, name, candidate.rsplit("/", 1)[-1].lower()).ratio(),
            difflib.SequenceMatcher(None, path.lower(), candidate.lower()).ratio(),
        )

    rated = sorted(((likeness(p), p) for p in paths), key=lambda r: (-r[0][0], -r[0][1], r[1]))
    return [p for (score, _), p in rated[:8] if score >= 0.6]


def timed(search: Callable[[str], list[str]], asked: list[str]) -> tuple[list[float], list[list[str]]]:
    """The milliseconds SEARCH took for each path of ASKED, and what it found."""
    spent, found = [], []
    for path in asked:
        start = time.perf_counter()
        found.append(search(path))
        spent.append((time.perf_counter() - start) * 1000)
    return spent, found


def shown(spent: list[float]) -> str:
    """One time as it is; several as their median and maximum."""
    if len(spent) == 1:
        return f"{spent[0]:,.2f} ms"
    return f"{statistics.median(spent):,.2f} ms (max {max(spent):,.2f})"


def over_http(clients: int = 40) -> None:
    """A page's time on its own, then while CLIENTS ask at once for an 8 KB path that names nothing."""
    port = free_port()
    command = [str(BIN / "rit-graph"), "serve", "--port", str(port), "--project", str(ROOT)]
    base = f"http://127.0.0.1:{port}/"
    browser = {"Accept": "text/html"}

    def get_ms(path: str, status: int) -> float:
        start = time.perf_counter()
        assert httpx.get(base + path, headers=browser, timeout=600).status_code == status, path
        return (time.perf_counter() - start) * 1000

    with (
        tempfile.TemporaryDirectory() as scratch,
        started("rit-graph serve", base + "sparql", command, Path(scratch) / "serve.log") as server,
    ):
        wait_until_ready(server)
        alone = [get_ms("id/place/kitakyushu", 200) for _ in range(REPEAT)]
        with ThreadPoolExecutor(clients) as pool:
            sent = [pool.submit(get_ms, "id/place/" + "kitakyushu-" * 744, 404) for _ in range(clients)]
            during = [get_ms("id/place/kitakyushu", 200)]
            while not all(f.done() for f in sent):
                during.append(get_ms("id/place/kitakyushu", 200))
            missed = [f.result() for f in sent]
    print(
        f"page alone: {shown(alone)}; {clients} 404s of 8 KB at once: {shown(missed)} each; "
        f"page meanwhile: {shown(during)} over {len(during)} requests"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-before", action="store_true", help="do not time the search before issue 13")
    parser.add_argument("--http", action="store_true", help="time a page while 40 clients ask for an 8 KB path")
    arguments = parser.parse_args()
    if arguments.http:
        over_http()
        return
    seed = load(Project.open(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        built = LinkedData(load(make_project(Path(folder) / "project", 9))).site.resources
        base = seed.project.base_iri
        assert resource_paths(seed, 9) == [iri[len(base) :] for iri in built], "renaming differs from synthetic.py"
    print(
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print("| resources | index: build, memory | case | close_to | before | same first result |")
    print("|---:|---|---|---:|---:|---|")
    for announcements in SIZES:
        paths = resource_paths(seed, announcements)
        start = time.perf_counter()
        close = ClosePaths(paths)
        build = (time.perf_counter() - start) * 1000
        tracemalloc.start()
        measured = ClosePaths(paths)
        memory = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        del measured
        index = f"{build:,.0f} ms, {memory:,.1f} MiB"
        for case, (asked, samples) in cases(paths).items():
            close.close_to(asked[0])  # warm
            spent, found = timed(close.close_to, asked * (REPEAT if len(asked) == 1 else 1))
            sample = asked[: samples[len(paths) > BEFORE_LIMIT]]
            if arguments.no_before or not sample:
                old, same = "not run", "—"
            else:
                old_spent, old_found = timed(partial(before, paths), sample)
                old = shown(old_spent)
                agree = [new[:1] == was[:1] for new, was in zip(found, old_found, strict=False)]
                same = f"{sum(agree)} of {len(agree)}" if len(agree) > 1 else ("yes" if agree[0] else "no")
            print(f"| {len(paths):,} | {index} | {case} | {shown(spent)} | {old} | {same} |", flush=True)
            index = ""


if __name__ == "__main__":
    main()
