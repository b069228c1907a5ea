"""The web app: a read-only SPARQL 1.1 Protocol endpoint at /sparql and the linked-data site.

``create_app`` lists every route in one place. Queries run on a store
(``stores``): for the embedded stores in a QueryPool of worker processes
started when the app starts, so a runaway query is killed without stopping the
server; for an external store forwarded over the SPARQL 1.1 Protocol. Given a
project's corpus, the app also answers every resource IRI under the base and
the site's pages (``linkeddata``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.datastructures import URL
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rit_graph.corpus.load import Corpus
from rit_graph.output.site import PAGE_LANGUAGES
from rit_graph.query import querycheck, sparql
from rit_graph.query.querycheck import CheckedQuery
from rit_graph.query.querypool import Busy
from rit_graph.query.sparql import GRAPH_FORMATS, Form, Limits, QueryError, ResultCache
from rit_graph.rdf.formats import BY_NAME
from rit_graph.rdf.namespaces import RDF_TYPE
from rit_graph.serve import negotiation
from rit_graph.serve.linkeddata import LinkedData, favicon, negotiate_language
from rit_graph.serve.query_page import Example, QueryPage, query_page
from rit_graph.serve.query_page import read_examples as read_examples
from rit_graph.serve.search import Search
from rit_graph.serve.static import Static
from rit_graph.stores import Backend, MemoryStore, Runner

SD = "http://www.w3.org/ns/sparql-service-description#"
T = TypeVar("T")
#: Where the server logs its errors (uvicorn's error log), the traceback of a bug included.
LOG = logging.getLogger("uvicorn.error")
#: The answer when a request met a bug: nothing of the exception, which may quote the data or the request.
FAILED_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>500 Internal Server Error</title></head>
<body>
<h1>Internal Server Error</h1>
<p>This answer could not be made: a bug in rit-graph, logged on the server.</p>
</body>
</html>
"""


def create_app(
    store: ox.Store | Backend,
    limits: Limits | None = None,
    base_iri: str | None = None,
    examples: list[Example] | None = None,
    title: str = "rit-graph",
    corpus: Corpus | None = None,
) -> Starlette:
    """The ASGI app serving STORE (an in-memory store or a Backend); its runner starts and stops with the app.

    With CORPUS, the site and the resource IRIs are served too, with the base IRI
    mapped to ``/`` (``BASE/id/place/kitakyushu`` is ``/id/place/kitakyushu``).
    """
    limits = limits or Limits()
    backend = store if isinstance(store, Backend) else MemoryStore(store)
    static = Static()
    linked = LinkedData(corpus) if corpus is not None else None
    page = query_page(examples or [], base_iri, title, linked.site if linked is not None else None, static)
    endpoint = SparqlEndpoint(backend, limits, base_iri, page)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        endpoint.runner = backend.start(limits)
        app.state.runner = endpoint.runner
        try:
            yield
        finally:
            await endpoint.runner.aclose()

    routes = [
        Route("/sparql", endpoint.handle, methods=["GET", "POST"]),
        Route("/static/{path:path}", static.handle),
        Route("/favicon.ico", favicon),
        Route("/favicon.svg", favicon),
    ]
    if linked is not None:
        site = linked
        search = Search(site)
        routes += [
            Route("/", site.page),
            Route("/id/{path:path}", site.resource),
            Route("/source/{name}", site.source),
            Route("/browse/{path:path}", site.browse),
            Route("/downloads/{name}", site.download),
            Route("/search", search.handle),
            Route("/search.{lang}.html", search.handle),
            Route("/sitemap.xml", site.sitemap),
            Route("/sitemap-{n:int}.xml", site.sitemap),
            Route("/robots.txt", site.sitemap),
            Route("/{name}", site.page),
            Route("/{path:path}", site.not_found),
        ]
    middleware = [
        Middleware(_NoSniff),
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type"],
        ),
        Middleware(_Unexpected),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


