"""Answer SPARQL queries on a pyoxigraph store, read-only and closed.

pyoxigraph evaluates SPARQL natively, 20–90× faster than rdflib's evaluator
(benchmarks/sparql_engines.py). Every query is first checked with rdflib's
SPARQL 1.1 parser: updates and SERVICE are refused before anything runs, so
no query can change the data or make the process open a connection. pyoxigraph
has no query time limit, so the server runs queries in worker processes
(see QueryPool) that are killed when their time is up.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import io
import multiprocessing
import os
import pickle
import signal
import socket
import stat
import struct
import threading
import xml.parsers.expat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pyoxigraph as ox

from .errors import InputError, RitGraphError
from .formats import BY_MEDIA_TYPE, BY_NAME, FORMATS, RdfFormat
from .load import read_rdf

READ_ONLY = (
    "this SPARQL endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD) "
    "is not accepted; send queries (SELECT, ASK, CONSTRUCT, DESCRIBE)"
)


class QueryError(RitGraphError):
    """A query the endpoint does not answer; ``status`` is its HTTP status code."""

    status = 400


class ReadOnly(QueryError):
    status = 403


class Forbidden(QueryError):
    status = 403


class QueryTimeout(QueryError):
    status = 503


class ResultTooLarge(QueryError):
    pass


class Form(Enum):
    """The four query forms; SELECT and ASK give result sets, CONSTRUCT and DESCRIBE give graphs."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def gives_graph(self) -> bool:
        return self in (Form.CONSTRUCT, Form.DESCRIBE)


@dataclass(frozen=True)
class ResultFormat:
    """A SPARQL query results format (for SELECT and ASK)."""

    name: str
    media_type: str
    oxigraph: ox.QueryResultsFormat
    aliases: tuple[str, ...] = ()


#: Result set formats, first is the default over HTTP; graph results use formats.FORMATS.
RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json", "application/sparql-results+json", ox.QueryResultsFormat.JSON, ("application/json", "json")
    ),
    ResultFormat(
        "xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML, ("application/xml", "text/xml", "xml")
    ),
    ResultFormat("csv", "text/csv", ox.QueryResultsFormat.CSV),
    ResultFormat("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
)
RESULTS_BY_NAME = {f.name: f for f in RESULT_FORMATS}
#: Formats a CONSTRUCT or DESCRIBE result (one graph) can be written in: JSON-LD, and those without named graphs.
GRAPH_FORMATS: tuple[RdfFormat, ...] = tuple(f for f in FORMATS if not f.datasets or f.name == "jsonld")
#: What a ``format`` parameter or ``--format`` option may name, for either kind of result.
FORMAT_NAMES: tuple[str, ...] = (*RESULTS_BY_NAME, *(f.name for f in GRAPH_FORMATS))


