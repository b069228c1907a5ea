"""The embedded stores: the project in memory, or in a pyoxigraph store on disk, queried by worker processes.

A store on disk survives restarts. It is reloaded only when the data changed
(a digest of the loaded quads is kept beside it), into a fresh folder that
then replaces the old one with one atomic rename, so a crash while loading
leaves the previous store usable.

Both hold the named graphs as loaded and, as their default graph, the union of
them with each triple once (``sparql.dataset``): what a query that names no
graphs sees.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

import pyoxigraph as ox

from rit_graph.errors import StoreError
from rit_graph.query import sparql
from rit_graph.query.querypool import QueryPool
from rit_graph.query.sparql import Answer, CheckedQuery, Limits, Request
from rit_graph.stores.base import Backend, Runner, StoreOptionError

#: In a store folder: the link naming the store in use, and in each store the digest of what it holds.
CURRENT = "current"
MANIFEST = "rit-graph-store.json"
_DATABASE = "oxigraph"
_LOCK = ".lock"
#: Bumped when the layout of a store folder changes, so older folders are reloaded.
#: 2: the default graph holds the union of the named graphs, each triple once.
_LAYOUT = 2


class PoolRunner(Runner):
    """Queries answered in a QueryPool's worker processes, off the event loop."""

    def __init__(self, store: ox.Store | Callable[[], ox.Store], limits: Limits) -> None:
        self.pool = QueryPool(store, limits)

    async def answer(self, request: Request, client: str) -> Answer:
        return await self.pool.run(request, client)

    async def prove_closed(self, query: CheckedQuery, client: str) -> CheckedQuery:
        return await self.pool.prove_closed(query, client)

    async def aclose(self) -> None:
        self.pool.close()


@dataclass
class MemoryStore(Backend):
    """The project in memory: loaded at every start, shared with forked workers copy-on-write.

    STORE's default graph is what a query naming no graphs sees: the union of its graphs (``sparql.dataset``).
    """

    fixed_data: ClassVar[bool] = True
    store: ox.Store

    def describe(self) -> str:
        return "store: memory"

    def graph_names(self) -> list[str]:
        return sparql.graph_names(self.store)

    def answer(self, request: Request) -> Answer:
        return sparql.execute(self.store, request)

    def table(self, query: CheckedQuery, base_iri: str | None) -> str:
        return sparql.render_table(self.store, query, base_iri)

    def start(self, limits: Limits) -> Runner:
        return PoolRunner(self.store, limits)


@dataclass
class DiskStore(Backend):
    """A pyoxigraph store on disk, opened read-only by whoever queries it.

    The process that loaded it closes its read-write handle before any worker
    is forked; each worker opens its own read-only handle, since a RocksDB
    handle must not be used across a fork. A shared lock on the store's
    manifest, held while this object lives, keeps other processes from
    removing the store while it is served. The store a server opened stays
    what it serves, even if another process loads a new one into the folder.
    """

    fixed_data: ClassVar[bool] = True
    folder: Path
    #: The store in use, FOLDER/v-…: its database and its manifest.
    path: Path
    manifest: dict[str, Any]
    #: True when this start loaded the data; False when the store already held it.
    reloaded: bool
    _hold: IO[bytes] | None = field(default=None, repr=False)
    _handle: ox.Store | None = field(default=None, repr=False)

    @property
    def database(self) -> Path:
        return self.path / _DATABASE

    @property
    def digest(self) -> str:
        return str(self.manifest["digest"])

    def describe(self) -> str:
        what = "loaded" if self.reloaded else "unchanged since"
        return (
            f"store: {self.folder} ({self.manifest['quads']} quads, {what} {self.manifest['loaded']}, "
            f"digest {self.digest[:12]})"
        )

    def graph_names(self) -> list[str]:
        return list(self.manifest["graphs"])

    def _store(self) -> ox.Store:
        if self._handle is None:
            self._handle = open_read_only(self.database)
        return self._handle

    def answer(self, request: Request) -> Answer:
        return sparql.execute(self._store(), request)

    def table(self, query: CheckedQuery, base_iri: str | None) -> str:
        return sparql.render_table(self._store(), query, base_iri)

    def start(self, limits: Limits) -> Runner:
        if self._handle is not None:
            raise RuntimeError("a disk store opened in this process must not be shared with forked workers")
        return PoolRunner(functools.partial(open_read_only, self.database), limits)

    def close(self) -> None:
        self._handle = None
        if self._hold is not None:
            self._hold.close()
            self._hold = None


def open_read_only(database: Path) -> ox.Store:
    try:
        return ox.Store.read_only(str(database))
    except OSError as e:
        raise StoreError(f"cannot open the store at {database}: {e}") from e


