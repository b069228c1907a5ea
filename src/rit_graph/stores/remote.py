"""An external SPARQL store: queries forwarded over the SPARQL 1.1 Protocol, and its credentials.

With ``--store URL``, ``serve`` and ``query`` send each query, already
checked by ``querycheck`` (no update, LOAD or SERVICE is ever sent), to
the store's query endpoint, under the same time limit, result size limit
and content negotiation as the embedded stores. ``publish`` shares the
credentials read here.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass

import httpx
import orjson
import pyoxigraph as ox

from rit_graph.errors import EXIT_STORE, StoreError
from rit_graph.query import sparql
from rit_graph.query.querypool import QueryPool
from rit_graph.query.sparql import (
    Answer,
    CheckedQuery,
    Form,
    Limits,
    QueryError,
    QueryTimeout,
    Request,
)
from rit_graph.rdf.formats import BY_NAME
from rit_graph.stores.base import Backend, Runner, StoreOptionError

#: Environment variables holding credentials for an external store; they are never printed.
USER_VARIABLE = "RIT_GRAPH_STORE_USER"
PASSWORD_VARIABLE = "RIT_GRAPH_STORE_PASSWORD"
TOKEN_VARIABLE = "RIT_GRAPH_STORE_TOKEN"
#: ``basic`` (the default) or ``digest`` (Virtuoso's authenticated endpoints) for the user and password.
SCHEME_VARIABLE = "RIT_GRAPH_STORE_AUTH"


class StoreQueryError(QueryError):
    """An external store refused a query or could not be asked; ``status`` is what the client gets."""

    exit_code = EXIT_STORE

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


def check_url(value: str) -> str:
    """VALUE if it is an http(s) URL with a host; otherwise a message saying what a store URL looks like."""
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as e:
        raise StoreOptionError(f"{redact(value)} is not a valid URL ({e})") from e
    if url.scheme not in ("http", "https") or not url.host:
        raise StoreOptionError(
            f"{redact(value)} is not an http:// or https:// URL with a host, such as http://127.0.0.1:7878/store"
        )
    return value


def redact(url: str) -> str:
    """URL without user name and password, for messages."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "<the given URL>"
    return str(parsed.copy_with(username=None, password=None)) if parsed.userinfo else url