@dataclass(frozen=True)
class Limits:
    """The endpoint's limits: the one table of them, with the defaults ``rit-graph serve`` shows."""

    #: Seconds a query may run before its worker is killed and the client gets 503.
    timeout: float = 30.0
    #: Bytes a request body (or query string) may have; larger requests get 413.
    max_body_bytes: int = 100_000
    #: Bytes a serialised result may have; larger results are stopped and get 400.
    max_result_bytes: int = 50_000_000
    #: Worker processes answering queries at the same time.
    workers: int = 2
    #: Bytes of answers the server keeps to repeat for identical requests (ResultCache); 0 turns it off.
    result_cache_bytes: int = 32 * 1024 * 1024


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the read-only and closed checks."""

    text: str
    form: Form
    #: True when the query names its own dataset (FROM / FROM NAMED).
    has_dataset: bool


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
    kept, nor answers larger than a sixteenth of the budget, so that one large
    result cannot push out all the others.
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
        """Keep ANSWER to REQUEST unless it is too large for the cache; True if kept."""
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


#: rdflib's parser (pyparsing) is not thread-safe: each parse action learns how many arguments
#: it takes on its first call, and threads doing that at once can leave it wrong for good, so
#: that every later query fails with a TypeError. Parsing is pure Python and holds the GIL
#: anyway, so one parse at a time costs no throughput.
_PARSER_LOCK = threading.Lock()


def check(text: str) -> CheckedQuery:
    """Parse TEXT as a SPARQL 1.1 query; refuse updates and SERVICE, report syntax errors.

    rdflib's parser gives the syntax tree, so SERVICE is found wherever it is
    nested and never confused with a string, IRI or comment that spells it.
    """
    found = checked_before(text)
    if found is not None:
        return found
    try:
        with _PARSER_LOCK:
            checked = _check(text)
    except RecursionError as e:
        raise QueryError("the query is nested too deeply to be checked; flatten its expressions or groups") from e
    _CHECKED[text] = checked
    while len(_CHECKED) > CHECKED_TEXTS:
        _CHECKED.pop(next(iter(_CHECKED)), None)
    return checked


def checked_before(text: str) -> CheckedQuery | None:
    """The check of TEXT if it passed recently: a dictionary lookup, cheap enough for the event loop.

    Parsing takes 5–15 ms of the server's one Python thread, and clients send
    the same query texts again and again. Refusals are not remembered.
    """
    return _CHECKED.get(text)


#: How many query texts (of at most --max-body-bytes each) ``check`` remembers, oldest dropped first.
CHECKED_TEXTS = 256
_CHECKED: dict[str, CheckedQuery] = {}


def _check(text: str) -> CheckedQuery:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.parseQuery(text)
    except ParseException as e:
        try:
            parser.parseUpdate(text)
        except ParseException:
            raise QueryError(
                f"SPARQL syntax error at line {e.lineno}, column {e.column}: {e.msg}\n  {e.line}\n  {' ' * (e.column - 1)}^"
            ) from e
        raise ReadOnly(READ_ONLY) from e
    if _contains(tree, "ServiceGraphPattern"):
        raise Forbidden(
            "SERVICE is not allowed: rit-graph answers from its own data only and never opens outbound connections"
        )
    body = tree[1]
    form = Form(body.name.removesuffix("Query").upper())
    return CheckedQuery(text, form, "datasetClause" in body)


def _contains(node: Any, name: str) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        return node.name == name or any(_contains(v, name) for v in node.values())
    if isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        return any(_contains(v, name) for v in node)
    return False


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

    The default graph is the union of all graphs unless the protocol parameters
    or the query's FROM / FROM NAMED select graphs; selected graphs the store
    does not hold are empty, nothing is ever fetched.
    """
    query = request.query
    options: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs or request.named_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    elif not query.has_dataset:
        options["use_default_graph_as_union"] = True
    try:
        result = store.query(query.text, **options)
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {e.msg}") from e
    except ValueError as e:
        raise QueryError(f"invalid query: {e}") from e
    return serialize_result(result, query.form, request.format_name, request.max_result_bytes)


#: What ``Store.query`` and ``parse_query_results`` give.
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


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
            f"character in a literal, or a predicate IRI that ends without a name); ask for another format than {format_name}"
        ) from e


def too_large(max_result_bytes: int | None) -> ResultTooLarge:
    return ResultTooLarge(
        f"the result is larger than the limit of {max_result_bytes} bytes; narrow the query or add LIMIT"
    )


def render_table(store: ox.Store, query: CheckedQuery, base_iri: str | None = None) -> str:
    """SELECT and ASK results as an aligned text table for people."""
    return results_table(store.query(query.text, base_iri=base_iri, use_default_graph_as_union=not query.has_dataset))


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
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

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
    """The format a name or media type stands for, if it suits FORM's kind of result."""
    if form.gives_graph:
        rdf = BY_NAME.get(key) or BY_MEDIA_TYPE.get(key)
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
            raise QueryError(f"{form.value} gives a graph; format {name!r} is not a graph format (use one of {choices})")
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


def files_store(paths: Iterable[Path], base_iri: str) -> ox.Store:
    """RDF files read by extension; TriG and N-Quads keep their graph names, others go into the default graph."""
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


