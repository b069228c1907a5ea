"""Dereferenceable IRIs over real HTTP on loopback: content negotiation, validators, 404 and 406, hostile data."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import html5lib
import httpx
import pytest
import rdflib
from helpers import assert_isomorphic, rdflib_graph
from hostile import Elements, hostile_project
from live_server import LiveServer, live_server
from projects import ROOT

from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.output.site import RESOURCE_FORMATS, Site
from rit_graph.rdf.formats import BY_NAME

KITAKYUSHU = "id/place/kitakyushu"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
#: rdflib's parser name for each format the resources offer.
RDFLIB = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT)) as running:
        yield running


@pytest.fixture(scope="module")
def site(corpus: Corpus) -> Site:
    return Site(corpus)


def url(server: LiveServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}/{path}"


def parsed(body: bytes, rdf_format: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format=RDFLIB[rdf_format])


def lang_of(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


class Links(HTMLParser):
    """Every href of a page (HTML and SVG links)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k == "href" and v]


@pytest.mark.parametrize("rdf_format", RESOURCE_FORMATS)
def test_every_format_by_accept_is_the_resources_description(server: LiveServer, site: Site, rdf_format: str) -> None:
    media_type = BY_NAME[rdf_format].media_type
    response = httpx.get(url(server, KITAKYUSHU), headers={"Accept": f"text/html;q=0.5, {media_type}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["content-location"] == f"/{KITAKYUSHU}{BY_NAME[rdf_format].extension}"
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in response.headers["vary"].split(",")}
    expected = parsed(site.resource_data(site.base + KITAKYUSHU, "ntriples"), "ntriples")
    assert (rdflib.URIRef(site.base + KITAKYUSHU), rdflib.RDFS.label, rdflib.Literal("北九州市", lang="ja")) in expected
    assert_isomorphic(expected, parsed(response.content, rdf_format), f"({rdf_format} by Accept)")
    explicit = httpx.get(url(server, KITAKYUSHU + BY_NAME[rdf_format].extension))
    assert explicit.headers["content-type"].split(";")[0] == media_type
    assert_isomorphic(expected, parsed(explicit.content, rdf_format), f"({rdf_format} by extension)")


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (BROWSER, "text/html"),
        (None, "text/html"),
        ("*/*", "text/html"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml"),
        ("application/ld+json;q=0.8, text/html;q=0.7", "application/ld+json"),
        ("text/*;q=0.9, text/html;q=0.1", "text/turtle"),
        ("application/n-triples, */*;q=0.1", "application/n-triples"),
        ("application/xhtml+xml", "text/html"),
    ],
)
def test_q_values_choose_the_representation(server: LiveServer, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(url(server, KITAKYUSHU), headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


def test_language_from_accept_language_and_the_lang_switch(server: LiveServer) -> None:
    for accept_language, expected in [
        ("ja,en;q=0.5", "ja"),
        ("de-DE,de;q=0.9", "de"),
        ("fr, en;q=0.3", "en"),
        ("fr", "en"),
        ("en;q=0.2, de;q=0.8", "de"),
    ]:
        response = httpx.get(url(server, KITAKYUSHU), headers={"Accept": BROWSER, "Accept-Language": accept_language})
        assert lang_of(response.text) == expected, accept_language
        assert response.headers["content-location"] == f"/{KITAKYUSHU}.{expected}.html"
        assert "Accept-Language" in response.headers["vary"]
    switched = httpx.get(url(server, KITAKYUSHU), params={"lang": "ja"}, headers={"Accept-Language": "de"})
    assert lang_of(switched.text) == "ja" and '<h1 lang="ja">北九州市</h1>' in switched.text
    for path in ("", "ontology", "shapes", "downloads", "source/bwi-cluster-japan-rit"):
        page = httpx.get(url(server, path), headers={"Accept-Language": "ja"})
        assert page.status_code == 200 and lang_of(page.text) == "ja", path
        fixed = httpx.get(
            url(server, (path + "." if path else "index.") + "de.html"), headers={"Accept-Language": "ja"}
        )
        assert fixed.status_code == 200 and lang_of(fixed.text) == "de", path
        assert "content-location" not in fixed.headers


def test_every_link_of_the_pages_resolves_on_the_server(server: LiveServer) -> None:
    """The site's relative links work on the server as in the static folder, from the IRI and from the .html path."""
    pages = [
        KITAKYUSHU,
        f"{KITAKYUSHU}.ja.html",
        "",
        "index.de.html",
        "ontology",
        "shapes.en.html",
        "downloads",
        "source/bwi-cluster-japan-rit",
        "id/announcement/bwi-cluster-japan-rit",
    ]
    checked: set[str] = set()
    with httpx.Client() as client:
        for page in pages:
            response = client.get(url(server, page), headers={"Accept": BROWSER})
            assert response.status_code == 200, page
            for href in Links(response.text).hrefs:
                target = urldefrag(urljoin(str(response.url), href))[0]
                if target.startswith(url(server, "")) and target not in checked:
                    checked.add(target)
                    assert client.head(target).status_code == 200, f"{page}: {href}"
    assert any(t.endswith(".ttl") for t in checked) and any(t.endswith(".ja.html") for t in checked)
    assert any("/downloads/" in t and t.endswith(".gz") for t in checked)


def test_the_ontology_iri_gives_its_page_or_its_turtle(server: LiveServer, corpus: Corpus) -> None:
    page = httpx.get(url(server, "ontology"), headers={"Accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    turtle = httpx.get(url(server, "ontology"), headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert turtle.headers["content-location"] == "/downloads/ontology.ttl"
    assert_isomorphic(rdflib_graph(corpus.ontology), parsed(turtle.content, "turtle"), "(ontology)")


def test_etag_and_if_none_match(server: LiveServer) -> None:
    first = httpx.get(url(server, KITAKYUSHU), headers={"Accept": "text/turtle"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = httpx.get(url(server, KITAKYUSHU), headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and "Accept" in again.headers["vary"]
    weak = httpx.get(url(server, KITAKYUSHU), headers={"Accept": "text/turtle", "If-None-Match": f'"x", W/{etag}'})
    assert weak.status_code == 304
    other = httpx.get(url(server, KITAKYUSHU), headers={"Accept": "application/rdf+xml", "If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag, "each representation has its own tag"
    html = {lang: httpx.get(url(server, f"{KITAKYUSHU}.{lang}.html")).headers["etag"] for lang in ("de", "en", "ja")}
    assert len(set(html.values())) == 3


def project_modified() -> float:
    files = [p for d in ("ontology", "shapes", "data") for p in (ROOT / d).rglob("*") if p.is_file()]
    files += [p for p in [ROOT / "rit-graph.toml"] if p.exists()]
    return float(int(max(p.stat().st_mtime for p in files)))


def test_last_modified_is_the_newest_input_and_if_modified_since(server: LiveServer) -> None:
    response = httpx.get(url(server, KITAKYUSHU))
    modified = response.headers["last-modified"]
    assert modified == email.utils.formatdate(project_modified(), usegmt=True)
    assert httpx.get(url(server, "downloads/rit-graph.ttl")).headers["last-modified"] == modified
    unchanged = httpx.get(url(server, KITAKYUSHU), headers={"If-Modified-Since": modified})
    assert unchanged.status_code == 304
    earlier = email.utils.formatdate(project_modified() - 1, usegmt=True)
    assert httpx.get(url(server, KITAKYUSHU), headers={"If-Modified-Since": earlier}).status_code == 200
    assert httpx.get(url(server, KITAKYUSHU), headers={"If-Modified-Since": "not a date"}).status_code == 200
    precedence = httpx.get(url(server, KITAKYUSHU), headers={"If-Modified-Since": modified, "If-None-Match": '"other"'})
    assert precedence.status_code == 200, "If-None-Match decides when both are sent"


def test_unknown_iri_gives_a_helpful_page_to_browsers(server: LiveServer) -> None:
    response = httpx.get(url(server, "id/city/kitakyushu"), headers={"Accept": BROWSER, "Accept-Language": "de"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html") and lang_of(response.text) == "de"
    assert "https://w3id.org/rit-graph/id/city/kitakyushu" in response.text
    hrefs = Links(response.text).hrefs
    assert "/id/place/kitakyushu.de.html" in hrefs and "/index.de.html" in hrefs
    for href in hrefs:
        if not href.startswith("#"):
            assert httpx.get(urljoin(str(response.url), href)).status_code == 200, href


#: Request paths that once became links of the 404 page: its language switch was ``PATH?lang=xx``.
REFLECTED = [
    "javascript:alert(document.domain)%3C!--",
    "JaVaScRiPt:alert(1)",
    "id/place/javascript:alert(1)",
    "a/b/c/d/javascript:alert(1)//",
    "/evil.example/x",
    "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
]


@pytest.mark.parametrize("path", REFLECTED)
@pytest.mark.parametrize("lang", ["de", "en", "ja"])
def test_every_link_of_the_404_page_is_a_site_path(server: LiveServer, path: str, lang: str) -> None:
    """No link or header of the 404 page comes from the request: the path asked for is escaped text only."""
    response = httpx.get(url(server, path), headers={"Accept": BROWSER, "Accept-Language": lang})
    assert response.status_code == 404 and lang_of(response.text) == lang
    document = html5lib.parse(response.text, namespaceHTMLElements=False)
    links = [
        v
        for element in document.iter()
        for k, v in element.attrib.items()
        if k in ("href", "src", "action", "formaction", "poster", "srcset", "xlink:href")
    ]
    assert len(links) >= 8, "navigation, language switch and home"
    for link in links:
        parts = urlsplit(link)
        assert not parts.scheme and not parts.netloc and link.startswith(("/", "#")), link
        assert "alert" not in link and "evil" not in link, link
        if link.startswith("/"):
            assert httpx.head(url(server, link[1:])).status_code == 200, link
    assert not [v for element in document.iter() for v in element.attrib.values() if "alert" in v]
    shown = "".join(document.find(".//code").itertext())
    assert shown == "https://w3id.org/rit-graph/" + unquote(path).lstrip("/")
    assert "alert" not in "".join(f"{k}: {v}" for k, v in response.headers.items())


def test_unknown_iri_gives_text_to_rdf_clients(server: LiveServer) -> None:
    response = httpx.get(url(server, "id/place/kitakyuhsu"), headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert lines[0] == "https://w3id.org/rit-graph/id/place/kitakyuhsu is not described here."
    assert lines[2] == "  https://w3id.org/rit-graph/id/place/kitakyushu"
    for path in (
        "id/place/kitakyushu.de.ttl",
        "id/place/kitakyushu.pdf",
        "downloads/nothing.ttl",
        "source/nothing",
        "nothing.en.html",
    ):
        assert httpx.get(url(server, path), headers={"Accept": "text/turtle"}).status_code == 404, path


def test_no_acceptable_representation_is_406(server: LiveServer) -> None:
    for path, accept in [
        (KITAKYUSHU, "application/pdf"),
        (KITAKYUSHU, "text/html;q=0, text/csv"),
        ("", "text/turtle"),
        ("shapes", "application/ld+json"),
    ]:
        response = httpx.get(url(server, path), headers={"Accept": accept})
        assert response.status_code == 406, (path, accept)
        assert "text/html" in response.text


def test_the_sparql_endpoint_is_still_there(server: LiveServer) -> None:
    response = httpx.get(
        server.url, params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.json()["boolean"] is True


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Site]]:
    root = hostile_project(tmp_path_factory.mktemp("hostile-server"))
    with live_server("--project", str(root)) as running:
        yield running, Site(load(Project.open(root)))


def test_hostile_text_is_served_as_text(hostile: tuple[LiveServer, Site]) -> None:
    server, site = hostile
    for lang in ("de", "en", "ja"):
        response = httpx.get(url(server, "id/place/evil"), params={"lang": lang}, headers={"Accept": BROWSER})
        page = Elements(response.text)
        for script in page.scripts:
            json.loads(script)  # a JSON-LD block that hostile text had ended early would not parse
        for tag, attributes in page.tags:
            assert tag not in ("img", "b", "textarea"), f"<{tag}> injected"
            if tag == "script":
                assert attributes == {"type": "application/ld+json"}
            assert not [a for a in attributes if a.startswith("on")], f"<{tag} {attributes}>"
            assert not attributes.get("href", "").lower().startswith(("javascript:", "data:")), attributes
    shown = Elements(httpx.get(url(server, "id/place/evil.ja.html")).text).text
    assert "<script>window.__pwned = 'label'; alert(6)</script>" in shown
    assert "javascript:alert(3)" in shown
    turtle = httpx.get(url(server, "id/place/evil"), headers={"Accept": "text/turtle"})
    assert_isomorphic(
        parsed(site.resource_data(site.base + "id/place/evil", "ntriples"), "ntriples"),
        parsed(turtle.content, "turtle"),
        "(hostile resource)",
    )


def test_a_hostile_path_in_the_404_page_is_text(hostile: tuple[LiveServer, Site]) -> None:
    server, _ = hostile
    path = "id/place/<script>alert(7)</script><img src=x onerror=alert(8)>"
    response = httpx.get(url(server, path), headers={"Accept": BROWSER})
    assert response.status_code == 404
    page = Elements(response.text)
    assert not [tag for tag, _ in page.tags if tag in ("script", "img")]
    assert "id/place/<script>alert(7)</script><img src=x onerror=alert(8)>" in page.text


def test_a_non_ascii_iri_has_a_content_location_in_ascii(hostile: tuple[LiveServer, Site]) -> None:
    server, _ = hostile
    for accept, location in [
        ("text/turtle", "/id/place/%E5%8C%97%E4%B9%9D%E5%B7%9E.ttl"),
        (BROWSER, "/id/place/%E5%8C%97%E4%B9%9D%E5%B7%9E.ja.html"),
    ]:
        response = httpx.get(url(server, "id/place/北九州"), headers={"Accept": accept, "Accept-Language": "ja"})
        assert response.status_code == 200 and response.headers["content-location"] == location
        assert httpx.get(url(server, location[1:])).status_code == 200
