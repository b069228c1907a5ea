"""How load, validate and build scale with the number of announcements.

Makes a synthetic project of N copies of the bw-i announcement (each with its
own IRIs, about 1,100 triples each) beside the repository's reference data,
then times each step once. Prints a table with the machine it ran on.
Validation runs one partition per announcement on WORKERS processes (default:
one per core); --validate-only skips the build, whose other steps (schema.org
check, dumps, site) are timed with it.

    .venv/bin/python benchmarks/build_scale.py 1 10 50
    .venv/bin/python benchmarks/build_scale.py --validate-only --workers 1 200
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rit_graph.build import build
from rit_graph.load import load
from rit_graph.project import Project
from rit_graph.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "announcements" / "bwi-cluster-japan-rit"
LOCAL_KINDS = ("partnership", "selection", "application", "event", "delegation", "market", "indicator", "distance")


def make_project(folder: Path, copies: int) -> Project:
    for part in ("ontology", "shapes", "data/reference"):
        shutil.copytree(ROOT / part, folder / part)
    text = (SEED / "announcement.ttl").read_text(encoding="utf-8")
    for n in range(copies):
        name = f"synthetic-{n:05d}"
        copy = text.replace("bwi-cluster-japan-rit", name)
        for kind in LOCAL_KINDS:
            copy = re.sub(rf"<id/{kind}/>", f"<id/{kind}/s{n:05d}->", copy)
        target = folder / "data" / "announcements" / name
        target.mkdir(parents=True)
        (target / "announcement.ttl").write_text(copy, encoding="utf-8")
        shutil.copy(SEED / "source.txt", target / "source.txt")
    return Project.open(folder)


def timed(step):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start


def main(sizes: list[int], workers: int | None, validate_only: bool) -> None:
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"validation workers: {workers or os.cpu_count()}")
    print()
    print("| announcements | triples | load s | validate s | validate s per announcement | build (validate + write) s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for copies in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            project = make_project(Path(tmp) / "project", copies)
            corpus, t_load = timed(lambda: load(project))
            report, t_validate = timed(lambda: validate(corpus, workers))
            assert report.conforms, report.to_text()
            t_build = "–" if validate_only else f"{timed(lambda: build(corpus, Path(tmp) / 'dist'))[1]:.2f}"
            print(f"| {copies} | {len(corpus.data)} | {t_load:.2f} | {t_validate:.2f} | "
                  f"{t_validate / copies:.3f} | {t_build} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[1, 10, 50], help="numbers of announcements")
    parser.add_argument("--workers", type=int, help="validation processes (default: one per core)")
    parser.add_argument("--validate-only", action="store_true", help="time load and validate, not the build")
    arguments = parser.parse_args()
    main(arguments.sizes, arguments.workers, arguments.validate_only)