class QueryPool:
    """Worker processes that answer queries, each killed and replaced when its query runs too long.

    Workers are forked after the store is loaded, so they share an in-memory
    store copy-on-write and start in milliseconds. A store on disk is given as
    a function that opens it instead: each worker opens its own read-only
    handle after the fork, since a RocksDB handle must not cross a fork. A
    killed worker takes its query's memory with it, and the other workers keep
    answering meanwhile.

    The event loop itself talks to the workers over non-blocking socket pairs:
    the hop through a thread and a blocking pipe took a quarter of the
    server process's CPU time per cheap query (benchmarks/RESULTS.md). So
    create and use a pool in the event loop that serves the requests.
    """

    def __init__(self, store: ox.Store | Callable[[], ox.Store], workers: int, timeout: float) -> None:
        self._store = store
        self._timeout = timeout
        self._context = multiprocessing.get_context("fork")
        self._loop = asyncio.get_running_loop()
        self._idle: collections.deque[_Worker] = collections.deque()
        #: Requests waiting for a worker, first come first served.
        self._waiting: collections.deque[asyncio.Future[_Worker]] = collections.deque()
        self._all: set[_Worker] = set()
        self._closed = False
        for _ in range(workers):
            self._idle.append(self._start())

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        process = self._context.Process(target=_serve, args=(self._store, theirs, os.getpid()), daemon=True)
        process.start()
        theirs.close()
        worker = _Worker(process, ours, self._loop)
        self._all.add(worker)
        return worker

    async def run(self, request: Request) -> Answer:
        """Answer REQUEST in a worker; the event loop serves other requests meanwhile."""
        worker = self._idle.popleft() if self._idle else await self._wait_for_worker()
        try:
            outcome = await _within(self._timeout, await worker.ask(request))
        except TimeoutError:
            worker = self._replace(worker)
            raise QueryTimeout(
                f"the query was stopped after the time limit of {self._timeout:g} s; "
                "narrow it (fewer joins, LIMIT) or ask the operator for a longer --timeout"
            ) from None
        except (EOFError, OSError) as e:
            worker = self._replace(worker)
            raise QueryError(f"the query worker ended unexpectedly ({e or 'no answer'})") from e
        except BaseException:
            # Cancelled while the worker runs the query: its answer would go to the next request.
            worker = self._replace(worker)
            raise
        finally:
            self._release(worker)
        if isinstance(outcome, QueryError):
            raise outcome
        return outcome

    async def _wait_for_worker(self) -> _Worker:
        handed: asyncio.Future[_Worker] = self._loop.create_future()
        self._waiting.append(handed)
        try:
            return await _within(self._timeout, handed)
        except TimeoutError:
            raise QueryTimeout(f"all query workers stayed busy for {self._timeout:g} s; try again later") from None
        except asyncio.CancelledError:
            if handed.done() and not handed.cancelled():
                self._release(handed.result())
            raise

    def _release(self, worker: _Worker) -> None:
        while self._waiting:
            handed = self._waiting.popleft()
            if not handed.done():
                handed.set_result(worker)
                return
        self._idle.append(worker)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        self._all.discard(worker)
        return worker if self._closed else self._start()

    def worker_pids(self) -> list[int]:
        return sorted(w.process.pid or 0 for w in self._all)

    def close(self) -> None:
        self._closed = True
        for worker in list(self._all):
            worker.stop()
        self._all.clear()


T = TypeVar("T")


async def _within(seconds: float, future: asyncio.Future[T]) -> T:
    """FUTURE's result, or TimeoutError after SECONDS: a plain timer, cheaper than asyncio.timeout per request."""
    timer = asyncio.get_running_loop().call_later(seconds, _expire, future)
    try:
        return await future
    finally:
        timer.cancel()


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


#: Each message between the server and a worker: its length as 8 bytes, then a pickle.
_LENGTH = struct.Struct("!Q")
#: Bytes the server reads from a worker at a time.
_CHUNK = 1 << 18