class _BearerToken(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def auth_from_environment(environment: Mapping[str, str] | None = None) -> httpx.Auth | None:
    """Credentials for an external store: a bearer token, or a user and password (basic or digest auth), or none.

    They come from the environment so that they stay out of shell history,
    process lists and logs; no message ever repeats them.
    """
    env = os.environ if environment is None else environment
    token, user, password = env.get(TOKEN_VARIABLE), env.get(USER_VARIABLE), env.get(PASSWORD_VARIABLE)
    scheme = env.get(SCHEME_VARIABLE, "basic").strip().lower() or "basic"
    if scheme not in ("basic", "digest"):
        raise StoreOptionError(f"{SCHEME_VARIABLE} must be basic or digest, not {scheme!r}")
    if token and (user or password):
        raise StoreOptionError(f"set either {TOKEN_VARIABLE} or {USER_VARIABLE} and {PASSWORD_VARIABLE}, not both")
    if token:
        return _BearerToken(token)
    if user or password:
        if not user or password is None:
            raise StoreOptionError(
                f"{scheme} auth needs both {USER_VARIABLE} and {PASSWORD_VARIABLE}; set the missing one"
            )
        return httpx.DigestAuth(user, password) if scheme == "digest" else httpx.BasicAuth(user, password)
    return None


#: Formats asked for as a fallback, which rit-graph can convert into any format a client asks for.
_FALLBACKS = {False: ("json", "xml"), True: ("ntriples", "turtle")}


@dataclass
class RemoteStore(Backend):
    """An external SPARQL 1.1 query endpoint that already holds the project (see ``rit-graph publish``).

    A query that names no dataset (no FROM, no graph parameters) is sent with
    UNION, the graph publish fills with the union of the project's graphs, each
    triple once, as ``default-graph-uri``, and the project's GRAPHS as
    ``named-graph-uri``: its default graph is then a set, as in the embedded
    stores, whatever the store's own default-graph setting. Sending the GRAPHS
    as ``default-graph-uri`` would not do: Oxigraph server merges them as a bag,
    counting a triple once per graph that states it (Fuseki as a set).
    """

    url: str
    graphs: list[str]
    union: str
    #: Seconds the command line waits for an answer; the server uses --timeout.
    timeout: float = Limits.timeout

    def describe(self) -> str:
        return f"store: {redact(self.url)} (external SPARQL endpoint; default graph <{self.union}>)"

    def graph_names(self) -> list[str]:
        return list(self.graphs)

    def answer(self, request: Request) -> Answer:
        async def once() -> Answer:
            async with self.client(workers=1) as client:
                return await forward(client, self.url, request, self.dataset, self.timeout)

        return asyncio.run(once())

    def table(self, query: CheckedQuery, base_iri: str | None) -> str:
        if query.form.gives_graph:
            raise QueryError("a table is for SELECT and ASK results; use --format turtle for CONSTRUCT/DESCRIBE")
        answer = self.answer(Request(query, "json", base_iri=base_iri))
        return sparql.results_table(ox.parse_query_results(answer.body, ox.QueryResultsFormat.JSON))

    def check(self) -> None:
        """Ask the store whether its union graph holds triples, so that a wrong URL, missing credentials or a
        store published by an older rit-graph (without the union graph) show at start, not at the first query."""
        try:
            answer = self.answer(Request(sparql.check("ASK { ?s ?p ?o }"), "json"))
        except QueryError as e:
            raise StoreError(
                f"{e}\n  how to fix: give the store's SPARQL query endpoint (Oxigraph: /query) as --store"
            ) from e
        if not orjson.loads(answer.body).get("boolean"):
            raise StoreError(
                f"{redact(self.url)} holds nothing in the graph <{self.union}>, the union of the project's graphs "
                "that queries naming no graph are asked in\n"
                "  how to fix: publish the project to it (rit-graph publish --store …), which writes that graph"
            )

    @property
    def dataset(self) -> tuple[list[str], str]:
        """The project's named graphs and the graph holding their union, for queries that name no graphs."""
        return self.graphs, self.union

    def client(self, workers: int) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            auth=auth_from_environment(),
            timeout=self.timeout,
            limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
        )

    def start(self, limits: Limits) -> Runner:
        return RemoteRunner(RemoteStore(self.url, self.graphs, self.union, limits.timeout), limits)


