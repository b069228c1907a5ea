"""Publish a project into a SPARQL store over the SPARQL 1.1 Graph Store HTTP Protocol, then verify it.

A store that many applications query (Oxigraph server, Fuseki, GraphDB,
Virtuoso) is fed graph by graph: every announcement's named graph, the
reference graph and graph/ontology are each sent with ``PUT URL?graph=IRI``,
which replaces the graph whole, so publishing again is idempotent and leaves
no stale triples. Last comes graph/union, their union with each triple once,
which ``serve --store URL`` and ``query --store URL`` take as the default
graph: a triple two announcements state is one fact there, as in the embedded
stores, where a store's own union of graphs may count it twice (Oxigraph
server's does). Each graph is then read back with ``GET`` and its triple
count compared with what was sent, so a publish that did not arrive intact
fails loudly instead of silently serving a partial graph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import httpx
import pyoxigraph as ox

from rit_graph.corpus.load import Corpus
from rit_graph.corpus.run import Run
from rit_graph.errors import StoreError, ValidationFailed
from rit_graph.rdf.formats import BY_MEDIA_TYPE, BY_NAME
from rit_graph.rdf.ntriples import triple_order
from rit_graph.runtime.progress import Progress
from rit_graph.stores import union_graph
from rit_graph.stores.remote import (
    PASSWORD_VARIABLE,
    TOKEN_VARIABLE,
    USER_VARIABLE,
    auth_from_environment,
    check_url,
    redact,
)
from rit_graph.validation.validate import validate

#: Seconds to wait for each request by default: a large graph takes a while to store.
DEFAULT_TIMEOUT = 60.0
#: Up to this many graphs the summary has a line per graph; beyond it, totals and mismatches only.
SUMMARY_LINES = 20
#: From this many graphs on, a terminal shows progress.
PROGRESS_FROM = 10

N_TRIPLES = BY_NAME["ntriples"]
_STORED = (200, 201, 204)
_ENDPOINTS = (
    "Oxigraph server: http://HOST:7878/store; Fuseki: http://HOST:3030/DATASET/data; "
    "GraphDB: http://HOST:7200/repositories/REPO/rdf-graphs/service; Virtuoso: http://HOST:8890/sparql-graph-crud-auth"
)


@dataclass(frozen=True)
class Graph:
    """One named graph as it is sent: its triples as written, each once, in a stable order."""

    iri: str
    triples: tuple[ox.Triple, ...]

    def ntriples(self) -> bytes:
        return ox.serialize(list(self.triples), format=ox.RdfFormat.N_TRIPLES) or b""


@dataclass(frozen=True)
class Published:
    """A graph sent and read back: how many triples went out, how many the store holds."""

    iri: str
    sent: int
    stored: int

    @property
    def ok(self) -> bool:
        return self.sent == self.stored


@dataclass(frozen=True)
class PublishReport:
    url: str
    #: The project's graphs.
    graphs: tuple[Published, ...]
    #: graph/union, their union with each triple once.
    union: Published

    @property
    def mismatches(self) -> list[Published]:
        return [g for g in (*self.graphs, self.union) if not g.ok]

    def summary(self) -> str:
        """A line per graph (or, for many graphs, the totals and the mismatches), for people."""
        lines = []
        every = (*self.graphs, self.union)
        shown = every if len(self.graphs) <= SUMMARY_LINES else self.mismatches
        width = max((len(g.iri) for g in shown), default=0)
        for g in shown:
            status = "ok" if g.ok else f"MISMATCH: the store holds {g.stored:,}"
            lines.append(f"  {g.iri.ljust(width)}  {g.sent:>9,} triples  {status}")
        total = sum(g.sent for g in self.graphs)
        lines.append(
            f"published {len(self.graphs):,} graph{'s' if len(self.graphs) != 1 else ''} "
            f"({total:,} triples) and their union ({self.union.sent:,} triples, each once) to {redact(self.url)}; "
            + (
                "every graph read back with the same number of triples"
                if not self.mismatches
                else f"{len(self.mismatches):,} read back with other counts"
            )
        )
        return "\n".join(lines) + "\n"

    def check(self) -> None:
        """Raise StoreError naming every graph whose count differs."""
        if not self.mismatches:
            return
        names = "\n".join(f"  {g.iri}: sent {g.sent:,} triples, the store holds {g.stored:,}" for g in self.mismatches)
        raise StoreError(
            f"the store at {redact(self.url)} does not hold what was sent:\n{names}\n"
            "  how to fix: check that nothing else writes these graphs and that the store keeps every triple "
            "(some stores merge literals of equal value written differently), then publish again; "
            "each graph is replaced whole"
        )


def progress_for(progress: Progress, graphs: int) -> Progress:
    """PROGRESS for publishing GRAPHS graphs, or a silent one when they are few (the summary lists them)."""
    return progress if graphs >= PROGRESS_FROM else Progress()


def graphs(corpus: Corpus) -> list[Graph]:
    """The graphs a store gets: each announcement's (in name order), the reference graph and graph/ontology."""
    project = corpus.project
    by_graph: dict[str, set[ox.Triple]] = defaultdict(set)
    for quad in corpus.quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph[quad.graph_name.value].add(quad.triple)
    names = [corpus.announcement_graphs[name].value for name in sorted(corpus.announcement_graphs)]
    names.append(project.graph_iri("reference"))
    result = [Graph(name, _in_order(by_graph.get(name, set()))) for name in names]
    result.append(Graph(project.graph_iri("ontology"), _in_order(set(corpus.ontology))))
    return result