def _message(value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


class _Worker:
    """A worker process and the server's end of its socket pair, read by the event loop whenever data comes."""

    def __init__(
        self, process: multiprocessing.process.BaseProcess, channel: socket.socket, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.process = process
        self.channel = channel
        self._loop = loop
        self._received = bytearray()
        self._answer: asyncio.Future[Answer | QueryError] | None = None
        self._ended = False
        channel.setblocking(False)
        loop.add_reader(channel.fileno(), self._read)

    async def ask(self, request: Request) -> asyncio.Future[Answer | QueryError]:
        """Send REQUEST; the future of the worker's answer, failed with EOFError if the worker ends first."""
        answer = self._answer = self._loop.create_future()
        if self._ended:
            answer.set_exception(EOFError("the worker had ended"))
            return answer
        # Plain values pickle in a tenth of the time the dataclasses take.
        query = request.query
        fields = (
            (query.text, query.form.value, query.has_dataset),
            (request.format_name, request.default_graphs, request.named_graphs, request.base_iri, request.max_result_bytes),
        )
        await self._loop.sock_sendall(self.channel, _message(fields))
        return answer

    def _read(self) -> None:
        try:
            data = self.channel.recv(_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._end()
            return
        self._received += data
        if len(self._received) < _LENGTH.size:
            return
        end = _LENGTH.size + _LENGTH.unpack_from(self._received)[0]
        if len(self._received) < end:
            return
        message, self._received = self._received, bytearray()
        outcome = pickle.loads(memoryview(message)[_LENGTH.size : end])
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(Answer(*outcome) if isinstance(outcome, tuple) else outcome)

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._loop.remove_reader(self.channel.fileno())
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(EOFError("the worker closed its connection"))

    def stop(self) -> None:
        self._end()
        self.process.kill()
        self.process.join()
        self.channel.close()


def _serve(source: ox.Store | Callable[[], ox.Store], channel: socket.socket, server: int) -> None:
    """A worker's loop: answer requests until the pool closes its end of the socket pair."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with(server)
    _close_inherited_sockets(keep=channel.fileno())
    store = source if isinstance(source, ox.Store) else source()
    with channel.makefile("rb") as incoming:
        for request in _requests(incoming):
            try:
                answer = execute(store, request)
                channel.sendall(_message((answer.media_type, answer.body)))
            except QueryError as e:
                channel.sendall(_message(e))


def _end_with(server: int) -> None:
    """Have Linux kill this worker when SERVER, the process that forked it, dies.

    A server killed with SIGKILL cannot stop its workers, and one in the middle
    of a runaway query would run on, unbounded, with nobody to read its answer.
    The pool forks from the event loop's thread, which lives as long as the
    server (the death signal follows the forking thread). Elsewhere than on
    Linux the workers end when they next find their channel closed.
    """
    prctl = getattr(ctypes.CDLL(None), "prctl", None)
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != server:  # the server died before the request took effect
        os._exit(0)


#: prctl option from <linux/prctl.h>.
_PR_SET_PDEATHSIG = 1


def _close_inherited_sockets(keep: int) -> None:
    """Let go of every socket but KEEP (the worker's channel) that the fork copied from the server.

    A worker forked to replace a killed one gets the server's listening socket
    and its open client connections; holding them, it kept a client that was
    told ``Connection: close`` waiting for an end of the response that never came.
    Each becomes /dev/null rather than a closed number, so that a copied socket
    object closing itself later cannot close a file the worker opened since.
    """
    null = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir("/dev/fd"):
        fd = int(name)
        if fd <= 2 or fd in (keep, null):
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.dup2(null, fd)
        except OSError:
            continue  # the descriptor of the listing itself, already closed
    os.close(null)


def _requests(incoming: BinaryIO) -> Iterator[Request]:
    """The requests read from INCOMING (blocking) until the server closes it."""
    while header := incoming.read(_LENGTH.size):
        (text, form, has_dataset), options = pickle.loads(incoming.read(_LENGTH.unpack(header)[0]))
        yield Request(CheckedQuery(text, Form(form), has_dataset), *options)
