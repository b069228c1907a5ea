"""The static site's search index in shards, each indexed again only when its records change.

Pagefind has no incremental mode: run over the written pages, it reads all
of them on every build (about 150 s at 1 M triples). Instead each resource
gets a *record* per page language made from its own values (labels, the page
language's first, alternative labels, description and other texts), each
announcement's source page a record per language with its text, and each
ontology term one with its labels and definitions. Records go to ``SHARDS``
shards: a resource to the shard of the first announcement that describes it,
a resource only the reference data describes to the shard of its IRI's hash,
the ontology's terms to ``ONTOLOGY_SHARD``. One changed announcement then
changes the records of one shard (or of a few, when it adds values to
resources another announcement describes first), and only that shard is
indexed again; every other is linked from the cache, file by file, under a key
of its records and Pagefind's version (``runtime.cache.key`` adds rit-graph's code).

Each shard is a Pagefind bundle in ``pagefind/<shard>/``; the search page loads
the first that holds pages and merges the others in (``mergeIndex``). Pagefind's
interface (``pagefind-ui.js``, ``.css``) lies once in ``pagefind/``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import select
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any

import pyoxigraph as ox

from rit_graph.errors import RitGraphError
from rit_graph.output.site.facade import Site
from rit_graph.output.site.graph import LABEL, Graph
from rit_graph.output.site.incremental import make_folders
from rit_graph.output.site.languages import PAGE_LANGUAGES
from rit_graph.output.site.paths import source_path
from rit_graph.rdf.namespaces import OA, RDF, RDF_TYPE, SKOS
from rit_graph.runtime.cache import Cache, key

#: Shards of the index. A change re-indexes its shard, about 1/SHARDS of the records: 16 keeps that under
#: 5 % of a full index at any size, while the search page merges only 16 small bundles (a request each).
SHARDS = 16
#: The shard of the ontology's terms: they change together, with the ontology.
ONTOLOGY_SHARD = 0
#: Where the bundle lies in the site (the search page loads it relative to itself).
BUNDLE = "pagefind"
#: Pagefind's interface, loaded once from BUNDLE (copied there from the first shard).
INTERFACE = ("pagefind-ui.css", "pagefind-ui.js")
#: Files Pagefind writes into every bundle that only another of its interfaces loads: left out.
_UNUSED = frozenset(
    {
        *INTERFACE,
        "pagefind-component-ui.css",
        "pagefind-component-ui.js",
        "pagefind-modular-ui.css",
        "pagefind-modular-ui.js",
        "pagefind-highlight.js",
    }
)
#: The subfolder of the site's cache for the shards: a manifest per shard (.json), its files by content (.pf).
CACHE_KIND = "search"

_LABELS = (LABEL, ox.NamedNode(SKOS + "prefLabel"))
_ALTERNATIVE = ox.NamedNode(SKOS + "altLabel")
#: Literals that are text to search: other datatypes (dates, numbers) are not words.
_TEXT = frozenset({RDF + "langString", "http://www.w3.org/2001/XMLSchema#string"})
_ANNOTATION = ox.NamedNode(OA + "Annotation")


class PagefindMissing(RitGraphError):
    """The Pagefind binary the static site's search needs is not installed."""


@dataclass(frozen=True, order=True)
class Record:
    """What Pagefind indexes for one page in one language: its site path (from the root, with a fragment for
    a term of the ontology page), the text to search and the title of a result."""

    url: str
    language: str
    content: str
    title: str


def shard_of(name: str) -> int:
    """The shard of NAME (an announcement's folder name or an IRI): a stable hash, the same in every run."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") % SHARDS


def shards(site: Site) -> list[list[Record]]:
    """Every record of SITE's search, by shard, each shard in URL order."""
    found: list[list[Record]] = [[] for _ in range(SHARDS)]
    first: dict[str, str] = {}
    for unit in site.corpus.units:
        if unit.announcement is not None:
            for subject in unit.summary.subjects:
                if subject.startswith("<"):
                    first.setdefault(subject[1:-1], unit.announcement)
    data = site.terms.data
    text_of = ox.NamedNode(site.paths.vocabulary + "text")
    for iri in site.resources:
        node = ox.NamedNode(iri)
        if _ANNOTATION in data.objects(node, RDF_TYPE):
            continue  # its quote is found on the pages of what it describes and in the source text
        shard = shard_of(first[iri]) if iri in first else shard_of(iri)
        for lang in PAGE_LANGUAGES:
            found[shard].append(_record(site, data, node, site.paths.page_path(iri, lang), lang, skip=text_of))
    for iri, name in site.sources.items():
        node = ox.NamedNode(iri)
        text = "\n".join(t.value for t in data.objects(node, text_of) if isinstance(t, ox.Literal))
        for lang in PAGE_LANGUAGES:
            title, _ = site.terms.label(node, lang)
            found[shard_of(name)].append(Record("/" + source_path(name, lang), lang, text, title))
    ontology = site.terms.ontology
    for node in (s for s in ontology.out if isinstance(s, ox.NamedNode)):
        if site.paths.has_page(node.value):
            continue
        for lang in PAGE_LANGUAGES:
            path = site.paths.resource_path(node.value, lang)
            if path is not None:
                found[ONTOLOGY_SHARD].append(_record(site, ontology, node, path, lang))
    return [sorted(records) for records in found]


