"""A content-addressed cache on disk, so unchanged inputs are not worked on again.

An entry's key is the SHA-256 of everything its value depends on (the
caller's inputs and the versions of rit-graph and its validator), so an
entry never goes stale: a change of any input is a different key. Entries
are written atomically and an unreadable entry counts as missing.
``Cache.map`` runs work through a cache: validation partitions and chunks
of the schema.org check are computed only when their content is new.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from .progress import Progress

#: The folder of a project where rit-graph keeps its caches (ignored by git).
CACHE_FOLDER = ".rit-graph-cache"
#: Seconds after which a value still being written is taken for the leftover of a killed run.
WRITING_FOR_AT_MOST = 3600
_NT = ox.RdfFormat.N_TRIPLES
J = TypeVar("J")


@functools.cache
def _versions() -> tuple[str, ...]:
    return tuple(version(package) for package in ("rit-graph", "pyshacl", "rdflib", "pyoxigraph", "pyld"))


def key(*parts: bytes | str) -> str:
    """A key for PARTS and the versions of the tools that compute cached values."""
    digest = hashlib.sha256()
    for part in (*_versions(), *parts):
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def ntriples(triples: list[ox.Triple]) -> bytes:
    """TRIPLES as N-Triples bytes, in their order: the bytes a key is made of."""
    return ox.serialize(triples, format=_NT) or b""


class Cache:
    """Values by key, one file each under FOLDER (lists of triples as N-Triples); FOLDER None disables it."""

    def __init__(self, folder: Path | None, counts: Counter[str] | None = None) -> None:
        self.folder = folder
        #: Lookups answered ("hits") and not ("misses"), shared with the caches ``within`` this one.
        self.counts = counts if counts is not None else Counter()

    @property
    def hits(self) -> int:
        return self.counts["hits"]

    @property
    def misses(self) -> int:
        return self.counts["misses"]

    def within(self, name: str) -> Cache:
        """A cache of its own for another kind of value, in a subfolder."""
        return Cache(self.folder / name if self.folder else None, self.counts)

    def map(
        self,
        work: Callable[[J], list[ox.Triple]],
        jobs: Sequence[J],
        keys: Sequence[str],
        workers: int,
        progress: Progress,
        task: str,
        min_parallel: int = 2,
    ) -> list[list[ox.Triple]]:
        """WORK of each of JOBS: from this cache under the job's key if computed before, otherwise
        computed (on WORKERS processes when at least MIN_PARALLEL jobs are left) and kept.

        Values under keys other than KEYS are dropped afterwards (``keep_only``).
        """
        found: dict[int, list[ox.Triple]] = {}
        for i, k in enumerate(keys):
            cached = self.get(k)
            if cached is not None:
                found[i] = cached
        todo = [i for i in range(len(jobs)) if i not in found]
        progress.start(task, len(todo))
        workers = min(len(todo), workers) if len(todo) >= min_parallel else 1
        with ProcessPoolExecutor(workers) if workers > 1 else contextlib.nullcontext() as pool:
            left = [jobs[i] for i in todo]
            for i, answer in zip(todo, pool.map(work, left) if pool else map(work, left)):
                found[i] = answer
                self.put(keys[i], answer)
                progress.advance()
        progress.finish()
        self.keep_only(keys)
        return [found[i] for i in range(len(jobs))]

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove the values in this cache's folder under other keys than KEYS.

        Called with every key a run used, so that what the corpus no longer
        has does not pile up; ``within`` caches of other kinds are left alone.
        """
        if self.folder is None or not self.folder.is_dir():
            return
        kept = set(keys)
        stale = time.time() - WRITING_FOR_AT_MOST
        for path in self.folder.glob("*/*"):
            # Names starting with "." are values being written: by another run now, or by one killed long ago.
            if path.name.startswith("."):
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < stale:
                        path.unlink()
            elif path.is_file() and path.name.split(".")[0] not in kept:
                path.unlink(missing_ok=True)

    def _path(self, key: str, suffix: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}{suffix}"

    def get(self, key: str) -> list[ox.Triple] | None:
        data = self.get_bytes(key, ".nt")
        if data is None:
            return None
        try:
            return [q.triple for q in ox.parse(data, format=_NT)]
        except SyntaxError:
            return None

    def put(self, key: str, triples: list[ox.Triple]) -> None:
        self.put_bytes(key, ntriples(triples), ".nt")

    def get_bytes(self, key: str, suffix: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            found = self._path(key, suffix).read_bytes()
        except OSError:
            self.counts["misses"] += 1
            return None
        self.counts["hits"] += 1
        return found

    def put_bytes(self, key: str, data: bytes, suffix: str) -> None:
        """Keep DATA under KEY; a cache that cannot be written (a read-only project) is skipped, not fatal."""
        if self.folder is None:
            return
        path = self._path(key, suffix)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=suffix)
        except OSError:
            self.counts["unwritable"] += 1
            return
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
