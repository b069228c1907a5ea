"""One fact, many sources: a triple that several announcements state is one triple of the default graph.

The named graphs keep every source (``GRAPH ?g`` finds each announcement that
states a fact); the default graph, which queries see, holds each triple once,
in memory, on disk and in an external store after ``publish``. Counts, the
example queries, the diagrams, the VoID figures and ``stats`` all count a
restated fact once, and its page lists each source.

The fixture ``tests/fixtures/restating`` is the minimal project with a second
announcement, ``restated``, stating the partnership of the cluster with
Kitakyushu again, which the first announcement and the reference data state too.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from live_server import LiveServer, live_server
from oxigraph_server import OxigraphServer
from projects import ROOT, TESTS, copy_project
from store_checks import comparable

from rit_graph.cli import cli
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.stats import stats
from rit_graph.output import catalog, pieces
from rit_graph.output.site.facade import Site
from rit_graph.query import sparql
from rit_graph.runtime.cache import Cache
from rit_graph.stores import open_for_corpus

RESTATING = TESTS / "fixtures" / "restating"
#: The fixture's project gets a base IRI of its own, so that its graphs in the session's Oxigraph server are its alone.
BASE = "https://example.org/one-fact/"
PARTNERSHIP = "id/partnership/cluster-kitakyushu"
#: Stated by both announcements and by the reference data.
RESTATED = f"<{PARTNERSHIP}> <ontology#partnerPlace> <id/place/kitakyushu>"
COUNT = f"SELECT (COUNT(*) AS ?n) {{ {RESTATED} }}"
SOURCES = f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ {RESTATED} }} }}"
EVERY_TRIPLE = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
#: The copy of the bw-i announcement under another name, restating each of its facts.
COPY = "bwi-restated"
SEED = "bwi-cluster-japan-rit"


@pytest.fixture(scope="module")
def restating(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_project(RESTATING, tmp_path_factory.mktemp("restating") / "project")
    (folder / "rit-graph.toml").write_text(f'[project]\nbase_iri = "{BASE}"\n', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def restating_corpus(restating: Path) -> Corpus:
    return load(Project.open(restating))


@pytest.fixture(scope="module", params=["memory", "disk", "external"])
def endpoint(
    request: pytest.FixtureRequest, restating: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """rit-graph serve on the restating project: in memory, on a store on disk, and on Oxigraph server after publish."""
    if request.param == "memory":
        store = "memory"
    elif request.param == "disk":
        store = str(tmp_path_factory.mktemp("disk") / "store")
    else:
        oxigraph: OxigraphServer = request.getfixturevalue("oxigraph")
        published = CliRunner().invoke(cli, ["publish", "--project", str(restating), "--to", oxigraph.store_url])
        assert published.exit_code == 0, published.output
        store = oxigraph.query_url
    with live_server("--project", str(restating), "--store", store) as server:
        yield server


def number(server: LiveServer, query: str) -> int:
    response = httpx.get(server.url, params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    return int(response.text.split()[1])


def test_a_restated_fact_counts_once_and_keeps_every_source(endpoint: LiveServer) -> None:
    assert number(endpoint, COUNT) == 1
    assert number(endpoint, SOURCES) == 3, "mini, restated and the reference data each state it"


def test_the_default_graph_holds_each_triple_once(endpoint: LiveServer) -> None:
    assert number(endpoint, EVERY_TRIPLE) == number(endpoint, DISTINCT_TRIPLES)


def test_stats_counts_what_the_endpoint_counts(endpoint: LiveServer, restating_corpus: Corpus) -> None:
    counted = stats(restating_corpus)
    assert counted.total == number(endpoint, EVERY_TRIPLE)
    assert counted.triples < counted.total, "the ontology is in the default graph too"
    graph_triples = sum(n for _, n, _ in counted.by_graph)
    assert counted.triples < graph_triples, "the restated triples count once in the union, once per graph by graph"


def test_the_void_figures_count_a_restated_triple_once(restating_corpus: Corpus) -> None:
    _, _, shared = pieces.data_pieces(restating_corpus, Cache(None))
    described = catalog.catalog(restating_corpus, [], shared)
    (triples,) = [t.object for t in described if t.predicate.value == catalog.VOID + "triples"]
    assert isinstance(triples, ox.Literal)
    assert int(triples.value) == len({q.triple for q in restating_corpus.quads}) == stats(restating_corpus).triples
    assert int(triples.value) < len(restating_corpus.quads)


def test_the_restated_facts_page_shows_it_once_and_lists_both_announcements(restating_corpus: Corpus) -> None:
    page = Site(restating_corpus).resource(BASE + PARTNERSHIP, "en")
    properties = page[page.index('id="properties"') : page.index('id="incoming"')]
    assert properties.count(f'title="{BASE}id/place/kitakyushu"') == 1
    evidence = page[page.index('id="quotes"') :]
    for announcement in ("mini", "restated"):
        assert f"source/{announcement}.en.html#quote-partners" in evidence, announcement


# --- the repository's project, and again with its announcement restated under another name -------------


@pytest.fixture(scope="module")
def restated_twice(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The bw-i project plus a copy of its announcement as announcement COPY: each of its facts restated."""
    folder = tmp_path_factory.mktemp("bw-i-twice") / "project"
    for part in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / part, folder / part)
    copy = folder / "data" / "announcements" / COPY
    shutil.copytree(folder / "data" / "announcements" / SEED, copy)
    written = (copy / "announcement.ttl").read_text(encoding="utf-8")
    (copy / "announcement.ttl").write_text(written.replace(SEED, COPY), encoding="utf-8")
    return load(Project.open(folder))


def rows(corpus: Corpus, text: str) -> list[tuple[str, ...]]:
    """The rows of TEXT on CORPUS's in-memory store, without those that name the copy (its announcement,
    quotes or graph: a second source is no second fact)."""
    store = open_for_corpus("memory", corpus)
    answer = store.answer(sparql.Request(sparql.check(text), "json", base_iri=corpus.project.base_iri))
    results = ox.parse_query_results(answer.body, ox.QueryResultsFormat.JSON)
    assert isinstance(results, ox.QuerySolutions)
    found = [tuple(comparable(s[v]) for v in results.variables) for s in results]
    return [row for row in found if not any(f"/{COPY}" in cell for cell in row)]


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_each_shipped_query_gives_the_same_rows_when_a_second_announcement_restates_the_first(
    corpus: Corpus, restated_twice: Corpus, path: Path
) -> None:
    text = path.read_text(encoding="utf-8")
    expected = rows(corpus, text)
    assert expected, "the query finds something"
    assert rows(restated_twice, text) == expected


def test_the_home_page_draws_each_partnership_once(restating_corpus: Corpus, restated_twice: Corpus) -> None:
    """Once, with the number of announcements that state it: both, in either project."""
    for corpus, partnerships in ((restating_corpus, 1), (restated_twice, 2)):
        home = Site(corpus).home("en")
        drawn = re.findall(r'<a class="edge" href="([^"]+)"[^>]*><span class="count">(\d+)</span>', home)
        assert len(drawn) == len({href for href, _ in drawn}) == partnerships, drawn
        assert {count for _, count in drawn} == {"2"}, drawn
