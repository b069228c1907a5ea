"""Write the validated graph as dumps, a catalog and a site, all or nothing, byte-identical across runs.

Every dump is written from the same sorted list of quads, so the same input
gives the same bytes. The files are written into a fresh folder beside the
output folder, which then takes the output folder's place in one step: a
failed build leaves the previous output as it was, and a build killed at any
moment leaves it as it was or complete, never half written.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import ForkProcess
from pathlib import Path

import pyoxigraph as ox

from . import catalog, jsonld, outputs, schemaorg, site
from .cache import Cache
from .errors import ValidationFailed
from .formats import BY_NAME
from .load import Corpus
from .namespaces import prefixes
from .progress import Progress
from .validate import Report, validate

DUMP_NAME = "rit-graph"
ONTOLOGY_FILE = "ontology.ttl"
SITE_FOLDER = "site"


@dataclass(frozen=True)
class BuildResult:
    out: Path
    files: list[Path]
    report: Report
    #: The schema.org projection checked against the search engines' requirements.
    schemaorg_report: Report


def sorted_quads(quads: list[ox.Quad]) -> list[ox.Quad]:
    """QUADS by graph, subject, predicate and object.

    ``str`` of a triple ("<s> <p> <o>") sorts as its three terms would, as
    subjects and predicates hold no spaces, and costs a third as much.
    """
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.triple)))


def union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The default-graph view: every triple once, in a stable order."""
    return sorted({q.triple for q in quads}, key=str)


def write_dumps(
    corpus: Corpus, folder: Path, workers: int = 1, cache: Cache | None = None, progress: Progress | None = None
) -> list[Path]:
    """Write the dumps of CORPUS into FOLDER, and gzip versions of the four graph dumps.

    The dumps differ in syntax only. With WORKERS > 1 they are written by
    that many forked processes at a time, which share the sorted quads with
    this one: at a million triples the JSON-LD files alone take half a minute.
    Pieces of the schema.org document compacted before come from CACHE.
    """
    base = corpus.project.base_iri
    quads = sorted_quads(corpus.quads)
    triples = union_triples(quads)
    names = prefixes(base, triples)
    context = jsonld.package_context(jsonld.CONTEXT_FILE, base)
    projection = corpus.schema_org

    def rdf(fmt: str, data: list[ox.Triple] | list[ox.Quad]) -> Callable[[Path], object]:
        return lambda path: ox.serialize(data, str(path), BY_NAME[fmt].oxigraph, prefixes=names)

    def compacted(path: Path) -> None:
        path.write_bytes(jsonld.dumps_texts(jsonld.compact_triples(triples, context)))

    writers: dict[str, Callable[[Path], object]] = {
        DUMP_NAME + ".ttl": rdf("turtle", triples),
        DUMP_NAME + ".nt": rdf("ntriples", triples),
        DUMP_NAME + ".trig": rdf("trig", quads),
        DUMP_NAME + ".jsonld": compacted,
        jsonld.CONTEXT_FILE: lambda path: path.write_text(jsonld.dumps(context), encoding="utf-8"),
        ONTOLOGY_FILE: rdf("turtle", sorted(corpus.ontology, key=str)),
        schemaorg.DUMP_FILE: lambda path: path.write_text(jsonld.dumps(schemaorg.document(projection, (cache or Cache(None)).within("schemaorg-jsonld"))), encoding="utf-8"),
    }

    def job(name: str) -> Callable[[], None]:
        def write() -> None:
            writers[name](folder / name)
            if name.startswith(DUMP_NAME + "."):
                catalog.gzip_file(folder / name)

        return write

    # The slowest first, so that the others fill the time of the other processes.
    slowest = (schemaorg.DUMP_FILE, DUMP_NAME + ".jsonld")
    progress = progress or Progress()
    progress.start("writing dumps", len(writers))
    _run(workers, {name: job(name) for name in sorted(writers, key=lambda name: name not in slowest)}, progress)
    progress.finish()
    files = [folder / name for name in writers]
    return files + [folder / (f.name + ".gz") for f in files if f.name.startswith(DUMP_NAME + ".")]


def _run(workers: int, jobs: dict[str, Callable[[], None]], progress: Progress) -> None:
    """Run JOBS, in forked processes WORKERS at a time if WORKERS > 1; any failure raises."""
    if workers <= 1:
        for run in jobs.values():
            run()
            progress.advance()
        return
    context = multiprocessing.get_context("fork")
    waiting = list(jobs.items())
    running: list[tuple[str, ForkProcess]] = []
    failed: list[str] = []
    while waiting or running:
        while waiting and len(running) < workers:
            name, run = waiting.pop(0)
            process = context.Process(target=run, name=name)
            process.start()
            running.append((name, process))
        multiprocessing.connection.wait([p.sentinel for _, p in running])
        for name, process in [r for r in running if not r[1].is_alive()]:
            process.join()
            running.remove((name, process))
            progress.advance()
            if process.exitcode != 0:
                failed.append(name)
    if failed:
        raise RuntimeError(f"writing {', '.join(failed)} failed (see the error above)")


def write_downloads(
    corpus: Corpus, folder: Path, workers: int = 1, cache: Cache | None = None, progress: Progress | None = None
) -> tuple[list[Path], list[catalog.Download]]:
    """The dumps, their gzip versions and catalog.ttl describing them: what a downloads page offers."""
    files = write_dumps(corpus, folder, workers, cache, progress)
    catalog_file, downloads = catalog.write_catalog(corpus, folder, files)
    return [*files, catalog_file], downloads


def build(
    corpus: Corpus,
    out: Path,
    cache: Cache | None = None,
    progress: Progress | None = None,
    with_site: bool = True,
) -> BuildResult:
    """Validate CORPUS, then replace OUT with its dumps (and site); on any failure OUT is left alone."""
    outputs.recover(out)
    report = validate(corpus, cache=cache, progress=progress)
    if not report.conforms:
        raise ValidationFailed("the data does not conform to the shapes; nothing was written\n\n" + report.to_text())
    markup_report = schemaorg.check(corpus, corpus.schema_org, cache, progress)
    if not markup_report.conforms:
        raise ValidationFailed(
            "the schema.org projection lacks what search engines require; nothing was written\n\n"
            + markup_report.to_text()
        )
    with outputs.replacing(out) as folder:
        files, downloads = write_downloads(corpus, folder, os.cpu_count() or 1, cache, progress)
        if with_site:
            site.write_site(corpus, folder / SITE_FOLDER, downloads)
            files.append(folder / SITE_FOLDER)
    return BuildResult(out, [out / f.name for f in files], report, markup_report)
