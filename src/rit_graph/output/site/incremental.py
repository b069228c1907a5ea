"""The site's files written incrementally and in parallel: each file is kept in the cache under a key of what
it shows, and rendered again only when that key is new.

The writer hands over a list of ``Entry`` (path, key, render), one per file,
whatever page it is: a kind of page added later only adds entries. Workers
forked from the process that holds the site (``forked_map``) take the entries
in chunks; for each they compute its key (``shown``), link the file kept under
it into the new folder, or render it, write it and keep it. The parent only
receives, per entry, its key and whether it was rendered. Files are kept as
hard links to the written ones where the cache and the output share a file
system, so a build that renders nothing costs a link per file, not a copy; the output folder is then
rit-graph's alone to write (a file of it edited in place would edit the kept one too: replace files, never
rewrite them, as rit-graph does).
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rit_graph.runtime.cache import Cache
from rit_graph.runtime.forking import forked_map
from rit_graph.runtime.progress import Progress

#: The suffix of the site's files in the cache.
SUFFIX = ".site"
#: Entries a worker takes at once: few enough to keep every worker busy to the end, enough to make each
#: hand-over worth its cost.
MOST_PER_CHUNK = 256


@dataclass(frozen=True)
class Entry:
    """One file of the site: its path in the site, what it shows, and how it is rendered.

    KEY gives a digest of everything the file shows (see ``shown``), or None for a file that is rendered
    every time; it is called where the file is written, so it may walk the graph. RENDER gives the file's
    content, text written as UTF-8.
    """

    path: str
    key: Callable[[], str | None]
    render: Callable[[], str | bytes]


@dataclass(frozen=True)
class Written:
    """What ``write_entries`` wrote into FOLDER: every file's site path, and those rendered (not taken from the
    cache)."""

    folder: Path
    paths: list[str]
    rendered: list[str]

    @property
    def files(self) -> list[Path]:
        return [self.folder / p for p in self.paths]


def write_entries(
    entries: Sequence[Entry],
    folder: Path,
    cache: Cache,
    workers: int,
    progress: Progress | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Written:
    """Write every entry into FOLDER (new files), rendering only those CACHE does not hold under their key,
    on WORKERS forked processes; the cache then keeps only the files of these entries. MEANWHILE, if given, is
    called here each time a chunk of entries is written: work of the parent's that must not wait for the end."""
    paths = [e.path for e in entries]
    if len(set(paths)) != len(paths):
        raise ValueError("two files of the site have the same path")
    outside = next((p for p in paths if p.startswith("/") or {"", ".", ".."} & set(p.split("/"))), None)
    if outside is not None:
        # Paths come from IRIs: one such as .../id/../../x must not write outside the site.
        raise ValueError(f"a file of the site would be written outside it: {outside!r}")
    # Paths as strings: at a million triples a site has hundreds of thousands of files, and pathlib's
    # objects cost more than the links.
    base = make_folders(folder, paths)
    kept = cache.kept(SUFFIX)
    size = max(1, min(MOST_PER_CHUNK, math.ceil(len(entries) / max(1, workers * 8))))
    chunks = [range(start, min(start + size, len(entries))) for start in range(0, len(entries), size)]

    def write(chunk: int) -> list[tuple[str | None, bool]]:
        done = []
        for i in chunks[chunk]:
            done.append(_write(entries[i], base, cache, kept))
        return done

    progress = progress or Progress()
    progress.start("writing the site", len(entries))
    keys: list[str] = []
    rendered: list[str] = []
    for n, done in enumerate(forked_map(write, range(len(chunks)), workers, "writing the site")):
        for i, (file_key, fresh) in zip(chunks[n], done, strict=True):
            if file_key is not None:
                keys.append(file_key)
                cache.counts[f"{cache.kind} {'misses' if fresh else 'hits'}"] += 1
                cache.counts["misses" if fresh else "hits"] += 1
            if fresh:
                rendered.append(entries[i].path)
        progress.advance(len(done))
        if meanwhile is not None:
            meanwhile()
    progress.finish()
    cache.keep_only(keys)
    return Written(folder, paths, rendered)


def make_folders(folder: Path, paths: Iterable[str]) -> str:
    """Make the folders in FOLDER of the files at PATHS, each once (thousands of files lie in a few folders);
    FOLDER as a string to join the paths to."""
    base = os.fspath(folder)
    for parent in sorted({os.path.dirname(p) for p in paths}):
        os.makedirs(os.path.join(base, parent), exist_ok=True)
    return base


def _write(entry: Entry, folder: str, cache: Cache, kept: set[str]) -> tuple[str | None, bool]:
    """Write ENTRY into FOLDER from the cache (asked only for the KEPT keys) or rendered: its key in the cache
    (None: not kept), and whether it was rendered."""
    target = os.path.join(folder, entry.path)
    shows = entry.key() if cache.folder is not None else None
    file_key = None
    if shows is not None:
        file_key = hashlib.sha256(f"{shows}\0{entry.path}".encode()).hexdigest()
        # Counted by the parent, which sees every entry's outcome (a forked worker's counts are its own).
        if file_key in kept and cache.take_file(file_key, SUFFIX, target, count=False):
            return file_key, False
    content = entry.render()
    with open(target, "wb") as out:
        out.write(content.encode("utf-8") if isinstance(content, str) else content)
    if file_key is not None:
        cache.keep_file(file_key, SUFFIX, target)
    return file_key, True