def quads_digest(quads: Iterable[ox.Quad]) -> str:
    """A digest of a set of quads, independent of their order; also covers the store layout and pyoxigraph version."""
    digest = hashlib.sha256(f"rit-graph store layout {_LAYOUT}, pyoxigraph {ox.__version__}\n".encode())
    for line in sorted({str(q) for q in quads}):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def open_disk(folder: Path, quads: list[ox.Quad]) -> DiskStore:
    """The store in FOLDER holding QUADS: the one there if it holds them, else a freshly loaded one.

    Loading goes into FOLDER/.loading-…, which becomes FOLDER/v-… only when
    complete; the link FOLDER/current is then replaced in one rename. Until
    that rename every reader sees the previous store, and leftovers of a
    crashed load are removed by the next start.
    """
    folder = folder.absolute()
    _check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digest = quads_digest(quads)
    with _exclusive(folder / _LOCK):
        current = _current(folder)
        if current is not None and current[1].get("digest") == digest:
            path, manifest = current
            reloaded = False
        else:
            path, manifest = _load(folder, quads, digest)
            _point_current_at(folder, path)
            reloaded = True
        hold = _hold(path)
        _remove_unused(folder, keep=path)
    return DiskStore(folder, path, manifest, reloaded, hold)


def _check_folder(folder: Path) -> None:
    """Refuse a file, or a folder holding anything but a store: rit-graph removes old stores in it."""
    if folder.exists() and not folder.is_dir():
        raise StoreOptionError(
            f"--store {folder}: not a folder; give a folder for the store (it is created if missing)"
        )
    if not folder.is_dir():
        return
    strangers = sorted(
        p.name
        for p in folder.iterdir()
        if p.name not in (CURRENT, _LOCK) and not p.name.startswith(("v-", ".loading-", ".current-"))
    )
    if strangers:
        raise StoreOptionError(
            f"--store {folder}: the folder holds other files ({', '.join(strangers[:5])}); "
            "give a new or empty folder, which rit-graph keeps for its store alone"
        )


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """One process at a time checks, loads and swaps the store of a folder."""
    with path.open("a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _current(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    """The store FOLDER/current names and its manifest, or None when there is none or it is incomplete."""
    link = folder / CURRENT
    if not link.is_symlink():
        return None
    path = folder / os.readlink(link)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not (path / _DATABASE).is_dir():
        return None
    return path, manifest


def _load(folder: Path, quads: list[ox.Quad], digest: str) -> tuple[Path, dict[str, Any]]:
    staging = Path(tempfile.mkdtemp(prefix=".loading-", dir=folder))
    try:
        _fill(staging / _DATABASE, quads)
        graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
        manifest = {
            "layout": _LAYOUT,
            "digest": digest,
            "quads": len({str(q) for q in quads}),
            "graphs": graphs,
            "loaded": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "pyoxigraph": ox.__version__,
        }
        _write_durably(staging / MANIFEST, json.dumps(manifest, indent=2).encode("utf-8") + b"\n")
        path = folder / f"v-{digest[:12]}-{secrets.token_hex(4)}"
        staging.rename(path)
        _sync_folder(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return path, manifest


#: Loads the N-Quads file argv[2] into a new store at argv[1], and every triple of it into the default graph,
#: which keeps each once: the union of the graphs, as ``sparql.dataset`` makes it in memory.
_FILL = (
    "import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); "
    "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS); "
    "s.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) "
    "for q in ox.parse(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)); s.flush()"
)


def _fill(database: Path, quads: list[ox.Quad]) -> None:
    """Load QUADS, and their union as the default graph, into a new store at DATABASE, in a process of its own.

    RocksDB leaves threads in a process that opened a store, and the server
    forks its query workers' fork server later, which must happen in a
    process without threads; a fork after RocksDB ran could also hang in it.
    """
    written = database.with_name("quads.nq")
    ox.serialize(quads, str(written), ox.RdfFormat.N_QUADS)
    done = subprocess.run([sys.executable, "-c", _FILL, str(database), str(written)], capture_output=True, check=False)
    if done.returncode != 0:
        raise StoreError(f"cannot load the store at {database}: {done.stderr.decode(errors='replace')[-1000:]}")
    written.unlink()


def _point_current_at(folder: Path, path: Path) -> None:
    """Replace the link FOLDER/current in one rename: readers see the old store or the new one, never neither."""
    temporary = folder / f".current-{secrets.token_hex(4)}"
    os.symlink(path.name, temporary)
    os.replace(temporary, folder / CURRENT)
    _sync_folder(folder)


def _write_durably(path: Path, data: bytes) -> None:
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _hold(path: Path) -> IO[bytes]:
    """A shared lock on the store's manifest: the store is in use and must not be removed."""
    hold = (path / MANIFEST).open("rb")
    fcntl.flock(hold, fcntl.LOCK_SH)
    return hold


def _remove_unused(folder: Path, keep: Path) -> None:
    """Remove leftovers of crashed loads and stores no process holds any more (called under the folder's lock)."""
    for entry in folder.iterdir():
        if entry == keep:
            continue
        if entry.name.startswith(".loading-"):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(".current-") and entry.is_symlink():
            entry.unlink(missing_ok=True)
        elif entry.name.startswith("v-") and entry.is_dir() and _unused(entry):
            shutil.rmtree(entry, ignore_errors=True)


def _unused(path: Path) -> bool:
    try:
        probe = (path / MANIFEST).open("rb")
    except OSError:
        return True
    with probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
