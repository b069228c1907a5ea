"""A resource that every announcement names (a hub: the programme, a country) keeps a page of bounded size.

A page lists at most ``MOST_LINKED`` resources linking to it by one predicate
and quotes at most ``MOST_QUOTES`` annotations; past these it says how many
more there are and, where the site has a query editor of its own, links to
the editor holding a query that lists them all. These tests lower both limits
on the bw-i project (reading its facts), cut its pages short, and run the
linked queries on the same data: they must give back every resource and
annotation the page left out.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import html5lib
import pyoxigraph as ox
import pytest
from browsers import needs_chromium, shot
from live_server import live_server
from projects import ROOT

from benchmarks.synthetic import make_project
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.output.site import Site, pages
from rit_graph.query.sparql import dataset

if TYPE_CHECKING:
    from playwright.sync_api import Browser

XHTML = "{http://www.w3.org/1999/xhtml}"
#: The bw-i resource with the most predicates by which several resources link to it.
JAPAN = "https://w3id.org/rit-graph/id/place/japan"


@pytest.fixture(scope="module")
def bwi() -> Corpus:
    """The bw-i announcement and its reference data: data/announcements/bwi-cluster-japan-rit."""
    return load(Project.open(ROOT))


@pytest.fixture
def cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "MOST_LINKED", 1)
    monkeypatch.setattr(pages, "MOST_QUOTES", 1)


def incoming(corpus: Corpus, iri: str) -> dict[str, set[str]]:
    """The resources linking to IRI in CORPUS's data, by predicate."""
    found: dict[str, set[str]] = defaultdict(set)
    for quad in corpus.quads:
        if quad.object == ox.NamedNode(iri) and isinstance(quad.subject, ox.NamedNode):
            found[quad.predicate.value].add(quad.subject.value)
    return found


def mores(html: str) -> list[tuple[str, str | None]]:
    """Every "… more" a page says, with the link it has, if any."""
    document = html5lib.parse(html)
    found = []
    for element in document.iter():
        text = "".join(element.itertext())
        if element.tag in (XHTML + "a", XHTML + "span") and text.startswith("…"):
            found.append((text, element.get("href")))
    return found


def linked_query(href: str) -> str:
    assert "#query=" in href, href
    return urllib.parse.unquote(href.split("#query=", 1)[1])


def test_a_page_lists_some_of_the_resources_linking_to_it_and_links_a_query_for_all(
    bwi: Corpus, cut_short: None
) -> None:
    site = Site(bwi, query_editor="sparql")
    html = site.resource(JAPAN, "en")
    linking = {p: s for p, s in incoming(bwi, JAPAN).items() if len(s) > 1}
    assert linking, "the test needs a predicate by which several resources link to Japan"
    store = dataset(bwi.quads)
    said = [(text, href) for text, href in mores(html) if "evidence" not in text]
    assert sorted(int(re.sub(r"\D", "", text)) for text, _ in said) == sorted(len(s) - 1 for s in linking.values())
    for text, href in said:
        assert href is not None and href.startswith("../../sparql#query=")
        query = linked_query(href)
        predicate = re.search(r"\?resource <([^>]+)>", query)
        assert predicate is not None
        listed = {row["resource"].value for row in store.query(query)}  # type: ignore[union-attr]
        assert listed == linking[predicate[1]], f"the query behind {text!r} lists every resource"


def test_a_page_quotes_some_annotations_and_links_a_query_for_all(bwi: Corpus, cut_short: None) -> None:
    site = Site(bwi, query_editor="sparql")
    html = site.resource(JAPAN, "en")
    figures = html.count('<figure class="quote">')
    assert figures == 1
    (said,) = [(text, href) for text, href in mores(html) if "evidence" in text]
    text, href = said
    assert href is not None
    rows = list(dataset(bwi.quads).query(linked_query(href)))  # type: ignore[arg-type]
    annotations = {row["annotation"].value for row in rows}  # type: ignore[index]
    assert text == f"… and {len(annotations) - 1} more pieces of evidence"
    assert len(annotations) > 1


@pytest.mark.parametrize("editor", [None, "https://sparql.example.org/query"])
def test_without_an_editor_of_its_own_a_page_says_how_many_more_without_a_link(
    bwi: Corpus, cut_short: None, editor: str | None
) -> None:
    html = Site(bwi, query_editor=editor).resource(JAPAN, "de")
    said = mores(html)
    assert said and all(href is None for _, href in said)
    assert any(re.fullmatch(r"… und \d+ weitere", text) for text, _ in said)


def test_a_hub_of_a_corpus_lists_no_more_than_the_limits(tmp_path: Path) -> None:
    """The programme that every synthetic announcement names, in a corpus of 60: each list cut at its limit."""
    corpus = load(Project.open(make_project(tmp_path / "project", 60).root))
    site = Site(corpus)
    programme = next(iri for iri in site.resources if "/programme/" in iri)
    html = site.resource(programme, "en")
    assert html.count('<figure class="quote">') == pages.MOST_QUOTES
    (section,) = html5lib.parse(html).iterfind(f".//{XHTML}section[@id='incoming']")
    rows = [dd.findall(f".//{XHTML}li") for dd in section.iter(XHTML + "dd")]
    assert max(len(items) for items in rows) == pages.MOST_LINKED + 1, "the most linked predicate is cut short"
    linking = incoming(corpus, programme)
    said = sorted(int(re.sub(r"\D", "", text)) for text, _ in mores(html) if "evidence" not in text)
    assert said == sorted(len(s) - pages.MOST_LINKED for s in linking.values() if len(s) > pages.MOST_LINKED)


@needs_chromium
def test_the_rest_of_a_list_opens_in_the_query_editor_and_runs(bwi: Corpus, cut_short: None, browser: Browser) -> None:
    """The link a page gives for what it left out, followed in chromium on a served project: the editor holds
    the query and shows every resource in its table."""
    html = Site(bwi, query_editor="sparql").resource(JAPAN, "en")
    text, href = next((text, href) for text, href in mores(html) if href and "evidence" not in text)
    assert href is not None
    with live_server("--project", str(ROOT)) as server:
        origin = f"http://127.0.0.1:{server.port}"
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(urllib.parse.urljoin(f"{origin}/id/place/japan", href))
        rows = page.locator("#results table tbody tr")
        rows.first.wait_for()
        shown = page.evaluate("() => document.querySelector('#editor .CodeMirror').CodeMirror.getValue()")
        assert shown == linked_query(href)
        assert rows.count() == int(re.sub(r"\D", "", text)) + pages.MOST_LINKED
        shot(page, "query-editor-linked-from-a-page")
        context.close()