def union(corpus: Corpus, graphs: list[Graph]) -> Graph:
    """graph/union: every triple of GRAPHS once, as a store keeps it (typed literals in canonical form).

    Kept as a store keeps it, it holds what the default graph of the embedded
    stores holds, and two ways of writing one value count once, as there.
    """
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for graph in graphs for t in graph.triples)
    return Graph(union_graph(corpus.project), _in_order({q.triple for q in store}))


def _in_order(triples: set[ox.Triple]) -> tuple[ox.Triple, ...]:
    return tuple(sorted(triples, key=triple_order))


def publish(run: Run, url: str, timeout: float = DEFAULT_TIMEOUT) -> PublishReport:
    """Validate the run's corpus, replace each of its graphs and then their union in the Graph Store
    Protocol endpoint URL, and read them back.

    Nothing is sent unless the data conforms (ValidationFailed, as for build).
    An HTTP error stops at the graph it happened to (StoreError naming the
    graph, the status and what to do). Mismatched counts are in the report;
    ``PublishReport.check`` turns them into a StoreError.
    """
    check_url(url)
    auth = auth_from_environment()
    report = validate(run)
    if not report.conforms:
        raise ValidationFailed("the data does not conform to the shapes; nothing was published\n\n" + report.to_text())
    todo = graphs(run.corpus)
    # Sent last, so that a store that has it holds every graph it joins.
    joined = union(run.corpus, todo)
    progress = progress_for(run.progress, len(todo))
    with httpx.Client(auth=auth, timeout=timeout) as client:
        progress.start("publishing", len(todo) + 1)
        for done, graph in enumerate([*todo, joined]):
            _put(client, url, graph, min(done, len(todo)), len(todo), timeout)
            progress.advance()
        progress.start("verifying", len(todo) + 1)
        stored = []
        for graph in [*todo, joined]:
            stored.append(_count(client, url, graph, timeout))
            progress.advance()
        progress.finish()
    sent = [Published(g.iri, len(g.triples), n) for g, n in zip([*todo, joined], stored, strict=True)]
    return PublishReport(url, tuple(sent[:-1]), sent[-1])


def _put(client: httpx.Client, url: str, graph: Graph, done: int, total: int, timeout: float) -> None:
    """Replace GRAPH in the store; an empty graph is deleted, so no stale triples stay behind."""
    try:
        if graph.triples:
            response = client.put(
                url,
                params={"graph": graph.iri},
                content=graph.ntriples(),
                headers={"Content-Type": N_TRIPLES.media_type},
            )
        else:
            response = client.delete(url, params={"graph": graph.iri})
            if response.status_code == 404:
                return
    except httpx.HTTPError as e:
        raise _unreachable(url, graph, e, timeout, f"{done} of {total} graphs were published before") from e
    if response.status_code not in _STORED:
        raise _refused(url, graph, response, f"{done} of {total} graphs were published before")


def _count(client: httpx.Client, url: str, graph: Graph, timeout: float) -> int:
    """The number of distinct triples the store holds in GRAPH; 0 when it has no such graph."""
    accept = f"{N_TRIPLES.media_type}, {BY_NAME['turtle'].media_type};q=0.9"
    try:
        response = client.get(url, params={"graph": graph.iri}, headers={"Accept": accept})
    except httpx.HTTPError as e:
        raise _unreachable(url, graph, e, timeout, "every graph was sent; reading it back failed") from e
    if response.status_code == 404:
        return 0
    if response.status_code != 200:
        raise _refused(url, graph, response, "every graph was sent; reading it back failed")
    media_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    rdf = BY_MEDIA_TYPE.get(media_type, N_TRIPLES)
    try:
        return len({q.triple for q in ox.parse(response.content, rdf.oxigraph, base_iri=graph.iri)})
    except (SyntaxError, ValueError) as e:
        raise StoreError(
            f"the store at {redact(url)} sent graph <{graph.iri}> back as {media_type or 'undeclared'} "
            f"that rit-graph cannot read ({e})\n  how to fix: check that the URL is a Graph Store Protocol endpoint "
            f"({_ENDPOINTS})"
        ) from e


def _unreachable(url: str, graph: Graph, error: httpx.HTTPError, timeout: float, done: str) -> StoreError:
    if isinstance(error, httpx.TimeoutException):
        problem = f"no answer within {timeout:g} s for graph <{graph.iri}>"
        fix = "give a longer --timeout, or check that the store is running and not overloaded"
    else:
        problem = (
            f"cannot connect to the store at {redact(url)} for graph <{graph.iri}> ({error or type(error).__name__})"
        )
        fix = "check the URL and that the store is running and reachable from here"
    return StoreError(f"{problem}; {done}\n  how to fix: {fix}")


def _refused(url: str, graph: Graph, response: httpx.Response, done: str) -> StoreError:
    status = response.status_code
    detail = " ".join(response.text.split())[:300]
    said = f"{response.request.method} answered {status} {response.reason_phrase}".strip() + (
        f": {detail}" if detail else ""
    )
    fixes: dict[int, str] = {
        401: f"set {USER_VARIABLE} and {PASSWORD_VARIABLE} (basic auth) or {TOKEN_VARIABLE} (bearer token) "
        "to credentials that may write to the store",
        404: f"give the store's Graph Store Protocol endpoint as --to ({_ENDPOINTS})",
        405: f"give the store's Graph Store Protocol endpoint as --to, not its query endpoint ({_ENDPOINTS})",
        413: "raise the store's request size limit",
    }
    fixes[403] = fixes[401]
    fixes[400] = fixes[415] = fixes[405]
    fix = fixes.get(status) or (
        "look at the store's log; publishing again is safe, as each graph is replaced whole"
        if status >= 500
        else f"check that --to is the store's Graph Store Protocol endpoint ({_ENDPOINTS})"
    )
    return StoreError(f"the store at {redact(url)} refused graph <{graph.iri}> ({said}); {done}\n  how to fix: {fix}")
