"""A content-addressed cache on disk, so unchanged inputs are not worked on again.

An entry's key is the SHA-256 of everything its value depends on (the
caller's inputs, the versions of the tools and a digest of rit-graph's own
files), so an
entry never goes stale: a change of any input is a different key. Entries
are written atomically and an unreadable entry counts as missing.
``Cache.map`` runs work through a cache: validation partitions and chunks
of the schema.org check are computed only when their content is new.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from rit_graph.rdf.ntriples import ntriples, read_ntriples, triple_order
from rit_graph.runtime.forking import forked_map
from rit_graph.runtime.progress import Progress

#: The folder of a project where rit-graph keeps its caches (ignored by git).
CACHE_FOLDER = ".rit-graph-cache"
#: An environment variable naming a folder for the caches instead, one subfolder per project: for a
#: checkout that must stay clean (the tests set it) or a cache kept apart (a CI cache, a faster disk).
CACHE_DIR_VARIABLE = "RIT_GRAPH_CACHE_DIR"
#: Seconds after which a value still being written is taken for the leftover of a killed run.
WRITING_FOR_AT_MOST = 3600
J = TypeVar("J")


@functools.cache
def _versions() -> tuple[str, ...]:
    return (
        *(version(package) for package in ("rit-graph", "pyshacl", "rdflib", "pyoxigraph", "pyld")),
        code_digest(),
    )


def code_digest() -> str:
    """A digest of rit-graph's own files (code, queries, templates, shapes, contexts), as this process runs them.

    rit-graph's version number does not change while its code is worked on:
    an edited renderer would otherwise be given the output cached by the old one.
    """
    package = Path(__file__).parent.parent  # rit_graph/, of which this is runtime/cache.py
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_folder(project_root: Path) -> Path:
    """Where the caches of the project at PROJECT_ROOT go: its CACHE_FOLDER, or a folder of its own in
    $RIT_GRAPH_CACHE_DIR (one per project: each run drops the values its project no longer has)."""
    elsewhere = os.environ.get(CACHE_DIR_VARIABLE)
    if not elsewhere:
        return project_root / CACHE_FOLDER
    return Path(elsewhere) / hashlib.sha256(str(project_root.resolve()).encode("utf-8")).hexdigest()[:16]


def key(*parts: bytes | str) -> str:
    """A key for PARTS and the versions of the tools that compute cached values."""
    digest = hashlib.sha256()
    for part in (*_versions(), *parts):
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class Cache:
    """Values by key, one file each under FOLDER (lists of triples as N-Triples); FOLDER None disables it."""

    def __init__(self, folder: Path | None, counts: Counter[str] | None = None, kind: str = "") -> None:
        self.folder = folder
        #: Lookups answered ("hits") and not ("misses"), and values not kept ("unwritable"), shared with
        #: the caches ``within`` this one; each also counted by kind, such as "validation hits".
        self.counts = counts if counts is not None else Counter()
        self.kind = kind

    def _count(self, what: str) -> None:
        self.counts[what] += 1
        self.counts[f"{self.kind} {what}"] += 1

    def within(self, name: str) -> Cache:
        """A cache of its own for another kind of value, in a subfolder."""
        return Cache(self.folder / name if self.folder else None, self.counts, name)

    def map(
        self,
        work: Callable[[J], list[ox.Triple]],
        keys: Sequence[str],
        job: Callable[[int], J],
        workers: int,
        progress: Progress,
        task: str,
        min_parallel: int = 2,
        isolated: bool = False,
    ) -> list[Callable[[], list[ox.Triple]]]:
        """What WORK gives for the job under each of KEYS, read from this cache only when called for.

        A value in the cache is not computed again; the others are computed
        (on WORKERS forked processes when at least MIN_PARALLEL are left, and
        always in forked processes if ISOLATED, see ``forked_map``) and kept.
        JOB(i) gives the i-th job, asked for only when its value is not in the cache.
        Values under other keys are dropped (``keep_only``).
        """
        found: dict[int, Callable[[], list[ox.Triple]]] = {}
        for i, k in enumerate(keys):
            if self.has(k, ".nt"):
                found[i] = functools.partial(self._read_or_redo, k, functools.partial(_redo, work, job, i))
        todo = [i for i in range(len(keys)) if i not in found]
        progress.start(task, len(todo))
        parallel = workers if len(todo) >= min_parallel else 1
        forked = parallel > 1 or isolated

        def run(i: int) -> bytes | list[ox.Triple]:
            # A worker sends back N-Triples, which are read here only if asked for.
            answer = work(job(i))
            return ntriples(answer) if forked else answer

        for n, answer in enumerate(forked_map(run, todo, parallel, task, isolated)):
            i = todo[n]
            if isinstance(answer, bytes):
                self.put_bytes(keys[i], answer, ".nt")
                found[i] = functools.partial(read_ntriples, answer)
            else:
                self.put(keys[i], answer)
                found[i] = functools.partial(_same, answer)
            progress.advance()
        progress.finish()
        self.keep_only(keys)
        return [found[i] for i in range(len(keys))]

    def has(self, key: str, suffix: str, count: bool = True) -> bool:
        """Whether a value is kept under KEY, counted as a hit or a miss if COUNT."""
        known = self.folder is not None and self._path(key, suffix).is_file()
        if self.folder is not None and count:
            self._count("hits" if known else "misses")
        return known

    def _read_or_redo(self, key: str, redo: Callable[[], list[ox.Triple]]) -> list[ox.Triple]:
        """The value under KEY; if it became unreadable, REDO's, kept in its place."""
        value = self.get(key, count=False)
        if value is None:
            value = redo()
            self.put(key, value)
        return value

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove the values in this cache's folder under other keys than KEYS.

        Called with every key a run used, so that what the corpus no longer
        has does not pile up; ``within`` caches of other kinds are left alone.
        """
        kept = set(keys)
        stale = time.time() - WRITING_FOR_AT_MOST
        for entry in self._entries():
            # Names starting with "." are values being written: by another run now, or by one killed long ago.
            if entry.name.startswith("."):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < stale:
                        os.unlink(entry.path)
            elif entry.name.split(".")[0] not in kept and entry.is_file():
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)

    def kept(self, suffix: str) -> set[str]:
        """The keys of the values kept with SUFFIX, from one listing of the folder: a site asks about tens of
        thousands of files, most of them not kept after a change of the code."""
        return {e.name.removesuffix(suffix) for e in self._entries() if e.name.endswith(suffix) and e.name[0] != "."}

    def _entries(self) -> Iterator[os.DirEntry[str]]:
        """The files and folders in this cache's folders of values (none if it has no folder)."""
        try:
            folders = [e for e in os.scandir(self.folder) if e.is_dir()] if self.folder is not None else []
        except OSError:
            return
        for folder in folders:
            listed: list[os.DirEntry[str]] = []
            with contextlib.suppress(OSError), os.scandir(folder.path) as entries:
                listed = list(entries)  # listed before the caller removes any
            yield from listed

    def _path(self, key: str, suffix: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}{suffix}"

    def get(self, key: str, count: bool = True) -> list[ox.Triple] | None:
        """The triples kept under KEY; None if there are none or they cannot be read."""
        data = self.get_bytes(key, ".nt", count)
        if data is None:
            return None
        try:
            return read_ntriples(data)
        except SyntaxError:
            return None

    def put(self, key: str, triples: list[ox.Triple]) -> None:
        self.put_bytes(key, ntriples(triples), ".nt")

    def get_bytes(self, key: str, suffix: str, count: bool = True) -> bytes | None:
        if self.folder is None:
            return None
        try:
            found = self._path(key, suffix).read_bytes()
        except OSError:
            if count:
                self._count("misses")
            return None
        if count:
            self._count("hits")
        return found

    def put_bytes(self, key: str, data: bytes, suffix: str) -> None:
        """Keep DATA under KEY; a cache that cannot be written (a read-only project) is skipped, not fatal."""
        if self.folder is None:
            return
        self._replace(key, suffix, lambda temporary: Path(temporary).write_bytes(data))

    def take_file(self, key: str, suffix: str, target: str | Path, count: bool = True) -> bool:
        """Put the value under KEY at TARGET (a new file), counted as a hit or a miss if COUNT; False if there
        is none.

        The value is linked, not copied, where the cache and TARGET share a file system: a site of
        many files is then put together at the cost of its folders. A value is never changed in place
        (``keep_file`` replaces it whole), so a link stays what was kept.
        """
        if self.folder is None:
            return False
        kept = os.path.join(self.folder, key[:2], key + suffix)  # as _path, without pathlib's cost
        try:
            try:
                os.link(kept, target)
            except OSError as e:
                if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                shutil.copyfile(kept, target)
        except FileNotFoundError:
            if count:
                self._count("misses")
            return False
        if count:
            self._count("hits")
        return True

    def keep_file(self, key: str, suffix: str, source: str | Path) -> None:
        """Keep the file at SOURCE under KEY, linked where it can be (see ``take_file``), else copied."""
        if self.folder is None:
            return
        try:
            # Nothing is kept under KEY yet, in a folder made before: one call (a site keeps tens of thousands).
            os.link(source, os.path.join(self.folder, key[:2], key + suffix))
            return
        except OSError:
            pass  # no folder yet, a value already kept, another file system: as any value is kept

        def link_or_copy(temporary: str) -> None:
            try:
                os.unlink(temporary)
                os.link(source, temporary)
            except OSError:
                shutil.copyfile(source, temporary)

        self._replace(key, suffix, link_or_copy)

    def _replace(self, key: str, suffix: str, fill: Callable[[str], object]) -> None:
        """Put under KEY the temporary file FILL writes, whole or not at all; a cache that cannot be written
        (a read-only project) is skipped, not fatal."""
        path = self._path(key, suffix)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=suffix)
            os.close(handle)
        except OSError:
            self._count("unwritable")
            return
        try:
            fill(temporary)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _redo(work: Callable[[J], list[ox.Triple]], job: Callable[[int], J], i: int) -> list[ox.Triple]:
    return work(job(i))


def union(cache: Cache, parts: Iterable[tuple[str, Callable[[], list[ox.Triple]]]]) -> list[ox.Triple]:
    """The triples of all PARTS, each once, sorted: a part is (key, what computes it), kept in CACHE.

    Parts are joined as N-Triples lines, so a part from the cache is never parsed.
    """
    lines: dict[bytes, None] = {}
    keys = []
    for part_key, compute in parts:
        keys.append(part_key)
        data = cache.get_bytes(part_key, ".nt")
        if data is None:
            data = ntriples(compute())
            cache.put_bytes(part_key, data, ".nt")
        lines.update(dict.fromkeys(data.split(b"\n")))
    cache.keep_only(keys)
    return sorted(read_ntriples(b"\n".join(lines)), key=triple_order)


def _same(value: list[ox.Triple]) -> list[ox.Triple]:
    return value
