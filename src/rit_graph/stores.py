"""Where SPARQL queries are evaluated: in memory, in a store on disk, or in an external SPARQL store.

``rit-graph serve`` and ``rit-graph query`` take ``--store``, and this module
opens what it names:

- ``memory`` (the default): the project in an in-memory pyoxigraph store,
  loaded at every start; nothing to set up.
- a folder: a pyoxigraph (RocksDB) store on disk that survives restarts. It is
  reloaded only when the data changed (a digest of the loaded quads is kept
  beside it), into a fresh folder that then replaces the old one with one
  atomic rename, so a crash while loading leaves the previous store usable.
- an ``http://`` or ``https://`` URL of a SPARQL 1.1 query endpoint (Oxigraph
  server's ``/query``, Fuseki, GraphDB, Virtuoso): each query, already checked
  by ``querycheck``, is forwarded over the SPARQL 1.1 Protocol, under the
  same time and size limits as the embedded stores (``remote``).

Each choice is a Backend: it answers in this process (the command line) and
starts a Runner that answers for the server.
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
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

import pyoxigraph as ox

from . import sparql
from .errors import EXIT_INPUT, RitGraphError, StoreError
from .load import Corpus
from .querypool import QueryPool
from .sparql import Answer, CheckedQuery, Limits, Request

MEMORY = "memory"

#: In a store folder: the link naming the store in use, and in each store the digest of what it holds.
CURRENT = "current"
MANIFEST = "rit-graph-store.json"
_DATABASE = "oxigraph"
_LOCK = ".lock"
#: Bumped when the layout of a store folder changes, so older folders are reloaded.
_LAYOUT = 1


class StoreOptionError(RitGraphError):
    """A --store value that names no usable store; fixed by the user, like bad input."""

    exit_code = EXIT_INPUT


# --- choosing a store ---------------------------------------------------------------------------


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def open_store(
    option: str,
    quads: Callable[[], list[ox.Quad]],
    graphs: Callable[[], list[str]],
    memory: Callable[[], ox.Store],
    timeout: float = Limits.timeout,
) -> Backend:
    """The store a --store OPTION names.

    QUADS gives what a store on disk must hold, GRAPHS the graphs that make
    up the default graph of an external store, MEMORY the in-memory store;
    each is called only for its kind of store. TIMEOUT bounds the command
    line's wait for an external store.
    """
    if option == MEMORY:
        return MemoryStore(memory())
    if is_url(option):
        from .remote import RemoteStore, check_url

        return RemoteStore(check_url(option), graphs(), timeout)
    return open_disk(Path(option), quads())


def corpus_quads(corpus: Corpus) -> list[ox.Quad]:
    """What queries see of a project: its data graphs and the ontology in graph/ontology (as Corpus.store)."""
    ontology = ox.NamedNode(corpus.project.graph_iri("ontology"))
    return [*corpus.quads, *(ox.Quad(t.subject, t.predicate, t.object, ontology) for t in corpus.ontology)]


def corpus_graphs(corpus: Corpus) -> list[str]:
    """The project's named graphs: every announcement, the reference data and the ontology."""
    project = corpus.project
    return sorted(
        {
            *(g.value for g in corpus.announcement_graphs.values()),
            project.graph_iri("reference"),
            project.graph_iri("ontology"),
        }
    )


def open_for_corpus(option: str, corpus: Corpus, timeout: float = Limits.timeout) -> Backend:
    """The store a --store OPTION names, holding CORPUS (or, for a URL, expected to hold it)."""
    return open_store(
        option, lambda: corpus_quads(corpus), lambda: corpus_graphs(corpus), lambda: corpus.store, timeout
    )


def open_for_files(option: str, paths: Iterable[Path], base_iri: str) -> Backend:
    """The store a --store OPTION names, holding the RDF files at PATHS (``serve --data``); not a URL."""
    if is_url(option):
        raise StoreOptionError(
            "--data serves files on an embedded store; an external store (--store URL) already holds its data"
        )
    files = sparql.files_store(paths, base_iri)
    return open_store(option, lambda: list(files), lambda: sparql.graph_names(files), lambda: files)


class Runner(ABC):
    """Answers the server's queries; started in the app's lifespan, closed with it.

    CLIENT, the address a request came from, is what the runner shares its
    capacity by.
    """

    @abstractmethod
    async def answer(self, request: Request, client: str) -> Answer: ...

    @abstractmethod
    async def prove_closed(self, query: CheckedQuery, client: str) -> CheckedQuery:
        """QUERY once its parse shows no SERVICE (``querycheck.prove_closed``), in a process under the query limits."""

    @abstractmethod
    async def aclose(self) -> None: ...


class Backend(ABC):
    """A store queries are evaluated on."""

    #: True when the data cannot change while the server runs, so that its answers may be repeated
    #: from the ResultCache; an external store can be changed behind the server's back.
    fixed_data: ClassVar[bool] = False

    @abstractmethod
    def describe(self) -> str:
        """One line for the operator: which store, and for a store on disk whether it was reloaded."""

    @abstractmethod
    def graph_names(self) -> list[str]:
        """The named graphs a query sees, for the service description."""

    @abstractmethod
    def answer(self, request: Request) -> Answer:
        """Answer REQUEST in this process (the command line has no time limit of its own)."""

    @abstractmethod
    def table(self, query: CheckedQuery, base_iri: str | None) -> str:
        """A SELECT or ASK result as a table for people."""

    @abstractmethod
    def start(self, limits: Limits) -> Runner:
        """What answers the server's queries under LIMITS."""

    def check(self) -> None:
        """Raise StoreError if the store cannot answer; the embedded stores always can."""


# --- in memory and on disk: evaluated by pyoxigraph in worker processes ------------------------


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
    """The project in memory: loaded at every start, shared with forked workers copy-on-write."""

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
        store = ox.Store(str(staging / _DATABASE))
        store.bulk_extend(quads)
        store.flush()
        graphs = sparql.graph_names(store)
        # Dropping the last reference closes RocksDB before workers fork and open it read-only.
        del store
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
