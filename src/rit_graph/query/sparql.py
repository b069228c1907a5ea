"""Answer SPARQL queries on a pyoxigraph store, read-only and closed.

pyoxigraph evaluates SPARQL natively, 20–90× faster than rdflib's evaluator
(benchmarks/sparql_engines.py). Every query is first checked (``querycheck``):
updates and SERVICE are refused before anything runs, so no query can change
the data or make the process open a connection. pyoxigraph has no query time
or memory limit, so the server runs queries in worker processes that are
killed when they pass them (``querypool``).
"""

from __future__ import annotations

import io
import re
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from rit_graph.errors import InputError
from rit_graph.query.querycheck import (
    READ_ONLY,
    CheckedQuery,
    Forbidden,
    Form,
    QueryError,
    QueryTimeout,
    ReadOnly,
    check,
)
from rit_graph.rdf.formats import BY_NAME, BY_PARAMETER, FORMATS, W3C, RdfFormat
from rit_graph.rdf.reading import read_rdf

__all__ = ["READ_ONLY", "CheckedQuery", "Forbidden", "Form", "QueryError", "QueryTimeout", "ReadOnly", "check"]


class ResultTooLarge(QueryError):
    pass


@dataclass(frozen=True)
class ResultFormat:
    """A SPARQL query results format (for SELECT and ASK)."""

    name: str
    media_type: str
    oxigraph: ox.QueryResultsFormat
    #: The format's IRI in the W3C registry, as for RDF formats (formats.W3C).
    iri: str
    #: Other media types, and short names, clients send for this format.
    aliases: tuple[str, ...] = ()


#: Result set formats, first is the default over HTTP; graph results use formats.FORMATS.
RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json",
        "application/sparql-results+json",
        ox.QueryResultsFormat.JSON,
        W3C + "SPARQL_Results_JSON",
        ("application/json", "json"),
    ),
    ResultFormat(
        "xml",
        "application/sparql-results+xml",
        ox.QueryResultsFormat.XML,
        W3C + "SPARQL_Results_XML",
        ("application/xml", "text/xml", "xml"),
    ),
    ResultFormat("csv", "text/csv", ox.QueryResultsFormat.CSV, W3C + "SPARQL_Results_CSV"),
    ResultFormat("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV, W3C + "SPARQL_Results_TSV"),
)
RESULTS_BY_NAME = {f.name: f for f in RESULT_FORMATS}
#: Formats a CONSTRUCT or DESCRIBE result (one graph) can be written in: JSON-LD, and those without named graphs.
GRAPH_FORMATS: tuple[RdfFormat, ...] = tuple(f for f in FORMATS if not f.datasets or f.name == "jsonld")
#: What a ``format`` parameter or ``--format`` option may name, for either kind of result.
FORMAT_NAMES: tuple[str, ...] = (*RESULTS_BY_NAME, *(f.name for f in GRAPH_FORMATS))


#: The longest URL httptools parses (it keeps offsets in 16 bits); uvicorn answers a longer one with 400.
MAX_URL_BYTES = 65_535


