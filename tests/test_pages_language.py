"""Every page in the reader's language: the ontology names its terms in Japanese too, pages name properties
and headings from labels in the page's language, the server says which language it sent, the source text
keeps its paragraphs with its quotes marked across them, RDF lists show as lists, the downloads page links
the catalogue, and the site has an icon."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin
from xml.etree.ElementTree import Element

import html5lib  # type: ignore[import-untyped]
import httpx
import pyoxigraph as ox
import pytest
from live_server import LiveServer, live_server
from projects import BWI, ROOT

from rit_graph.corpus.load import Corpus
from rit_graph.output.site import Site, Value, write_site
from rit_graph.output.site.quotes import paragraphs

KITAKYUSHU = "id/place/kitakyushu"
RETURN_VISIT = "id/event/2015-09-hitachi-return-visit"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
TERMS_WITHOUT_JAPANESE = """
    PREFIX owl: <http://www.w3.org/2002/07/owl#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?term ?missing WHERE {
      VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
      ?term a ?kind .
      {
        FILTER NOT EXISTS { ?term rdfs:label ?ja FILTER (lang(?ja) = "ja") }
        BIND ("label" AS ?missing)
      } UNION {
        ?term skos:definition ?en FILTER (lang(?en) = "en")
        FILTER NOT EXISTS { ?term skos:definition ?ja FILTER (lang(?ja) = "ja") }
        BIND ("definition" AS ?missing)
      }
    }
