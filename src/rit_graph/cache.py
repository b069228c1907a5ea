"""A content-addressed cache of triples on disk, so unchanged inputs are not worked on again.

An entry's key is the SHA-256 of everything its value depends on (the
caller's inputs and the versions of rit-graph and its validator), so an
entry never goes stale: a change of any input is a different key. Entries
are written atomically and an unreadable entry counts as missing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox

#: The folder of a project where rit-graph keeps its caches (ignored by git).
CACHE_FOLDER = ".rit-graph-cache"
_NT = ox.RdfFormat.N_TRIPLES


def key(*parts: bytes | str) -> str:
    """A key for PARTS and the versions of the tools that compute cached values."""
    digest = hashlib.sha256()
    for part in (version("rit-graph"), version("pyshacl"), version("rdflib"), *parts):
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def ntriples(triples: list[ox.Triple]) -> bytes:
    """TRIPLES as N-Triples bytes, in their order: the bytes a key is made of."""
    return ox.serialize(triples, format=_NT) or b""


class TripleCache:
    """Lists of triples by key, one N-Triples file each under FOLDER; FOLDER None disables it."""

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

    def within(self, name: str) -> TripleCache:
        """A cache of its own for another kind of value, in a subfolder."""
        return TripleCache(self.folder / name if self.folder else None, self.counts)

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.nt"

    def get(self, key: str) -> list[ox.Triple] | None:
        if self.folder is None:
            return None
        try:
            found = [q.triple for q in ox.parse(path=str(self._path(key)), format=_NT)]
        except (OSError, SyntaxError):
            self.counts["misses"] += 1
            return None
        self.counts["hits"] += 1
        return found

    def put(self, key: str, triples: list[ox.Triple]) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".nt")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(ntriples(triples))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