def _record(
    site: Site, graph: Graph, node: ox.NamedNode, path: str, lang: str, skip: ox.NamedNode | None = None
) -> Record:
    """NODE's record in LANG from its own values in GRAPH: labels (LANG's first), alternative labels, then its
    other texts but SKIP; never what other resources say of it, so that only its own changes change it."""
    values = graph.out.get(node, {})
    labels = [v for p in _LABELS for v in values.get(p, []) if isinstance(v, ox.Literal)]
    texts = [v.value for v in labels if v.language == lang] + [v.value for v in labels if v.language != lang]
    texts += [v.value for v in values.get(_ALTERNATIVE, []) if isinstance(v, ox.Literal)]
    for predicate in sorted(values, key=lambda p: p.value):
        if predicate in (*_LABELS, _ALTERNATIVE, skip):
            continue
        texts += [v.value for v in values[predicate] if isinstance(v, ox.Literal) and v.datatype.value in _TEXT]
    title, _ = site.terms.label(node, lang)
    return Record("/" + path, lang, "\n".join(dict.fromkeys(texts)), title)


def pagefind_binary() -> Path | None:
    """The Pagefind binary: the one ``pagefind[extended]`` installs (Japanese segmentation), else ``pagefind[bin]``'s,
    else one on PATH or named by PAGEFIND_BINARY_PATH; None if there is none."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    binary = get_executable()
    return binary if binary is not None and binary.is_file() else None


def _pagefind_version() -> str:
    for package in ("pagefind_bin_extended", "pagefind_bin", "pagefind"):
        try:
            return f"{package} {version(package)}"
        except PackageNotFoundError:
            continue
    return "unknown"


def write_index(site: Site, folder: Path, cache: Cache) -> list[int]:
    """Write SITE's search index into FOLDER/pagefind, each shard taken from CACHE if its records are
    unchanged, else indexed by Pagefind; the shards indexed."""
    return start_index(site, folder, cache).finish()


def start_index(site: Site, folder: Path, cache: Cache, pagefind: Pagefind | None = None) -> Indexing:
    """Start writing SITE's search index as ``write_index`` does: the shards kept in CACHE are put in place now,
    the others handed to Pagefind (PAGEFIND, if started before, see ``pagefind_started``), which indexes them while
    the caller goes on (rendering the pages, say) until ``Indexing.finish``."""
    bundle = folder / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    kept = cache.within(CACHE_KIND)
    pagefind_version = _pagefind_version()
    found = shards(site)
    keys = [
        key("pagefind shard", pagefind_version, str(shard == 0), json.dumps([list(vars(r).values()) for r in records]))
        for shard, records in enumerate(found)
    ]
    used: list[str] = []
    missing: list[int] = []
    for shard, shard_key in enumerate(keys):
        taken = _take(kept, shard_key, bundle / str(shard))
        if taken is None:
            missing.append(shard)
        else:
            used += taken
    # One Pagefind service for all shards: it indexes on threads of its own, and a second one would load the
    # Japanese dictionary again (a third more CPU time at 100k triples, taken from the pages being rendered).
    if pagefind is not None and not missing:
        pagefind.close()  # every shard was kept: its dictionary would hold memory for nothing
    service = (pagefind or Pagefind(_checked_binary())) if missing else None
    started = [(shard, service.start(found[shard])) for shard in missing] if service else []
    return Indexing(bundle, kept, keys, used, service, started)


@dataclass
class Indexing:
    """A search index being written (``start_index``): the shards Pagefind is indexing, to be finished."""

    bundle: Path
    cache: Cache
    keys: list[str]
    used: list[str]
    service: Pagefind | None
    #: The shards being indexed, each with the message whose answer holds its files.
    started: list[tuple[int, int]]
    #: The shards of STARTED written so far, in order.
    indexed: list[int] = field(default_factory=list)

    def step(self) -> None:
        """Write and keep the shards Pagefind has indexed so far, without waiting for the others: called while
        the pages are written, so that the shards' thousands of files are not left to a single core at the end."""
        self._write(wait=False)

    def finish(self) -> list[int]:
        """Wait for Pagefind, write and keep the shards it indexed; the shards indexed."""
        try:
            self._write(wait=True)
        finally:
            self.close()
        for name in INTERFACE:
            shutil.copyfile(self.bundle / "0" / name, self.bundle / name)
        self.cache.keep_only(self.used)
        self.cache.counts["pagefind shards indexed"] += len(self.indexed)
        return self.indexed

    def _write(self, wait: bool) -> None:
        """Write the shards, in order, whose files Pagefind has given: all of them if WAIT, else those it has
        already answered."""
        while len(self.indexed) < len(self.started):
            assert self.service is not None
            shard, message = self.started[len(self.indexed)]
            files = self.service.files(message, interface=shard == 0, wait=wait)
            if files is None:
                return
            self.used += _keep(self.cache, self.keys[shard], self.bundle / str(shard), files)
            self.indexed.append(shard)

    def close(self) -> None:
        """Stop the service, whether or not its shards were taken (when the site's pages fail, say)."""
        if self.service is not None:
            self.service.close()
            self.service = None