@dataclass(frozen=True)
class Limits:
    """The endpoint's limits: the one table of them, with the defaults ``rit-graph serve`` shows.

    Together they bound what the server holds: its workers' memory
    (WORKERS × MAX_QUERY_MEMORY past the store they share), the answers it is
    sending (MAX_SENDING_BYTES) and its connections (MAX_CONNECTIONS, each
    with a request of at most MAX_BODY_BYTES and MAX_HEADER_BYTES).
    """

    #: Seconds a query may run (its check by rdflib included) before its worker is killed and the client gets 503.
    timeout: float = 30.0
    #: Bytes a request body (or query string) may have; larger requests get 413.
    max_body_bytes: int = 100_000
    #: Bytes a serialised result may have; larger results are stopped and get 400.
    max_result_bytes: int = 50_000_000
    #: Worker processes answering queries at the same time; one of them is kept for queries known to be quick.
    workers: int = 4
    #: Bytes of answers the server keeps to repeat for identical requests (ResultCache); 0 turns it off.
    result_cache_bytes: int = 32 * 1024 * 1024
    #: Bytes a worker may allocate for one query past what it holds when idle; past them it is stopped (503).
    max_query_memory: int = 1024 * 1024 * 1024
    #: Open connections; more get 503 at once.
    max_connections: int = 256
    #: Bytes of request headers (the request line aside); more get 431.
    max_header_bytes: int = 16 * 1024
    #: Seconds a client has to send a request's headers, and again its body; then the connection is closed.
    read_timeout: float = 10.0
    #: Seconds a response may wait for the client to read it before the connection is closed.
    send_timeout: float = 30.0
    #: Bytes of answers the server may be sending at once; a query whose answer would pass them gets 503.
    max_sending_bytes: int = 256 * 1024 * 1024
    #: Queries one client address may have waiting for a worker; more get 503 with Retry-After.
    max_waiting_per_client: int = 16
    #: Queries waiting for a worker in all; more get 503 with Retry-After.
    max_waiting: int = 256

    @property
    def max_url_bytes(self) -> int:
        """A query string may hold MAX_BODY_BYTES percent-encoded (three bytes a character), and a path;
        at most MAX_URL_BYTES, beyond which uvicorn's URL parser fails (longer queries are POSTed)."""
        return min(3 * self.max_body_bytes + 2048, MAX_URL_BYTES)


@dataclass(frozen=True)
class Request:
    """Everything a worker needs to answer one query; picklable, and the key of the ResultCache."""

    query: CheckedQuery
    format_name: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    max_result_bytes: int | None = None


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


class ResultCache:
    """Answers kept to repeat for identical requests, the least recently used dropped first to stay within BUDGET bytes.

    An embedded store's data cannot change while the server runs (a changed
    project is loaded by the next start, into a new cache), so the same checked
    query in the same format on the same graphs gets the same answer, and
    repeating it spares the worker and the pipe. Errors and time-outs are never
    kept, nor answers of queries that call RAND, NOW, UUID, STRUUID or BNODE, nor answers larger than a
    sixteenth of the budget, so that one large result cannot push out all the others.
    """

    #: What an entry costs besides its answer's body and its query's text: the objects that hold them.
    OVERHEAD = 300

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.largest = budget // 16
        self.size = 0
        #: In order of use, least recent first.
        self._answers: dict[Request, Answer] = {}

    def get(self, request: Request) -> Answer | None:
        answer = self._answers.pop(request, None)
        if answer is not None:
            self._answers[request] = answer
        return answer

    def put(self, request: Request, answer: Answer) -> bool:
        """Keep ANSWER to REQUEST unless it is too large for the cache or may differ next time; True if kept."""
        if not request.query.deterministic:
            return False
        cost = self._cost(request, answer)
        if cost > self.largest:
            return False
        previous = self._answers.pop(request, None)
        if previous is not None:
            self.size -= self._cost(request, previous)
        while self.size + cost > self.budget:
            oldest = next(iter(self._answers))
            self.size -= self._cost(oldest, self._answers.pop(oldest))
        self._answers[request] = answer
        self.size += cost
        return True

    def __len__(self) -> int:
        return len(self._answers)

    def _cost(self, request: Request, answer: Answer) -> int:
        return len(answer.body) + len(request.query.text) + self.OVERHEAD


def graph_iris(parameter: str, values: Iterable[str]) -> tuple[str, ...]:
    """The IRIs of a ``default-graph-uri`` or ``named-graph-uri`` parameter, each checked to be an absolute IRI.

    Checked in the server, before a worker gets them: pyoxigraph refuses
    such an IRI with a ValueError that a worker must never meet.
    """
    iris = tuple(values)
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as e:
            raise QueryError(f"{parameter} must be an absolute IRI, not {iri!r}: {e}") from e
    return iris


