"""Where SPARQL queries are evaluated: in memory, in a store on disk, or in an external SPARQL store.

``rit-graph serve`` and ``rit-graph query`` take ``--store``, and this package
opens what it names (``open_store``):

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
starts a Runner that answers for the server. In each, the default graph of a
query that names no graphs is the union of the project's graphs with each
triple once, however many graphs state it: the embedded stores hold it as
their default graph, an external store as the graph BASE/graph/union that
``rit-graph publish`` writes (README, "The default graph").

May import ``query``, ``corpus``, ``rdf``, ``runtime`` and ``errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus
from rit_graph.corpus.project import Project
from rit_graph.query import sparql
from rit_graph.query.sparql import Limits
from rit_graph.stores.base import Backend, Runner, StoreOptionError, is_url
from rit_graph.stores.embedded import CURRENT, MANIFEST, DiskStore, MemoryStore, open_disk
from rit_graph.stores.remote import RemoteStore, check_url

__all__ = [
    "CURRENT",
    "MANIFEST",
    "MEMORY",
    "Backend",
    "DiskStore",
    "MemoryStore",
    "RemoteStore",
    "Runner",
    "StoreOptionError",
    "UNION_GRAPH",
    "open_disk",
    "open_for_corpus",
    "open_for_files",
    "open_store",
    "union_graph",
]

MEMORY = "memory"
#: The graph of an external store that holds the union of a project's graphs, each triple once: BASE/graph/union.
UNION_GRAPH = "union"


def open_store(
    option: str,
    quads: Callable[[], list[ox.Quad]],
    graphs: Callable[[], tuple[list[str], str]],
    memory: Callable[[], ox.Store],
    timeout: float = Limits.timeout,
) -> Backend:
    """The store a --store OPTION names.

    QUADS gives what a store on disk must hold, GRAPHS the named graphs an
    external store holds for the project and the graph holding their union,
    MEMORY the in-memory store (its default graph the union already); each is
    called only for its kind of store. TIMEOUT bounds the command line's wait
    for an external store.
    """
    if option == MEMORY:
        return MemoryStore(memory())
    if is_url(option):
        named, union = graphs()
        return RemoteStore(check_url(option), named, union, timeout)
    return open_disk(Path(option), quads())


def union_graph(project: Project) -> str:
    """The graph of an external store holding PROJECT's graphs' union, which queries there take as default graph."""
    return project.graph_iri(UNION_GRAPH)


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
    """The store a --store OPTION names, holding CORPUS (or, for a URL, expected to hold it, as publish leaves it)."""
    return open_store(
        option,
        lambda: corpus_quads(corpus),
        lambda: (corpus_graphs(corpus), union_graph(corpus.project)),
        lambda: sparql.dataset(corpus_quads(corpus)),
        timeout,
    )


def open_for_files(option: str, paths: Iterable[Path], base_iri: str) -> Backend:
    """The store a --store OPTION names, holding the RDF files at PATHS (``serve --data``); not a URL."""
    if is_url(option):
        raise StoreOptionError(
            "--data serves files on an embedded store; an external store (--store URL) already holds its data"
        )
    files = sparql.files_store(paths, base_iri)
    return open_store(option, lambda: list(files), lambda: ([], ""), lambda: sparql.with_union(files))
