"""The static linked-data site: pages, links, languages, quotes, SVG overview and data files."""

from __future__ import annotations

import functools
import hashlib
import json
import posixpath
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from helpers import assert_isomorphic, rdflib_graph
from projects import TESTS, copy_project

from rit_graph import schemaorg
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.output.build import write_downloads
from rit_graph.output.site import (
    PAGE_LANGUAGES,
    RESOURCE_FORMATS,
    Site,
    render_resource,
    write_site,
)
from rit_graph.output.site.values import html
from rit_graph.serve.linkeddata import negotiate_language

KITAKYUSHU = "id/place/kitakyushu"
RETURN_VISIT = "id/event/2015-09-hitachi-return-visit"
ANNOUNCEMENT = "id/announcement/bwi-cluster-japan-rit"


class Page(HTMLParser):
    """An HTML page parsed into its elements: (tag, attributes, text inside) and ids."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.ids: dict[str, str] = {}
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if "id" in attributes:
            assert attributes["id"] not in self.ids, f"duplicate id {attributes['id']}"
            self.ids[attributes["id"]] = tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in wanted.items())]

    def hrefs(self) -> list[str]:
        return [a["href"] for _, a in self.elements if "href" in a]


class SourceText(HTMLParser):
    """The text inside the source page's ``div.source`` and the text of each mark that starts a quote."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text = ""
        self.marks: dict[str, int] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "div" and attributes.get("class") == "source":
            self.depth = 1
        elif self.depth:
            if tag == "div":
                self.depth += 1
            if attributes.get("id"):
                self.marks[attributes["id"] or ""] = len(self.text)

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "div":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text += data


