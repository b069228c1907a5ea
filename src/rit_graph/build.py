"""Write the validated graph as dumps, a catalog and a site, all or nothing, byte-identical across runs.

Every dump is written from the same sorted list of quads, so the same input
gives the same bytes. The files are written into a fresh folder beside the
output folder, which then takes the output folder's place in one step: a
failed build leaves the previous output as it was, and a build killed at any
moment leaves it as it was or complete, never half written.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import functools
import multiprocessing
import multiprocessing.connection
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import ForkProcess
from pathlib import Path

import pyoxigraph as ox

from . import catalog, jsonld, schemaorg, site
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
#: Beside the output folder OUT: a build's .OUT.new-… folder, and .OUT.old-… where the previous output waits.
STAGING, RETIRED = "new", "old"


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
    recover(out)
    report = validate(corpus, cache=cache, progress=progress)
    if not report.conforms:
        raise ValidationFailed("the data does not conform to the shapes; nothing was written\n\n" + report.to_text())
    markup_report = schemaorg.check(corpus, corpus.schema_org, cache, progress)
    if not markup_report.conforms:
        raise ValidationFailed(
            "the schema.org projection lacks what search engines require; nothing was written\n\n"
            + markup_report.to_text()
        )
    with _replacing(out) as folder:
        files, downloads = write_downloads(corpus, folder, os.cpu_count() or 1, cache, progress)
        if with_site:
            site.write_site(corpus, folder / SITE_FOLDER, downloads)
            files.append(folder / SITE_FOLDER)
    return BuildResult(out, [out / f.name for f in files], report, markup_report)


@contextmanager
def _replacing(out: Path) -> Iterator[Path]:
    """A fresh folder beside OUT that takes OUT's place in one step if the block succeeds.

    The build holds a lock on the folder while it works in it, so that
    another build's ``recover`` leaves it alone.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out.parent):
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.{STAGING}-", dir=out.parent))
        hold = _lock(staging)
    try:
        yield staging
        staging.chmod(0o755)
        _swap(staging, out)
    finally:
        # The unfinished output, or after the swap the previous one (if there was one).
        shutil.rmtree(staging, ignore_errors=True)
        os.close(hold)


def _swap(staging: Path, out: Path) -> None:
    """Put STAGING in OUT's place; OUT's previous content, if any, then lies at STAGING."""
    if not os.path.lexists(out):
        staging.replace(out)
    elif not _exchange(staging, out):
        # Where two folders cannot be exchanged in one step: two renames. A build killed
        # between them leaves no OUT, and the previous output in RETIRED; ``recover`` puts it back.
        with _locked(out.parent):
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.{RETIRED}-", dir=out.parent))
            hold = _lock(retired)
        try:
            out.replace(retired / out.name)
            try:
                staging.replace(out)
            except BaseException:
                (retired / out.name).replace(out)
                raise
        finally:
            shutil.rmtree(retired, ignore_errors=True)
            os.close(hold)


def recover(out: Path) -> None:
    """Clear up after builds of OUT that were killed: put back a previous output that such a build
    had moved aside and not yet replaced, and remove the folders they left beside OUT.

    The folders of a build running meanwhile are locked by it and left alone.
    """
    out = out.resolve()
    if not out.parent.is_dir():
        return
    prefixes = (f".{out.name}.{STAGING}-", f".{out.name}.{RETIRED}-")
    with _locked(out.parent):
        for folder in sorted(out.parent.iterdir()):
            if not folder.name.startswith(prefixes) or not folder.is_dir():
                continue
            hold = _lock_if_free(folder)
            if hold is None:
                continue
            try:
                previous = folder / out.name
                if folder.name.startswith(prefixes[1]) and previous.is_dir() and not os.path.lexists(out):
                    previous.replace(out)
                shutil.rmtree(folder, ignore_errors=True)
            finally:
                os.close(hold)


def _lock(folder: Path) -> int:
    """A descriptor holding an exclusive lock on FOLDER, taken once no other process holds one.

    The kernel releases the lock when its holder dies, so a folder whose lock
    is free belongs to no running build. Forked writers inherit it.
    """
    descriptor = os.open(folder, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def _lock_if_free(folder: Path) -> int | None:
    """Like ``_lock``, but None at once when another process holds the lock."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """FOLDER locked while the block runs: creating a build's folder and clearing up exclude each other."""
    descriptor = _lock(folder)
    try:
        yield
    finally:
        os.close(descriptor)


#: renameat2's flag and "relative to the working directory" (linux/fs.h, fcntl.h).
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap the folders at FIRST and SECOND in one step; False where the system cannot.

    Linux does it with renameat2(RENAME_EXCHANGE), on every common file system.
    """
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a file system or kernel without the exchange
    raise OSError(error, os.strerror(error), str(first), None, str(second))


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """C library's renameat2 (glibc 2.28 and later), or None."""
    if not sys.platform.startswith("linux"):
        return None
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is None:
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]