def execute(store: ox.Store, request: Request) -> Answer:
    """Evaluate a checked query on STORE and serialise the result in the requested format.

    The default graph is the store's own, which ``dataset`` makes the union of
    all graphs, each triple once, unless the protocol parameters or the query's
    FROM / FROM NAMED select graphs; selected graphs the store does not hold are
    empty, nothing is ever fetched.
    """
    query = request.query
    if not query.closed:
        raise Forbidden("the query was not checked for SERVICE")
    options: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs or request.named_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    result = evaluate(store, query.text, **options)
    if (query.form is Form.ASK) != isinstance(result, ox.QueryBoolean) or query.form.gives_graph != isinstance(
        result, ox.QueryTriples
    ):
        raise QueryError(f"the query was read as {query.form.value} but is not; write it as SPARQL 1.1 says")
    return serialize_result(result, query.form, request.format_name, request.max_result_bytes)


#: What ``Store.query`` and ``parse_query_results`` give.
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
#: Where pyoxigraph's syntax errors say they are: "error at LINE:COLUMN: what".
_AT = re.compile(r"error at (\d+):(\d+): ")


def evaluate(store: ox.Store, text: str, **options: Any) -> QueryResult:
    """TEXT evaluated on STORE, its errors put as QueryError; the engine's parser decides its syntax."""
    try:
        return store.query(text, **options)
    except SyntaxError as e:
        message = str(e.msg)
        if at := _AT.match(message):
            line, column = int(at.group(1)), int(at.group(2))
            shown = text.split("\n")[line - 1] if line <= text.count("\n") + 1 else ""
            message = (
                f"at line {line}, column {column}: {message[at.end() :]}\n  {shown[:200]}\n  {' ' * (column - 1)}^"
            )
        raise QueryError(f"SPARQL syntax error {message}") from e
    except ValueError as e:
        raise QueryError(f"invalid query: {e}") from e
    except OSError as e:
        # Also what SERVICE meets in a worker without network, were the check ever wrong.
        raise QueryError(f"the query could not be evaluated: {e}") from e


def serialize_result(
    result: QueryResult | list[ox.Triple], form: Form, format_name: str, max_result_bytes: int | None = None
) -> Answer:
    """RESULT in the named format, stopped once it passes MAX_RESULT_BYTES.

    Shared by the embedded stores and by an external store whose answer came
    in another format than the client asked for.
    """
    media_type, oxformat = _output_format(form, format_name)
    output = _BoundedOutput(max_result_bytes)
    try:
        if isinstance(result, ox.QueryTriples | list):
            ox.serialize(result, output, oxformat)
        else:
            result.serialize(output, oxformat)
    except _TooLarge as e:
        raise too_large(max_result_bytes) from e
    except (OSError, ValueError) as e:
        # Solutions are evaluated as they are written: this is where evaluation errors show.
        raise QueryError(f"the query could not be evaluated: {e}") from e
    body = output.getvalue()
    if oxformat in (ox.QueryResultsFormat.XML, ox.RdfFormat.RDF_XML):
        _check_well_formed(body, format_name)
    return Answer(media_type, body)


def _check_well_formed(body: bytes, format_name: str) -> None:
    """Refuse XML that pyoxigraph wrote but no XML parser reads.

    pyoxigraph writes a control character of a literal as it is, which XML 1.0
    cannot hold, and a predicate IRI without a local name (``http://x/1``) as an
    element ``oxprefix:``; a client would get an unreadable result with 200.
    """
    try:
        xml.parsers.expat.ParserCreate(namespace_separator=" ").Parse(body, True)
    except xml.parsers.expat.ExpatError as e:
        raise QueryError(
            f"the result cannot be written as well-formed XML ({xml.parsers.expat.ErrorString(e.code)}: a control "
            "character in a literal, or a predicate IRI that ends without a name); ask for another format than "
            f"{format_name}"
        ) from e