"""


def parse(html: str) -> Element:
    return html5lib.parse(html, namespaceHTMLElements=False)  # type: ignore[no-any-return]


def text(element: Element) -> str:
    return "".join(element.itertext())


@pytest.fixture(scope="module")
def site(corpus: Corpus) -> Site:
    return Site(corpus)


@pytest.fixture(scope="module")
def ontology(corpus: Corpus) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in corpus.ontology)
    return store


def japanese_label(ontology: ox.Store, iri: str) -> str:
    (found,) = [
        q.object.value
        for q in ontology.quads_for_pattern(
            ox.NamedNode(iri), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None
        )
        if isinstance(q.object, ox.Literal) and q.object.language == "ja"
    ]
    return found


def solutions(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    found = store.query(query)
    assert isinstance(found, ox.QuerySolutions)
    return list(found)


def test_every_class_and_property_of_the_ontology_has_a_japanese_label_and_definition(ontology: ox.Store) -> None:
    missing = [(str(row["term"]), str(row["missing"])) for row in solutions(ontology, TERMS_WITHOUT_JAPANESE)]
    assert missing == []
    (count,) = solutions(
        ontology,
        "SELECT (COUNT(?t) AS ?n) WHERE { ?t a ?k VALUES ?k { <http://www.w3.org/2002/07/owl#Class> "
        "<http://www.w3.org/2002/07/owl#ObjectProperty> <http://www.w3.org/2002/07/owl#DatatypeProperty> } }",
    )
    assert int(str(count["n"].value)) > 100


def test_every_message_and_comment_of_the_shapes_is_worded_in_japanese_too(corpus: Corpus) -> None:
    shapes = ox.Store()
    shapes.extend(ox.Quad(t.subject, t.predicate, t.object) for t in corpus.shapes)
    missing = solutions(
        shapes,
        """PREFIX sh: <http://www.w3.org/ns/shacl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?shape ?english WHERE {
          VALUES ?says { sh:message rdfs:comment }
          ?shape ?says ?english FILTER (lang(?english) = "en")
          FILTER NOT EXISTS { ?shape ?says ?japanese FILTER (lang(?japanese) = "ja") }
        }""",
    )
    assert [str(row["english"]) for row in missing] == []


def test_the_shapes_page_says_what_is_required_in_the_pages_language(site: Site) -> None:
    japanese = text(parse(site.shapes_page("ja")))
    assert "ドイツ語のラベルがちょうど一つ必要" in japanese and "needs exactly one German label" not in japanese
    assert "グラフのすべてのリソースは、ドイツ語と英語のラベルをちょうど一つずつ持つ。" in japanese
    assert "needs exactly one German label" in text(parse(site.shapes_page("en")))


def test_a_japanese_resource_page_names_its_properties_and_types_in_japanese(
    site: Site, corpus: Corpus, ontology: ox.Store
) -> None:
    vocabulary = corpus.project.vocabulary
    page = parse(site.resource(corpus.project.base_iri + KITAKYUSHU, "ja"))
    assert text(page.find(".//h1")) == "北九州市"  # type: ignore[arg-type]
    names = {a.get("title"): text(a) for a in page.iterfind(".//section[@id='properties']/dl/dt/a")}
    ours = {iri: name for iri, name in names.items() if iri and iri.startswith(vocabulary)}
    assert vocabulary + "containedIn" in ours
    assert ours == {iri: japanese_label(ontology, iri) for iri in ours}
    # The terms of other vocabularies are named in Japanese too, their IRIs kept as the links' titles.
    assert names["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"] == "種類"
    assert "rdf:type" not in text(page)
    types = [
        text(a) for a in page.iterfind(".//section[@id='properties']/dl/dd//a") if a.get("title") == vocabulary + "City"
    ]
    assert types == ["都市"]


def test_the_ontology_page_heads_each_term_with_its_label_in_the_pages_language(site: Site) -> None:
    for lang, heading in (("ja", "連携"), ("de", "Partnerschaft"), ("en", "Partnership")):
        page = parse(site.ontology_page(lang))
        (term,) = page.iterfind(".//article[@id='Partnership']")
        assert text(term.find("h3")).startswith(heading)  # type: ignore[arg-type]
    japanese = parse(site.ontology_page("ja"))
    assert text(japanese.find(".//h1")) == "地域産業連携のためのrit-graphオントロジー"  # type: ignore[arg-type]


def test_the_source_page_keeps_the_paragraphs_and_marks_quotes_in_them(site: Site, corpus: Corpus) -> None:
    source = (ROOT / "data" / "announcements" / BWI / "source.txt").read_text(encoding="utf-8")
    expected = [p for p in re.split(r"\n[ \t]*\n\s*", source) if p]
    assert len(expected) >= 5
    for lang in ("de", "ja"):
        page = parse(site.source(BWI, lang))
        (body,) = page.iterfind(".//div[@class='source']")
        shown = body.findall("p")
        assert [text(p) for p in shown] == expected
        assert text(body) == source  # the blank lines between paragraphs are kept too
        marks = [m for p in shown for m in p.iter("mark")]
        assert len({m.get("id") for m in marks if m.get("id")}) >= 15
        assert any(m.get("id") == "quote-headline" for m in shown[1].iter("mark"))


def test_a_quote_across_paragraphs_is_marked_in_each_and_anchored_where_it_starts() -> None:
    text_ = "First paragraph ends here.\n\nSecond one starts here. Third sentence.\n \nLast."
    start, end = text_.index("ends"), text_.index("Third")
    found = paragraphs(text_, [(start, end, "quote-a", Value("a"))])
    assert [p["after"] for p in found] == ["\n\n", "\n \n", ""]
    assert "".join("".join(s["text"] for s in p["segments"]) + p["after"] for p in found) == text_
    first, second, last = ([s for s in p["segments"] if s["depth"]] for p in found)
    assert [s["text"] for s in first] == ["ends here."] and first[0]["ids"] == ["quote-a"]
    assert [s["text"] for s in second] == ["Second one starts here. "] and second[0]["ids"] == []
    assert last == []


def test_a_text_of_several_paragraphs_shows_them_on_the_resource_page(site: Site, corpus: Corpus) -> None:
    page = parse(site.resource(corpus.project.announcement_iri(BWI), "ja"))
    (shown,) = page.iterfind(".//div[@class='paragraphs']")
    assert shown.get("lang") == "de"
    assert len(shown.findall("p")) >= 5
    assert text(page.find(".//dt/a[@title='" + corpus.project.vocabulary + "text']")) == "本文"  # type: ignore[arg-type]


def test_rdf_lists_on_the_shapes_page_are_lists_not_rows(site: Site) -> None:
    html = site.shapes_page("en")
    assert "( )" not in html
    page = parse(html)
    lists = list(page.iter("ol"))
    assert lists and all(o.get("class") == "rdf-list" for o in lists)
    # sh:or of two classes: one list of two alternatives, each naming its class.
    (party,) = [tr for tr in page.iter("tr") if text(tr).startswith("rit:party")]
    (alternatives,) = party.iter("ol")
    assert [text(li).split() for li in alternatives.findall("li")] == [
        ["sh:class", "Organisation"],
        ["sh:class", "Place"],
    ]
    # Regular expressions are shown as code, whole.
    assert any(c.get("class") == "code" and text(c).startswith("^") for c in page.iter("code"))


def favicon_files(site_folder: Path) -> Iterator[tuple[str, bytes]]:
    for name in ("favicon.svg", "favicon.ico"):
        yield name, (site_folder / name).read_bytes()


def assert_an_icon(name: str, body: bytes) -> None:
    if name.endswith(".svg"):
        assert body.startswith(b"<svg") and b"</svg>" in body
        return
    reserved, kind, count = struct.unpack("<HHH", body[:6])
    width, height, _, _, _, _, size, offset = struct.unpack("<BBBBHHII", body[6:22])
    assert (reserved, kind, count, width, height) == (0, 1, 1, 32, 32)
    assert body[offset : offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + size == len(body)


def test_the_static_site_has_an_icon_that_every_page_links(corpus: Corpus, tmp_path: Path) -> None:
    write_site(corpus, tmp_path)
    for name, body in favicon_files(tmp_path):
        assert_an_icon(name, body)
    for page in [*tmp_path.glob("*.html"), *(tmp_path / "id" / "place").glob("*.html")]:
        icons = [link for link in parse(page.read_text(encoding="utf-8")).iter("link") if link.get("rel") == "icon"]
        assert len(icons) == 1
        assert (page.parent / icons[0].get("href", "")).resolve() == (tmp_path / "favicon.svg").resolve()
    # The same bytes on every build.
    again = tmp_path / "again"
    write_site(corpus, again)
    assert dict(favicon_files(tmp_path)) == dict(favicon_files(again))


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT)) as running:
        yield running


def get(server: LiveServer, path: str, **headers: str) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{server.port}{path}", headers=headers)


@pytest.mark.parametrize(
    ("path", "headers", "language"),
    [
        (f"/{KITAKYUSHU}", {"Accept": "text/html", "Accept-Language": "ja"}, "ja"),
        (f"/{KITAKYUSHU}", {"Accept": "text/html", "Accept-Language": "de-DE,de;q=0.9"}, "de"),
        (f"/{KITAKYUSHU}.en.html", {"Accept-Language": "ja"}, "en"),
        ("/ontology.ja.html", {}, "ja"),
        ("/shapes?lang=de", {"Accept": "text/html"}, "de"),
        (f"/source/{BWI}", {"Accept": "text/html", "Accept-Language": "ja"}, "ja"),
        ("/", {"Accept": "text/html", "Accept-Language": "fr"}, "en"),
        ("/downloads.ja.html", {}, "ja"),
        ("/id/place/atlantis", {"Accept": "text/html", "Accept-Language": "ja"}, "ja"),
        # The pages of the query editor and of the search, in the site's layout, say theirs too.
        ("/sparql", {"Accept": "text/html", "Accept-Language": "de"}, "de"),
        ("/search?q=Kitakyushu&lang=ja", {"Accept": "text/html"}, "ja"),
    ],
)
def test_every_page_says_its_language(server: LiveServer, path: str, headers: dict[str, str], language: str) -> None:
    response = get(server, path, **headers)
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == language
    assert f'<html lang="{language}">' in response.text


def test_data_names_no_language_as_it_holds_every_one(server: LiveServer) -> None:
    response = get(server, f"/{KITAKYUSHU}", Accept="text/turtle", **{"Accept-Language": "ja"})
    assert response.status_code == 200 and '"北九州市"@ja' in response.text
    assert "content-language" not in response.headers


def test_the_server_answers_the_icon_with_or_without_the_page_asking(server: LiveServer) -> None:
    for name, media_type in (("favicon.ico", "image/x-icon"), ("favicon.svg", "image/svg+xml")):
        response = get(server, f"/{name}")
        assert response.status_code == 200 and response.headers["content-type"] == media_type
        assert_an_icon(name, response.content)
        assert get(server, f"/{name}", **{"If-None-Match": response.headers["etag"]}).status_code == 304
    page = get(server, f"/{KITAKYUSHU}.ja.html")
    (icon,) = [link.get("href") or "" for link in parse(page.text).iter("link") if link.get("rel") == "icon"]
    assert httpx.get(urljoin(str(page.url), icon)).headers["content-type"] == "image/svg+xml"


def test_the_downloads_page_links_the_catalogue(server: LiveServer) -> None:
    page = parse(get(server, "/downloads.de.html").text)
    (link,) = [a for a in page.iter("a") if (a.get("href") or "").endswith("catalog.ttl")]
    assert link.get("type") == "text/turtle"
    catalogue = get(server, "/" + (link.get("href") or ""))
    assert catalogue.status_code == 200 and catalogue.headers["content-type"].startswith("text/turtle")
    assert "dcat:Catalog" in catalogue.text