@contextlib.contextmanager
def pagefind_started() -> Iterator[Pagefind | None]:
    """Pagefind's service, started now and loading its Japanese dictionary (about a CPU-second) while the caller
    goes on: the command line starts it before it reads the project, which leaves a core idle; None where
    Pagefind is not installed (``start_index`` then says so). Stopped at the end of the block if no index took
    it over."""
    binary = pagefind_binary()
    if binary is None:
        yield None
        return
    service = Pagefind(binary)
    try:
        service.warm_up()
        yield service
    finally:
        service.close()


def _checked_binary() -> Path:
    """The binary, or PagefindMissing rather than a site whose search pages find nothing: it comes with the
    ``pagefind[extended]`` dependency, so it is missing only from a broken install or a platform without its
    wheel, where ``build --no-site`` still writes the dumps."""
    binary = pagefind_binary()
    if binary is None:
        raise PagefindMissing(
            "the Pagefind binary that indexes the static site for its search page is not installed; "
            "install it with pip install 'pagefind[extended]' (or set PAGEFIND_BINARY_PATH), "
            "or build without the site (--no-site)"
        )
    return binary


def _take(cache: Cache, shard_key: str, target: Path) -> list[str] | None:
    """Put the shard kept under SHARD_KEY at TARGET; the cache keys it used, or None if it is not all there."""
    manifest = cache.get_bytes(shard_key, ".json")
    if manifest is None:
        return None
    listed: list[list[str]] = json.loads(manifest)
    base = make_folders(target, (name for name, _ in listed))
    for name, file_key in listed:
        if not cache.take_file(file_key, ".pf", os.path.join(base, name), count=False):
            shutil.rmtree(target)
            return None
    return [shard_key, *(file_key for _, file_key in listed)]


def _keep(cache: Cache, shard_key: str, target: Path, files: dict[str, bytes]) -> list[str]:
    """Write FILES (by name) as the shard at TARGET and keep it under SHARD_KEY, each file under a key of its
    bytes (the many files that every shard has alike are kept once); the keys."""
    listed = []
    base = make_folders(target, files)
    for name, content in sorted(files.items()):
        path = os.path.join(base, name)
        with open(path, "wb") as out:
            out.write(content)
        file_key = hashlib.sha256(content).hexdigest()
        cache.keep_file(file_key, ".pf", path)
        listed.append([name, file_key])
    if cache.folder is not None:
        cache.put_bytes(shard_key, json.dumps(listed).encode("utf-8"), ".json")
    return [shard_key, *(file_key for _, file_key in listed)]