class SparqlEndpoint:
    """The SPARQL 1.1 Protocol: GET and both POST forms, read-only."""

    def __init__(self, store: Backend, limits: Limits, base_iri: str | None, page: QueryPage) -> None:
        self.store = store
        self.limits = limits
        self.base_iri = base_iri
        self.page = page
        self.runner: Runner | None = None
        #: None when turned off (--result-cache-bytes 0) or when the store's data can change meanwhile.
        self.cache = ResultCache(limits.result_cache_bytes) if limits.result_cache_bytes and store.fixed_data else None
        self.sending = Sending(limits.max_sending_bytes)

    async def handle(self, request: Request) -> Response:
        params: list[tuple[str, str]] = []
        try:
            params = await self._params(request)
            queries = [v for k, v in params if k == "query"]
            if any(k == "update" for k, _ in params):
                raise sparql.ReadOnly(sparql.READ_ONLY)
            if not queries and request.method == "POST":
                raise QueryError(
                    "the POST holds no query: send it in a form field named query "
                    "(application/x-www-form-urlencoded) or as the body (application/sparql-query)"
                )
            if not queries:
                return self._describe(request)
            if len(queries) > 1:
                raise QueryError("send exactly one query parameter")
            return await self._query(request, queries[0], params)
        except QueryError as e:
            headers = {"Retry-After": str(e.retry_after)} if isinstance(e, Busy) else {}
            if negotiation.negotiate(request.headers.get("accept"), _ERROR_OFFERS) == "html":
                # A browser (one that rates HTML above plain text) sees the error on the query page, its query
                # in the editor, rather than a bare text; SPARQL clients keep the plain text.
                query, lang = next((v for k, v in params if k == "query"), None), self._language(request)
                body = self.page.page(lang, query, e)
                headers |= {"Vary": "Accept, Accept-Language", "Content-Language": lang}
                return HTMLResponse(body, status_code=e.status, headers=headers)
            return PlainTextResponse(str(e) + "\n", status_code=e.status, headers=headers | {"Vary": "Accept"})

    async def _params(self, request: Request) -> list[tuple[str, str]]:
        """Parameters from the URL and, for POST, from the body (form or direct query)."""
        params = list(request.query_params.multi_items())
        if len(request.scope["query_string"]) > self.limits.max_body_bytes:
            raise _too_large("query string", self.limits.max_body_bytes)
        if request.method != "POST":
            return params
        media_type, _, options = request.headers.get("content-type", "").partition(";")
        media_type = media_type.strip().lower()
        charset = {
            k.strip().lower(): v.strip().strip('"').lower()
            for k, _, v in (o.partition("=") for o in options.split(";"))
            if k.strip()
        }.get("charset", "utf-8")
        if media_type == "application/sparql-update":
            raise sparql.ReadOnly(sparql.READ_ONLY)
        if media_type not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise _UnsupportedMediaType(
                "POST a query as application/sparql-query or application/x-www-form-urlencoded, not "
                f"{media_type or 'a body without Content-Type'}"
            )
        if charset not in ("utf-8", "utf8"):
            raise _UnsupportedMediaType(f"the request body must be UTF-8, not {charset}")
        body = await self._body(request)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise QueryError(f"the request body is not valid UTF-8 (byte {e.start})") from e
        if media_type == "application/sparql-query":
            return [*params, ("query", text)] if text else params
        return [*params, *parse_qsl(text, keep_blank_values=True)]

    async def _body(self, request: Request) -> bytes:
        limit = self.limits.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large("request body", limit)
        chunks, size = [], 0
        try:
            async with asyncio.timeout(self.limits.read_timeout):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise _too_large("request body", limit)
                    chunks.append(chunk)
        except TimeoutError:
            raise _TooSlow(f"the request body did not arrive within {self.limits.read_timeout:g} s") from None
        except ClientDisconnect as e:
            # Gone mid-body (or its chunked body was malformed): nobody reads the answer, but the
            # server's log gets no traceback.
            raise QueryError("the connection closed before the whole request body arrived") from e
        return b"".join(chunks)

    async def _query(self, request: Request, text: str, params: list[tuple[str, str]]) -> Response:
        assert self.runner is not None, "the app's lifespan starts the runner"
        client = request.client.host if request.client else ""
        checked = await self._checked(request, text, client)
        asked = sparql.Request(
            checked,
            _negotiate(checked.form, request, params),
            sparql.graph_iris("default-graph-uri", (v for k, v in params if k == "default-graph-uri")),
            sparql.graph_iris("named-graph-uri", (v for k, v in params if k == "named-graph-uri")),
            self.base_iri,
            self.limits.max_result_bytes,
        )
        headers = {"Vary": "Accept"}
        answer = self.cache.get(asked) if self.cache is not None else None
        if answer is not None:
            headers["Cache-Status"] = "rit-graph; hit"
        else:
            answer = await _unless_disconnected(request, self.runner.answer(asked, client))
            if self.cache is not None:
                # RFC 9211: the store answered; "stored" if later identical requests will be answered from the cache.
                headers["Cache-Status"] = "rit-graph; fwd=miss" + ("; stored" if self.cache.put(asked, answer) else "")
        return self.sending.response(answer, headers)

    async def _checked(self, request: Request, text: str, client: str) -> CheckedQuery:
        """TEXT checked (``querycheck``), its outcome remembered: a repeated text, accepted or refused, costs a lookup.

        The outline takes time linear in the text, here; a text that may hold
        SERVICE is parsed in a worker, under the query's time and memory limits.
        """
        assert self.runner is not None
        outcome = querycheck.remembered(text)
        if outcome is None:
            try:
                outcome = querycheck.outline(text)
                if not outcome.closed:
                    outcome = await _unless_disconnected(request, self.runner.prove_closed(outcome, client))
            except (Busy, _ClientGone):
                raise  # says nothing of the text
            except QueryError as e:
                outcome = e
            querycheck.remember(text, outcome)
        if isinstance(outcome, QueryError):
            raise copy.copy(outcome)
        return outcome

    def _describe(self, request: Request) -> Response:
        """A plain GET: the HTML query page for browsers, else the SPARQL 1.1 Service Description."""
        chosen = negotiation.negotiate(request.headers.get("accept"), _DESCRIPTION_OFFERS) or "turtle"
        if chosen == "html":
            lang = self._language(request)
            return HTMLResponse(
                self.page.page(lang), headers={"Vary": "Accept, Accept-Language", "Content-Language": lang}
            )
        rdf = BY_NAME[chosen]
        body = ox.serialize(self._description(request.url), format=rdf.oxigraph, prefixes={"sd": SD})
        return Response(body, media_type=rdf.media_type, headers={"Vary": "Accept"})

    @staticmethod
    def _language(request: Request) -> str:
        """The query page's language: ?lang=, else the best of Accept-Language, as on the site's pages."""
        asked = request.query_params.get("lang", "")
        return asked if asked in PAGE_LANGUAGES else negotiate_language(request.headers.get("accept-language"))

    def _description(self, url: URL) -> list[ox.Triple]:
        try:
            service = ox.NamedNode(str(url.replace(query="", fragment="")))
        except ValueError as e:
            raise QueryError(
                f"the endpoint's own IRI cannot be made from the Host header ({e}); send a host name"
            ) from e
        dataset, default = ox.BlankNode(), ox.BlankNode()

        def sd(name: str) -> ox.NamedNode:
            return ox.NamedNode(SD + name)

        triples = [
            ox.Triple(service, RDF_TYPE, sd("Service")),
            ox.Triple(service, sd("endpoint"), service),
            ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
            ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
            ox.Triple(service, sd("defaultDataset"), dataset),
            ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
            ox.Triple(dataset, sd("defaultGraph"), default),
            ox.Triple(default, RDF_TYPE, sd("Graph")),
        ]
        iris = [f.iri for f in sparql.RESULT_FORMATS] + [f.iri for f in GRAPH_FORMATS]
        triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(iri)) for iri in iris]
        for name in self.store.graph_names():
            named = ox.BlankNode()
            triples += [
                ox.Triple(dataset, sd("namedGraph"), named),
                ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
                ox.Triple(named, sd("name"), ox.NamedNode(name)),
            ]
        return triples


