"""One content negotiation for /sparql, the pages and the resource IRIs (negotiation.py).

The same Accept header means the same to every route: an item whose q is no
qvalue (``abc``, ``2``, ``nan``) is ignored, q=0 refuses, ``text/*`` counts,
and the most specific range rates a media type.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from live_server import LiveServer, live_server
from projects import ROOT

from rit_graph.serve.negotiation import language, negotiate, preferences

SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
#: What a SELECT at /sparql and a resource IRI choose for each header.
TABLE = [
    # header, /sparql SELECT, resource IRI
    (None, "application/sparql-results+json", "text/html"),
    ("*/*", "application/sparql-results+json", "text/html"),
    ("text/*", "text/csv", "text/html"),
    ("text/csv;q=abc, application/sparql-results+xml", "application/sparql-results+xml", None),
    ("text/html;q=abc, text/turtle", "application/sparql-results+json", "text/turtle"),
    ("text/csv;q=2, application/sparql-results+json;q=0.5", "application/sparql-results+json", None),
    ("text/turtle;q=nan, application/ld+json", "application/sparql-results+json", "application/ld+json"),
    ("*/*;q=0.1, text/csv", "text/csv", "text/html"),
    ("text/*;q=0.5, text/tab-separated-values", "text/tab-separated-values", "text/html"),
    ("application/rdf+xml, text/html;q=0", "application/sparql-results+json", "application/rdf+xml"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT), "--timeout", "60") as running:
        yield running


@pytest.mark.parametrize(("header", "sparql", "resource"), TABLE)
def test_the_same_accept_header_means_the_same_everywhere(
    server: LiveServer, header: str | None, sparql: str, resource: str | None
) -> None:
    headers = {"Accept": header} if header is not None else {}
    answer = httpx.get(server.url, params={"query": SELECT}, headers=headers)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].split(";")[0] == sparql
    page = httpx.get(f"http://127.0.0.1:{server.port}/id/place/kitakyushu", headers=headers)
    if resource is None:
        assert page.status_code == 406
    else:
        assert page.headers["Content-Type"].split(";")[0] == resource


@pytest.mark.parametrize(
    ("header", "items"),
    [
        ("text/csv;q=abc, text/html", [("text/html", 1.0)]),
        ("a/b;q=1.0001, c/d;q=0.123, e/f;q=-1, g/h;Q=0", [("c/d", 0.123), ("g/h", 0.0)]),
        (" TEXT/Turtle ; charset=utf-8 ;q=0.5,,", [("text/turtle", 0.5)]),
        ("", []),
    ],
)
def test_preferences_keep_only_items_with_a_valid_qvalue(header: str, items: list[tuple[str, float]]) -> None:
    assert preferences(header) == items


def test_ties_go_to_the_earlier_offer_and_nothing_accepted_is_none() -> None:
    offers = (("a", ("text/plain",)), ("b", ("text/csv",)))
    assert negotiate("text/*", offers) == "a"
    assert negotiate("image/png", offers) is None
    assert language("fr, de;q=abc, ja;q=0.3", ("de", "en", "ja"), "en") == "ja"
