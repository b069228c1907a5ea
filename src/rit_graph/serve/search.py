"""/search: the site's search on the server, as a page or as JSON.

``/search?q=`` and ``/search.LANG.html?q=`` (the path every page's search box
sends to, which in the static site is Pagefind's page) answer with the results
of the server's FTS5 index (``output.search``). The page's language is chosen
as for the other pages: the path's, else ``?lang=``, else Accept-Language.
JSON comes for ``format=json``, or on ``/search`` for an Accept preferring
``application/json`` to HTML; ``page=N`` pages through the results.

The index is built on the first search, not when the server starts: at 880
announcements it takes seconds, which every start would wait for otherwise.
"""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from rit_graph.output.search import PAGE_SIZE, Found, QueryTooLong, SearchIndex, presented
from rit_graph.output.site import PAGE_LANGUAGES
from rit_graph.output.site.search_page import MAX_QUERY, search_page, search_path
from rit_graph.serve.linkeddata import HTML, LinkedData, negotiate_language
from rit_graph.serve.negotiation import negotiate

#: What /search offers, HTML first: a browser's Accept rates both through */*.
OFFERS = (("html", HTML), ("json", ("application/json",)))
VARY = "Accept, Accept-Language"
#: The highest page number asked for that is read: past the results a page is empty anyway.
MAX_PAGE = 10_000


class Search:
    """The handler of /search and /search.LANG.html; the index of the site is built once, on the first search."""

    def __init__(self, linked: LinkedData) -> None:
        self.linked = linked
        self._index: SearchIndex | None = None
        self._building = threading.Lock()

    @property
    def index(self) -> SearchIndex:
        with self._building:
            if self._index is None:
                self._index = SearchIndex(self.linked.site)
            return self._index

    def handle(self, request: Request) -> Response:
        """A page of results, or the empty form without ``q``; 400 for a query past MAX_QUERY, 404 for an unknown
        language in the path, 406 for a format other than HTML and JSON."""
        explicit = request.path_params.get("lang")
        if explicit is not None and explicit not in PAGE_LANGUAGES:
            return self.linked.not_found(request)
        asked_lang = request.query_params.get("lang")
        lang = explicit or (
            asked_lang if asked_lang in PAGE_LANGUAGES else negotiate_language(request.headers.get("accept-language"))
        )
        asked_format = request.query_params.get("format")
        if asked_format is not None:
            chosen: str | None = asked_format.lower() if asked_format.lower() in ("html", "json") else None
        else:
            chosen = "html" if explicit else negotiate(request.headers.get("accept"), OFFERS)
        if chosen is None:
            return _answer(
                b"Ask for format=html or format=json (Accept: text/html or application/json).\n",
                "text/plain",
                lang,
                406,
            )
        query = request.query_params.get("q", "")
        page = request.query_params.get("page", "1")
        number = min(int(page), MAX_PAGE) if page.isascii() and page.isdigit() and len(page) <= 9 else 1
        here = search_path(lang)
        try:
            found = self.index.search(query, max(1, number)) if query.strip() else None
        except QueryTooLong:
            error = self.linked.site.messages[lang]["search_too_long"].format(max=MAX_QUERY, length=len(query))
            if chosen == "json":
                return _answer(orjson.dumps({"error": error}), "application/json", lang, 400)
            page_text = search_page(self.linked.site, lang, static=False, here=here, error=error)
            return _answer(page_text.encode("utf-8"), "text/html", lang, 400)
        if chosen == "json":
            return _answer(orjson.dumps(self._json(found, lang)), "application/json", lang)
        return _answer(self._page(found, lang, here).encode("utf-8"), "text/html", lang)

    def _json(self, found: Found | None, lang: str) -> dict[str, object]:
        if found is None:
            return {"query": "", "lang": lang, "total": 0, "page": 1, "pages": 1, "results": []}
        results = presented(self.linked.site, found, lang, None)
        for result in results:
            result["label_segments"] = [{"text": text, "match": hit} for text, hit in result["label_segments"]]
            for passage in result["passages"]:
                passage["segments"] = [{"text": text, "match": hit} for text, hit in passage["segments"]]
        return {
            "query": found.query,
            "lang": lang,
            "total": found.total,
            "page": found.page,
            "pages": found.pages,
            "results": results,
        }

    def _page(self, found: Found | None, lang: str, here: str) -> str:
        site = self.linked.site
        if found is None:
            return search_page(site, lang, static=False, here=here)

        def link(page: int) -> str:
            return "?" + urlencode({"q": found.query, "page": page})

        return search_page(
            site,
            lang,
            static=False,
            here=here,
            query=found.query,
            results=presented(site, found, lang, here),
            total=found.total,
            page=found.page,
            pages=found.pages,
            first=(found.page - 1) * PAGE_SIZE + 1,
            previous=link(found.page - 1) if found.page > 1 else None,
            next=link(found.page + 1) if found.page < found.pages else None,
        )


def _answer(body: bytes, media_type: str, lang: str, status: int = 200) -> Response:
    headers = {"Vary": VARY, "Content-Language": lang, "Cache-Control": "no-cache"}
    if media_type == "text/html":
        return HTMLResponse(body, status_code=status, headers=headers)
    return Response(body, status_code=status, media_type=media_type, headers=headers)