def too_large(max_result_bytes: int | None) -> ResultTooLarge:
    return ResultTooLarge(
        f"the result is larger than the limit of {max_result_bytes} bytes; narrow the query or add LIMIT"
    )


def render_table(store: ox.Store, query: CheckedQuery, base_iri: str | None = None) -> str:
    """SELECT and ASK results as an aligned text table for people."""
    return results_table(evaluate(store, query.text, base_iri=base_iri))


def results_table(result: QueryResult) -> str:
    """A result set as an aligned text table; wherever it was evaluated."""
    if isinstance(result, ox.QueryBoolean):
        return ("yes" if bool(result) else "no") + "\n"
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("a table is for SELECT and ASK results; use --format turtle for CONSTRUCT/DESCRIBE")
    header = [v.value for v in result.variables]
    rows = [[_cell(solution[v]) for v in result.variables] for solution in result]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        text = term.value.replace("\n", "\\n").replace("\t", "\\t")
        return text + (f"@{term.language}" if term.language else "")
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def format_for(form: Form, key: str) -> str | None:
    """The format a name, short name or media type stands for, if it suits FORM's kind of result."""
    if form.gives_graph:
        rdf = BY_PARAMETER.get(key)
        return rdf.name if rdf is not None and rdf in GRAPH_FORMATS else None
    for results in RESULT_FORMATS:
        if key in (results.name, results.media_type, *results.aliases):
            return results.name
    return None


def media_type(form: Form, format_name: str) -> str:
    """The media type of a result of FORM in the named format; QueryError if FORM cannot give it."""
    return _output_format(form, format_name)[0]


def _output_format(form: Form, name: str) -> tuple[str, Any]:
    if form.gives_graph:
        rdf = BY_NAME.get(name)
        if rdf is None or rdf not in GRAPH_FORMATS:
            choices = ", ".join(f.name for f in GRAPH_FORMATS)
            raise QueryError(
                f"{form.value} gives a graph; format {name!r} is not a graph format (use one of {choices})"
            )
        return rdf.media_type, rdf.oxigraph
    results = RESULTS_BY_NAME.get(name)
    if results is None:
        raise QueryError(
            f"{form.value} gives a result set; format {name!r} is not a result format "
            f"(use one of {', '.join(RESULTS_BY_NAME)})"
        )
    return results.media_type, results.oxigraph


class _TooLarge(Exception):
    pass


class _BoundedOutput(io.BytesIO):
    """A buffer that stops the serialiser once the result passes the limit, before it is all in memory."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.limit is not None and self.tell() + memoryview(data).nbytes > self.limit:
            raise _TooLarge()
        return super().write(data)


#: Copies each named graph's triples into the default graph, which holds each triple once however many graphs state it.
UNION_INTO_DEFAULT_GRAPH = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def dataset(quads: Iterable[ox.Quad]) -> ox.Store:
    """QUADS in a store whose default graph is the union of their graphs, each triple once: what queries see.

    A triple two announcements state is one fact with two sources: the named
    graphs keep both, the default graph counts it once. pyoxigraph's own unions
    (``use_default_graph_as_union``, ``default_graph=[graphs]``, FROM) are bags
    that count it once per graph, so the union is written into the default graph
    instead (README, "The default graph").
    """
    store = ox.Store()
    store.extend(quads)
    return with_union(store)


def with_union(store: ox.Store) -> ox.Store:
    """STORE, its default graph now holding also every triple of its named graphs (each once, as a store keeps it)."""
    store.update(UNION_INTO_DEFAULT_GRAPH)
    return store


def files_store(paths: Iterable[Path], base_iri: str) -> ox.Store:
    """RDF files read by extension; TriG and N-Quads keep their graph names, others go into the default graph.

    The store is as read: ``with_union`` adds the named graphs to its default graph.
    """
    store = ox.Store()
    for path in paths:
        store.extend(read_rdf(path, base_iri))
    return store


def graph_names(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def read_query(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot read query: {e}") from e