class RemoteRunner(Runner):
    """The server's queries forwarded over one connection pool, at most --workers at a time."""

    def __init__(self, store: RemoteStore, limits: Limits) -> None:
        self.store = store
        self.limits = limits
        self.client = store.client(limits.workers)
        self._slots = asyncio.Semaphore(limits.workers)
        #: Workers without a store, for the queries whose check needs a parse.
        self._checkers = QueryPool(None, limits)

    async def prove_closed(self, query: CheckedQuery, client: str) -> CheckedQuery:
        return await self._checkers.prove_closed(query, client)

    async def answer(self, request: Request, client: str) -> Answer:
        timeout = self.limits.timeout
        try:
            async with asyncio.timeout(timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise QueryTimeout(f"all query slots stayed busy for {timeout:g} s; try again later") from None
        try:
            return await forward(self.client, self.store.url, request, self.store.dataset, timeout)
        finally:
            self._slots.release()

    async def aclose(self) -> None:
        self._checkers.close()
        await self.client.aclose()


async def forward(
    client: httpx.AsyncClient, url: str, request: Request, dataset: tuple[list[str], str], timeout: float
) -> Answer:
    """Send a checked query to the endpoint URL; the answer in the requested format, within TIMEOUT and the size limit.

    DATASET, the project's named graphs and the graph of their union, is the
    dataset of a query that names none.

    The response is read as it streams and stopped at ``max_result_bytes``;
    the whole exchange is stopped at TIMEOUT (503, as for the embedded stores).
    """
    query = request.query
    wanted = sparql.media_type(query.form, request.format_name)
    fallbacks = [sparql.media_type(query.form, name) for name in _FALLBACKS[query.form.gives_graph]]
    accept = ", ".join([wanted, *(f"{m};q={0.9 - i / 10:.1f}" for i, m in enumerate(fallbacks) if m != wanted)])
    try:
        async with asyncio.timeout(timeout):
            async with client.stream(
                "POST", url, data=_parameters(request, dataset), headers={"Accept": accept}
            ) as response:
                if response.status_code >= 300:
                    raise _refusal(url, response, await _start_of(response))
                body = await _bounded_body(response, request.max_result_bytes)
    except TimeoutError:
        raise QueryTimeout(
            f"the SPARQL store did not answer within the time limit of {timeout:g} s; "
            "narrow the query (fewer joins, LIMIT) or ask the operator for a longer --timeout"
        ) from None
    except httpx.TimeoutException as e:
        raise QueryTimeout(f"the SPARQL store did not answer within {timeout:g} s ({type(e).__name__})") from e
    except httpx.HTTPError as e:
        raise StoreQueryError(f"cannot reach the SPARQL store at {redact(url)}: {e or type(e).__name__}") from e
    return _as_requested(url, query.form, request, response.headers.get("content-type", ""), body)


def _parameters(request: Request, dataset: tuple[list[str], str]) -> dict[str, str | list[str]]:
    text = request.query.text
    base = request.base_iri
    if base and not any(c in base for c in '<>"{}|^`\\ \t\n'):
        # The protocol has no base IRI parameter; a later BASE in the query itself still wins.
        text = f"BASE <{base}>\n{text}"
    parameters: dict[str, str | list[str]] = {"query": text}
    if request.default_graphs or request.named_graphs:
        parameters["default-graph-uri"] = list(request.default_graphs)
        parameters["named-graph-uri"] = list(request.named_graphs)
    elif not request.query.has_dataset and dataset[1]:
        parameters["default-graph-uri"] = [dataset[1]]
        parameters["named-graph-uri"] = list(dataset[0])
    return parameters


async def _start_of(response: httpx.Response, limit: int = 2_000) -> str:
    data = b""
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= limit:
            break
    return " ".join(data[:limit].decode("utf-8", "replace").split())


async def _bounded_body(response: httpx.Response, limit: int | None) -> bytes:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if limit is not None and size > limit:
            raise sparql.too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _refusal(url: str, response: httpx.Response, detail: str) -> QueryError:
    """The store's error as a message for the client: its 4xx passed on; redirects, credentials and 5xx as 502."""
    status = response.status_code
    said = f"{status} {response.reason_phrase}".strip() + (f": {detail[:500]}" if detail else "")
    where = f"the SPARQL store at {redact(url)}"
    if status < 400:
        # Following would turn the POST into a GET without the query; the operator gives the final URL instead.
        location = redact(response.headers.get("location", "another address"))
        return StoreQueryError(f"{where} redirects to {location} ({status}); the operator should give that as --store")
    if status in (401, 403, 407):
        return StoreQueryError(
            f"{where} refused rit-graph's credentials ({said}); the operator should check "
            f"{USER_VARIABLE} / {PASSWORD_VARIABLE} or {TOKEN_VARIABLE}"
        )
    if status in (408, 504):
        return QueryTimeout(f"{where} gave up on the query ({said}); narrow the query or add LIMIT")
    if status in (404, 405, 415):
        return StoreQueryError(
            f"{where} does not answer SPARQL queries there ({said}); "
            "the operator should give the store's SPARQL query endpoint (Oxigraph server: /query) as --store"
        )
    if 400 <= status < 500:
        return StoreQueryError(f"{where} refused the query ({said})", status)
    return StoreQueryError(f"{where} failed ({said})")


def _as_requested(url: str, form: Form, request: Request, content_type: str, body: bytes) -> Answer:
    """BODY as the client asked: passed on when the store answered in that format, else converted."""
    received = content_type.partition(";")[0].strip().lower()
    name = sparql.format_for(form, received) if received else None
    if name == request.format_name:
        return Answer(sparql.media_type(form, name), body)
    if name is None:
        raise StoreQueryError(
            f"the SPARQL store at {redact(url)} answered in {received or 'an undeclared format'}, "
            "which rit-graph cannot read; ask for another format"
        )
    try:
        result: sparql.QueryResult | list[ox.Triple]
        if form.gives_graph:
            result = [q.triple for q in ox.parse(body, BY_NAME[name].oxigraph)]
        else:
            result = ox.parse_query_results(body, sparql.RESULTS_BY_NAME[name].oxigraph)
    except (SyntaxError, ValueError) as e:
        raise StoreQueryError(
            f"the SPARQL store at {redact(url)} sent a {name} answer rit-graph cannot read: {e}"
        ) from e
    return sparql.serialize_result(result, form, request.format_name, request.max_result_bytes)