class Pagefind:
    """Pagefind's indexing service (``pagefind --service``), spoken to directly.

    The ``pagefind`` package's own client reads each answer after a 0.1 s sleep, ten records a second; the
    protocol is simple (base64 JSON messages, each ended by a comma), so this speaks it directly, in order,
    which also gives every build the records in the same order.
    """

    def __init__(self, binary: Path) -> None:
        self.process = subprocess.Popen(
            [str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.last = 0
        self.buffer = bytearray()
        #: Indexes made so far: the service numbers them from 0 in the order they are made.
        self.indexes = 0

    def _post(self, payloads: list[dict[str, Any]]) -> int:
        """Send PAYLOADS without waiting for their answers; the id of the last.

        The service reads messages on a thread of its own and handles them one at a time in the order
        they came, its answers written by another thread: so they can wait to be read.
        """
        assert self.process.stdin is not None
        messages = []
        for payload in payloads:
            self.last += 1
            messages.append(base64.b64encode(json.dumps({"message_id": self.last, "payload": payload}).encode()))
        self.process.stdin.write(b",".join(messages) + b",")
        self.process.stdin.flush()
        return self.last

    def _answer(self, message_id: int, wait: bool) -> dict[str, Any] | None:
        """The answer to message MESSAGE_ID, reading past those before it; if not WAIT, None when Pagefind has not
        given it yet. A RitGraphError if Pagefind answers any with an error."""
        assert self.process.stdout is not None
        pipe = self.process.stdout.fileno()
        while True:
            end = self.buffer.find(b",")
            while end < 0:
                if not wait and not select.select([pipe], [], [], 0)[0]:
                    return None
                chunk = os.read(pipe, 1 << 20)
                if not chunk:
                    raise RitGraphError("Pagefind's indexing service stopped")
                self.buffer += chunk
                end = self.buffer.find(b",", len(self.buffer) - len(chunk))
            response = json.loads(base64.b64decode(self.buffer[:end]))
            del self.buffer[: end + 1]
            if response is None:
                continue
            got = response.get("payload", {})
            if got.get("type") == "Error":
                raise RitGraphError(f"Pagefind could not index the static site's search: {got.get('message')}")
            if response.get("message_id") == message_id:
                return dict(got)

    def warm_up(self) -> None:
        """Have Pagefind load its Japanese dictionary now, which it does on the first Japanese words it is given,
        by giving it some in an index of their own that is never written."""
        self._post([{"type": "NewIndex", "config": None}, _record_message(self.indexes, _WARM_UP)])
        self.indexes += 1

    def start(self, records: list[Record]) -> int:
        """Hand RECORDS to a new index of their own (this never deletes one, so its id is the count made
        before); the message whose answer holds its files, for ``files``."""
        index_id = self.indexes
        self.indexes += 1
        return self._post(
            [
                {"type": "NewIndex", "config": None},
                *(_record_message(index_id, r) for r in records),
                # Pagefind's own WriteFiles answers before its last writes are flushed: the files are taken here.
                {"type": "GetFiles", "index_id": index_id},
            ]
        )

    def files(self, message: int, interface: bool, wait: bool = True) -> dict[str, bytes] | None:
        """The files of an index by name, from the answer to MESSAGE (``start``'s): with Pagefind's INTERFACE or
        without, the languages in its entry file sorted (Pagefind lists them in the order its threads
        finished): the same records, the same bytes. If not WAIT, None while Pagefind is still indexing."""
        answer = self._answer(message, wait)
        if answer is None:
            return None
        found = {}
        for file in answer["files"]:
            name = str(file["path"])
            if name in _UNUSED and not (interface and name in INTERFACE):
                continue
            content = base64.b64decode(file["content"])
            if name == "pagefind-entry.json":
                content = json.dumps(json.loads(content), sort_keys=True, ensure_ascii=False).encode("utf-8")
            if name.startswith("/") or ".." in PurePosixPath(name).parts:
                raise RitGraphError(f"Pagefind gave a file outside its bundle: {name}")
            found[name] = content
        return found

    def close(self) -> None:
        """Stop the service (again: nothing)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        if self.process.returncode is not None:
            return
        self.process.stdin.close()
        self.process.terminate()
        self.process.wait()
        self.process.stdout.close()


#: Japanese words that make Pagefind load its dictionary (a single name such as 北九州市 alone did not).
_WARM_UP = Record("/", "ja", "北九州市と日立市の代表団", "")


def _record_message(index_id: int, record: Record) -> dict[str, Any]:
    """The message that adds RECORD to the index INDEX_ID."""
    return {
        "type": "AddRecord",
        "index_id": index_id,
        "url": record.url,
        "content": record.content,
        "language": record.language,
        "meta": {"title": record.title},
        "filters": None,
        "sort": None,
    }