@pytest.fixture(scope="session")
def out(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build-like folder: the dumps, their gzip versions, catalog.ttl, and the site in site/."""
    folder = tmp_path_factory.mktemp("dist")
    _, downloads = write_downloads(Run(corpus), folder, schemaorg.projections(Run(corpus)))
    write_site(corpus, folder / "site", downloads)
    return folder


@pytest.fixture(scope="session")
def site(out: Path) -> Path:
    return out / "site"


@functools.cache
def parsed(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def page(site: Path, path: str) -> Page:
    return parsed(site / path)


def test_every_link_of_the_site_resolves_to_a_file_and_an_element(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 150
    checked = 0
    for path in pages:
        for href in page(site, path.relative_to(site).as_posix()).hrefs():
            if href.startswith(("http://", "https://")):
                continue
            assert ":" not in href.split("/")[0], f"{path}: unexpected scheme in {href}"
            target, _, fragment = href.partition("#")
            resolved = (path.parent / target).resolve() if target else path
            assert resolved.is_file(), f"{path.relative_to(site)} links to missing {href}"
            if fragment:
                assert fragment in parsed(resolved).ids, (
                    f"{path.relative_to(site)} links to missing #{fragment} in {target}"
                )
            checked += 1
    assert checked > 5000


def test_kitakyushu_page_shows_labels_links_incoming_links_and_quotes(site: Path, corpus: Corpus) -> None:
    kitakyushu = page(site, KITAKYUSHU + ".en.html")
    text = " ".join(kitakyushu.text)
    assert kitakyushu.find("html")[0]["lang"] == "en"
    assert kitakyushu.find("h1", lang="en")
    # Linked resources are named by their labels, not by their IRIs.
    fukuoka = [a for a in kitakyushu.find("a", href="fukuoka-prefecture.en.html")]
    assert fukuoka and "Fukuoka Prefecture" in text
    # Incoming: the partnership and the visit that point at the city.
    assert kitakyushu.find("a", href="../partnership/photonics-bw-kitakyushu.en.html")
    assert kitakyushu.find("a", href="../event/2015-11-photonics-bw-kitakyushu-visit.en.html")
    assert "in the south of Japan" in text
    quote_links = [a["href"] for a in kitakyushu.find("a") if a.get("class") == "quote-link"]
    assert "../../source/bwi-cluster-japan-rit.en.html#quote-kitakyushu" in quote_links
    assert "Die Stadt Kitakyushu liegt im Süden Japans" in text
    assert kitakyushu.find("a", href="https://www.city.kitakyushu.lg.jp/")


def test_language_switch_links_the_three_versions(site: Path) -> None:
    for lang in PAGE_LANGUAGES:
        version = page(site, f"{KITAKYUSHU}.{lang}.html")
        assert version.find("html")[0]["lang"] == lang
        assert version.find("nav", **{"class": "lang-switch"})
        switch = {a["hreflang"]: a for a in version.find("a") if "hreflang" in a}
        assert {k: a["href"] for k, a in switch.items()} == {o: f"kitakyushu.{o}.html" for o in PAGE_LANGUAGES}
        assert switch[lang].get("aria-current") == "page"
    assert "北九州市" in page(site, KITAKYUSHU + ".ja.html").text
    # A resource without a Japanese label falls back to English on the Japanese page.
    assert "Photonics BW – Kitakyushu partnership" in page(site, "id/partnership/photonics-bw-kitakyushu.ja.html").text


def test_event_page_marks_inferred_facts_with_the_reason(site: Path) -> None:
    event = page(site, RETURN_VISIT + ".en.html")
    text = " ".join(event.text)
    assert "Return visit of a delegation from Hitachi to Baden-Württemberg" in text
    assert event.find("li", **{"class": "inferred"})
    assert "the year 2015 is inferred" in text
    assert "Im September dann erfolgt der Gegenbesuch" in text
    german = " ".join(page(site, RETURN_VISIT + ".de.html").text)
    assert "erschlossen" in german and "das Jahr 2015 ist aus den zuvor genannten Terminen" in german


def test_a_quote_page_shows_its_words_in_context_and_every_statement_they_back(site: Path, corpus: Corpus) -> None:
    """An annotation's own page reads as a quote: its words marked among the words around them, where they
    stand in the source, and what they state as sentences, not as rows of blank nodes and selectors."""
    path = ANNOUNCEMENT + "/quote/kitakyushu"
    html = (site / (path + ".en.html")).read_text(encoding="utf-8")
    quote = html.split('<section id="quote"', 1)[1].split("</section>", 1)[0]
    assert '<blockquote lang="de"><span class="context">…' in quote
    marked = unescape(quote.split("<mark>", 1)[1].split("</mark>", 1)[0])
    assert marked.startswith("Die Stadt Kitakyushu liegt im Süden Japans in der Präfektur Fukuoka")
    source = (corpus.project.root / "data/announcements/bwi-cluster-japan-rit/source.txt").read_text(encoding="utf-8")
    start = source.index(marked)
    end = start + len(marked)
    assert f"(characters {start}–{end})" in quote, "the quote's place in the source, as its selector gives it"
    links = Page(quote).hrefs()
    assert "../../../../source/bwi-cluster-japan-rit.en.html#quote-kitakyushu" in links
    assert "../../bwi-cluster-japan-rit.en.html" in links, "the announcement it quotes"
    # Every statement of the annotation, each as subject — predicate — object.
    described = rdflib.Graph().parse(site / (path + ".ttl"), format="turtle")
    bodies = set(described.objects(None, rdflib.URIRef("http://www.w3.org/ns/oa#hasBody")))
    assert quote.count("<li") == len(bodies) > 5
    assert "Kitakyushu</a> — <a" in quote and ">contained in</a> — <a" in quote
    # The body and the target are shown as the quote, no longer as rows; the annotation's other values are.
    rows = html.split('<section id="properties"', 1)[1].split("</section>", 1)[0]
    assert "oa#hasBody" not in rows and "oa#hasSelector" not in rows and "oa#motivatedBy" in rows
    japanese = (site / (path + ".ja.html")).read_text(encoding="utf-8")
    assert "この箇所が述べること" in japanese and f"{start}〜{end} 文字目" in japanese


def test_two_announcements_that_restate_a_partnership_each_keep_their_own_quote(tmp_path: Path) -> None:
    """Two announcements state the same partnership in their own words: its page quotes both, each passage
    linked in its own source, and each quote's own page names its own announcement and statements only."""
    corpus = load(Project.open(copy_project(TESTS / "fixtures" / "restating", tmp_path / "project")))
    site = Site(corpus, lambda iri, lang: None)
    base = corpus.project.base_iri
    partnership = site.resource(base + "id/partnership/cluster-kitakyushu", "en")
    assert partnership.count('<figure class="quote">') == 2
    assert sorted(href for href in Page(partnership).hrefs() if "#quote-" in href) == [
        "../../source/mini.en.html#quote-partners",
        "../../source/restated.en.html#quote-partners",
    ]
    for name, other in (("mini", "restated"), ("restated", "mini")):
        page = site.resource(base + f"id/announcement/{name}/quote/partners", "en")
        quote = page.split('<section id="quote"', 1)[1].split("</section>", 1)[0]
        assert f"source/{name}.en.html#quote-partners" in quote and f"../../{name}.en.html" in quote
        assert quote.count("<li") == 3 and f"{other}.en.html" not in quote


def test_quotes_are_marked_in_the_source_text_where_its_positions_say(site: Path, corpus: Corpus) -> None:
    source = (corpus.project.root / "data/announcements/bwi-cluster-japan-rit/source.txt").read_text(encoding="utf-8")
    announcement = page(site, ANNOUNCEMENT + ".en.html")
    links = [a["href"] for a in announcement.find("a") if a.get("class") == "quote-link"]
    assert len(links) >= 15
    for lang in PAGE_LANGUAGES:
        html = (site / f"source/bwi-cluster-japan-rit.{lang}.html").read_text(encoding="utf-8")
        marked = SourceText(html)
        assert marked.text == source
        marks = Page(html)
        for link in links:
            anchor = link.partition("#")[2]
            assert marks.ids.get(anchor) in ("mark", "span"), anchor
        # The mark of the headline's quote starts where its words do.
        assert source[marked.marks["quote-headline"] :].startswith(
            "Baden-württembergische Cluster erstmals als Partner für japanische Regionen"
        )


def test_resource_data_in_every_format_is_its_concise_bounded_description(site: Path, corpus: Corpus) -> None:
    iri = corpus.project.base_iri + KITAKYUSHU
    expected = rdflib.Graph()
    subjects = {rdflib.URIRef(iri)}
    union = rdflib_graph(corpus.data)
    while subjects:
        subject = subjects.pop()
        for p, o in union.predicate_objects(subject):
            expected.add((subject, p, o))
            if isinstance(o, rdflib.BNode):
                subjects.add(o)
    assert len(expected) >= 6
    kitakyushu = page(site, KITAKYUSHU + ".de.html")
    for rdf_format in RESOURCE_FORMATS:
        name = "kitakyushu" + Site.data_path("", rdf_format)
        assert kitakyushu.find("a", href=name), name
        actual = rdflib.Graph().parse(
            site / "id/place" / name,
            format={"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[rdf_format],
        )
        assert_isomorphic(expected, actual, rdf_format)
    annotation = rdflib.Graph().parse(site / (ANNOUNCEMENT + "/quote/kitakyushu.ttl"), format="turtle")
    assert len(set(annotation.subjects())) > 5, "blank nodes of an annotation belong to its description"


def test_home_page_draws_the_partnerships_and_the_timeline_from_the_graph(site: Path) -> None:
    """The overview's diagrams in detail are tests/test_overview.py's; here, that they link into the site."""
    home = page(site, "index.en.html")
    assert {"kinds", "latest", "partnerships", "timeline"} <= set(home.ids)
    assert home.ids["partnerships"] == "section" and not home.find("svg"), "the diagrams are HTML that reflows"
    for href in (
        "id/place/kitakyushu.en.html",
        "id/place/hitachi.en.html",
        "id/organisation/automotive-bw.en.html",
        "id/organisation/photonics-bw.en.html",
        "id/programme/rit.en.html",
        "id/organisation/jetro.en.html",
        "id/announcement/bwi-cluster-japan-rit.en.html",
        "browse/class/City/1.en.html",
        "browse/timeline/2015/1.en.html",
    ):
        assert home.find("a", href=href), href
    events = [a["class"].split() for t, a in home.elements if t == "li" and "event" in a.get("class", "").split()]
    assert len(events) == 4
    assert sum("month-precision" in e for e in events) == 2
    assert sum("inferred" in e for e in events) == 2
    assert (site / "index.html").read_bytes() == (site / "index.en.html").read_bytes()


def test_ontology_page_lists_every_term_with_its_alignments(site: Path, corpus: Corpus) -> None:
    vocabulary = corpus.project.vocabulary
    terms = {t.subject.value[len(vocabulary) :] for t in corpus.ontology if t.subject.value.startswith(vocabulary)}
    ontology = page(site, "ontology.en.html")
    assert terms <= set(ontology.ids), terms - set(ontology.ids)
    text = " ".join(ontology.text)
    assert "Cluster organisation" in text and "The organisation of a regional cluster" in text
    assert ontology.find("a", href="#Organisation")
    assert ontology.find("a", href="http://schema.org/NewsArticle")
    assert ontology.find("a", href="http://schema.org/EventScheduled")  # skos:exactMatch of rit:Scheduled
    assert "Klassen" in page(site, "ontology.de.html").text


def test_shapes_page_says_what_each_class_requires(site: Path, corpus: Corpus) -> None:
    shapes = page(site, "shapes.en.html")
    text = " ".join(shapes.text)
    assert "Labelled" in shapes.ids and "Announcement" in shapes.ids
    assert "needs exactly one German label" in text
    assert "rdfs:label" in text and "sh:qualifiedMinCount" in text
    assert "(rit:containedIn)*" in text
    assert shapes.find("a", href="ontology.en.html#Announcement")


def test_downloads_page_lists_each_dump_with_its_checksum(site: Path, out: Path) -> None:
    downloads = page(site, "downloads.en.html")
    listed = [a["href"] for a in downloads.find("a") if "download" in a]
    dumps = sorted(p.name for p in out.iterdir() if p.is_file() and p.name != "catalog.ttl")
    assert sorted(posixpath.basename(h) for h in listed) == dumps
    # The DCAT catalogue that describes them is linked too, as what it is rather than one more dump.
    assert downloads.find("a", href="../catalog.ttl", type="text/turtle")
    text = " ".join(downloads.text)
    for name in dumps:
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() in text
        assert str(len(data)) in text
    assert "application/n-triples" in text and "gzip-compressed" in text
    assert downloads.find("a", href="https://creativecommons.org/licenses/by/4.0/")


def test_schema_org_markup_is_embedded_in_the_head_and_parses(site: Path, corpus: Corpus) -> None:
    for lang in PAGE_LANGUAGES:
        html = (site / f"{KITAKYUSHU}.{lang}.html").read_text(encoding="utf-8")
        head = html.split("</head>")[0]
        opening = '<script type="application/ld+json">'
        assert head.count(opening) == 1
        block = json.loads(head.split(opening)[1].split("</script>")[0])
        assert block["@id"] == corpus.project.base_iri + KITAKYUSHU
        # Each page's block names the city in the page's language (the Japanese pages embedded the English block).
        assert block["name"] == {"ja": "北九州市"}.get(lang, "Kitakyushu")
        assert block["@context"]["@language"] == lang


def test_a_term_is_shown_the_same_whether_made_for_its_page_or_kept_for_its_folder(corpus: Corpus) -> None:
    """The quotes name a term as one HTML link kept for every page of a folder: exactly what the page would
    have made, a link to the page itself by its fragment alone included (an ontology term on the ontology
    page)."""
    site = Site(corpus, schema_block=lambda iri, lang: None)
    terms = site.terms
    aim = ox.NamedNode(corpus.project.vocabulary + "aim")
    named = sorted({n for n in terms.data.out if isinstance(n, ox.NamedNode)} | {aim}, key=str)
    pages = ["ontology.en.html", "index.de.html", site.paths.page_path(corpus.project.base_iri + KITAKYUSHU, "ja")]
    pages += [site.paths.page_path(iri, "en") for iri in sorted(site.resources)[:5]]
    for here in pages:
        lang = here.split(".")[-2]
        for term in named:
            assert terms.html(term, lang, here) == html(terms.value(term, lang, here)), (term, here)
    assert 'href="#aim"' in terms.html(aim, "en", "ontology.en.html")
    assert 'href="ontology.en.html#aim"' in terms.html(aim, "en", "shapes.en.html")


def test_schema_org_block_can_be_given(corpus: Corpus) -> None:
    block = '<script type="application/ld+json">{"@id": "x"}</script>'
    site = Site(corpus, schema_block=lambda iri, lang: block if iri.endswith("/kitakyushu") else None)
    assert block in site.resource(corpus.project.base_iri + KITAKYUSHU, "en").split("</head>")[0]
    assert "<script" not in site.resource(corpus.project.base_iri + "id/place/hitachi", "en")


def test_unknown_resource_is_refused(corpus: Corpus) -> None:
    with pytest.raises(KeyError):
        render_resource(corpus, corpus.project.base_iri + "id/place/atlantis", "en")


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ("de-DE", "de"),
        ("fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4", "de"),
        ("en;q=0.2, ja;q=0.7", "ja"),
        ("de;q=0, fr", "en"),
        ("*", "en"),
        (None, "en"),
        ("de;q=abc, ja", "ja"),
    ],
)
def test_accept_language_picks_the_best_rated_language_with_english_as_fallback(header: str | None, lang: str) -> None:
    assert negotiate_language(header) == lang