class _NoSniff:
    """Every response says ``X-Content-Type-Options: nosniff``: no browser may read a plain-text answer,
    which can quote the request, as a page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.app(scope, receive, sending)


class _Unexpected:
    """An exception no handler expected, a bug, is answered with a short 500 page and its traceback logged once.

    Starlette would answer "Internal Server Error" in plain text and raise the exception on for the server
    to log. Here it is logged and ends, so nothing logs it again; the page says nothing of it. Once an answer
    has started there is no page to send instead: the exception goes on to the server, which logs it and
    closes the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if started:
                raise
            LOG.exception("a bug in rit-graph answering %s %r", scope["method"], scope["path"])
            await HTMLResponse(FAILED_PAGE, status_code=500, headers={"Cache-Control": "no-store"})(
                scope, receive, send
            )


class _NotAcceptable(QueryError):
    status = 406


class _UnsupportedMediaType(QueryError):
    status = 415


class _RequestTooLarge(QueryError):
    status = 413


class _TooSlow(QueryError):
    status = 408


class _ClientGone(QueryError):
    """The client closed its connection while its query was checked or answered; nobody reads this."""


async def _unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """WORK's result; WORK is cancelled (its worker freed) if the client closes the connection first."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnection(request))
    try:
        await asyncio.wait((task, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise _ClientGone("the client closed the connection before the answer")
    return task.result()


async def _disconnection(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


class Sending:
    """The answers being sent, in bytes, within ``Limits.max_sending_bytes``; large answers go out in chunks.

    A client that does not read keeps its answer in the server until the
    connection's send timeout (``connections``); the budget bounds how many
    such answers there can be at once. Answers up to one chunk are not counted.
    """

    CHUNK = 256 * 1024

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0

    def response(self, answer: sparql.Answer, headers: dict[str, str]) -> Response:
        size = len(answer.body)
        if size <= self.CHUNK:
            return Response(answer.body, media_type=answer.media_type, headers=headers)
        if self.size and self.size + size > self.budget:
            raise Busy(
                f"the server is sending {self.size} bytes of answers, close to its limit of {self.budget}; "
                "try again shortly or ask for less (LIMIT)",
                1,
            )
        self.size += size
        return _Chunked(answer, headers, self._sent)

    def _sent(self, size: int) -> None:
        self.size -= size


class _Chunked(Response):
    """An answer sent a chunk at a time, each waiting for the client to take the one before."""

    def __init__(self, answer: sparql.Answer, headers: dict[str, str], done: Callable[[int], None]) -> None:
        super().__init__(b"", media_type=answer.media_type, headers=headers)
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.raw_headers.append((b"content-length", str(len(answer.body)).encode("ascii")))
        self.answer = answer
        self.done = done

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = memoryview(self.answer.body)
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            if scope["method"] == "HEAD":
                await send({"type": "http.response.body", "body": b""})
                return
            for start in range(0, len(body), Sending.CHUNK):
                end = start + Sending.CHUNK
                await send({"type": "http.response.body", "body": body[start:end], "more_body": end < len(body)})
        finally:
            self.done(len(body))


def _too_large(what: str, limit: int) -> QueryError:
    return _RequestTooLarge(f"the {what} is larger than the limit of {limit} bytes")


def _negotiate(form: Form, request: Request, params: list[tuple[str, str]]) -> str:
    """The format name for the result: the first format parameter FORM can give, else the best Accept match,
    else the default.

    SPARQL clients name formats in three parameters (FORMAT_PARAMETERS), by a
    name, a short name (``xml`` is RDF/XML for a graph and XML results for a
    result set) or a media type, several in one value separated by commas
    (SPARQLWrapper asks for JSON-LD as ``json-ld`` and again as
    ``application/ld+json,application/x-json+ld``). A format FORM cannot give
    is passed over, so that Accept decides: SPARQLWrapper sends its default,
    ``xml``, with every query form. The default is the first offer, so ``*/*``
    gets it; an Accept that rates no format of the form gets it too, since
    SPARQL clients send all sorts of them, unless a parameter asked for a
    format FORM cannot give: then nothing asked for can be served (406).
    """
    asked = [
        name
        for key, value in params
        if key in FORMAT_PARAMETERS
        for name in (item.split(";")[0].strip().lower() for item in value.split(","))
        if name
    ]
    for name in asked:
        chosen = sparql.format_for(form, name)
        if chosen is not None:
            return chosen
    offers = _GRAPH_OFFERS if form.gives_graph else _RESULT_OFFERS
    chosen = negotiation.negotiate(request.headers.get("accept"), offers)
    if chosen is None and asked:
        raise _NotAcceptable(
            f"format {', '.join(map(repr, dict.fromkeys(asked)))} is not available for {form.value}, nor is any "
            "format the Accept header names; use one of " + ", ".join(_choices(form))
        )
    return chosen or offers[0][0]


#: The parameters SPARQL clients name a result format in: SPARQLWrapper sends all three, Virtuoso reads
#: ``format``, Fuseki ``output``, ``format`` and ``results``.
FORMAT_PARAMETERS = ("format", "output", "results")


#: What /sparql offers for each kind of result, the default first.
_RESULT_OFFERS = tuple((f.name, (f.media_type, *(a for a in f.aliases if "/" in a))) for f in sparql.RESULT_FORMATS)
_GRAPH_OFFERS = tuple((f.name, (f.media_type,)) for f in sorted(GRAPH_FORMATS, key=lambda f: f.name != "turtle"))
#: A plain GET of /sparql: the service description in a graph format (Turtle by default), or the query page.
_DESCRIPTION_OFFERS = (*_GRAPH_OFFERS, ("html", ("text/html", "application/xhtml+xml")))
#: A refused request: plain text, unless the client rates HTML higher (a browser), which gets the query page.
_ERROR_OFFERS = (("text", ("text/plain",)), ("html", ("text/html", "application/xhtml+xml")))


def _choices(form: Form) -> list[str]:
    return [f.name for f in GRAPH_FORMATS] if form.gives_graph else [f.name for f in sparql.RESULT_FORMATS]
