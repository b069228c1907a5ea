"""Search: the server's FTS5 index over labels, descriptions and source texts in German, English and Japanese, its
/search page and JSON, and the static site's Pagefind bundle.

A reader who types "Kitakyushu", "北九州" or "Delegation" finds the resources the
bw-i announcement says so of, each with its class and page, and the quoted
passage with a link to its mark in the source text. What the reader types is
always words to find, never SQL or FTS5 syntax, and never markup on the page.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from click.testing import CliRunner
from hostile import INJECTED, Elements, hostile_project
from live_server import LiveServer, live_server
from projects import BWI, TESTS, bwi_project, copy_project

from rit_graph.cli import cli
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.output import search
from rit_graph.output.search import EXACT, NAME, PARAGRAPH, QUOTE, QueryTooLong, SearchIndex, presented
from rit_graph.output.site import Site
from rit_graph.output.site.search_page import MAX_QUERY
from rit_graph.output.site.search_shards import SHARDS, PagefindMissing, write_index
from rit_graph.runtime.cache import Cache

BASE = "https://w3id.org/rit-graph/"
KITAKYUSHU = BASE + "id/place/kitakyushu"
HITACHI = BASE + "id/place/hitachi"
#: Words with meaning to SQL or to FTS5's query syntax, each searched as the characters it is.
SYNTAX = ['"', "*", "Kita*", "NEAR(", "NEAR(Kitakyushu Hitachi)", "a OR b", "Kitakyushu NOT Hitachi", "^Kita",
          "-", ":", "' OR 1=1 --", "'; DROP TABLE passages; --", "%", "_", "\\", "(", ")", "{col}", "text:Kitakyushu",
          "\0"]  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bwi_project(tmp_path_factory.mktemp("search") / "project")


@pytest.fixture(scope="module")
def site(project: Path) -> Site:
    return Site(load(Project.open(project)))


@pytest.fixture(scope="module")
def index(site: Site) -> SearchIndex:
    return SearchIndex(site)


def iris(found: search.Found) -> list[str]:
    return [hit.iri for hit in found.hits]


def test_kitakyushu_finds_the_city_first_then_what_names_it_then_the_passages(index: SearchIndex) -> None:
    found = index.search("Kitakyushu")
    assert iris(found)[0] == KITAKYUSHU and found.hits[0].rank == EXACT
    assert {
        BASE + "id/partnership/photonics-bw-kitakyushu",
        BASE + "id/event/2015-11-photonics-bw-kitakyushu-visit",
    } <= set(iris(found))
    ranks = [hit.rank for hit in found.hits]
    assert ranks == sorted(ranks), "a name matched ranks before a text, a text before a quote"
    assert len(iris(found)) == len(set(iris(found))) == found.total
    city = found.hits[0]
    assert city.sources == (BWI,)
    quoted = [p for p in city.passages if p.rank == QUOTE]
    assert quoted and quoted[0].source == BWI and quoted[0].anchor == "quote-kitakyushu"
    assert ("Kitakyushu", True) in quoted[0].segments
    assert "".join(text for text, _ in quoted[0].segments).startswith("Die Stadt Kitakyushu liegt im Süden Japans")


def test_case_and_full_width_letters_do_not_matter(index: SearchIndex) -> None:
    assert iris(index.search("kitakyushu")) == iris(index.search("Kitakyushu"))
    assert iris(index.search("ＫＩＴＡＫＹＵＳＨＵ")) == iris(index.search("Kitakyushu"))
    assert iris(index.search("  Kitakyushu \t")) == iris(index.search("Kitakyushu"))


def test_japanese_is_found_without_spaces_and_with_two_characters(index: SearchIndex) -> None:
    """The trigram tokenizer finds 北九州 inside 北九州市; 日立 is too short for it, and LIKE finds it."""
    found = index.search("北九州")
    assert iris(found)[0] == KITAKYUSHU and found.hits[0].rank == NAME
    assert any(("北九州", True) in p.segments for p in found.hits[0].passages)
    hitachi = index.search("日立")
    assert HITACHI in iris(hitachi)
    assert all(any("日立" in text for p in hit.passages for text, _ in p.segments) for hit in hitachi.hits)
    assert index.search("北").total >= 1, "one character is found too"


def test_delegation_finds_the_delegations_their_visits_and_the_passages_quoting_them(index: SearchIndex) -> None:
    found = index.search("Delegation")
    assert BASE + "ontology#Delegation" == iris(found)[0], "the class named exactly so comes first"
    assert {
        BASE + "id/delegation/japanese-delegation-2015-06",
        BASE + "id/delegation/hitachi-delegation",
        BASE + "id/event/2015-06-22-japanese-delegation-munich",
        BASE + "id/event/2015-09-hitachi-return-visit",
    } <= set(iris(found))
    munich = next(h for h in found.hits if h.iri.endswith("japanese-delegation-2015-06"))
    quote = next(p for p in munich.passages if p.rank == QUOTE)
    assert quote.anchor == "quote-munich-visit" and ("Delegation", True) in quote.segments
    # Every word must match: the Munich delegation does not come from Hitachi.
    both = iris(index.search("Delegation Hitachi"))
    assert BASE + "id/delegation/hitachi-delegation" in both
    assert BASE + "id/delegation/japanese-delegation-2015-06" not in both


def test_passage_links_lead_to_the_marks_on_the_source_page(site: Site, index: SearchIndex) -> None:
    source_page = site.source(BWI, "en")
    found = index.search("Delegation")
    shown = presented(site, found, "en", "search.en.html")
    links = {p["href"] for result in shown for p in result["passages"] if p["href"]}
    assert links
    for link in links:
        path, _, anchor = link.partition("#")
        assert path == f"source/{BWI}.en.html"
        assert f'id="{anchor}"' in source_page, f"the source page has no mark {anchor}"
    munich = next(r for r in shown if r["iri"].endswith("japanese-delegation-2015-06"))
    assert (
        munich["label"] == "Japanese delegation"
        and munich["href"] == "id/delegation/japanese-delegation-2015-06.en.html"
    )
    assert munich["kind"]["label"] == "Delegation"
    assert munich["sources"][0]["href"] == f"source/{BWI}.en.html"


def test_a_paragraph_of_a_source_text_links_to_the_quote_around_the_match(index: SearchIndex) -> None:
    """The announcement's text is searched too: a match inside a quote links to its mark, one outside to the page."""
    announcement = BASE + f"id/announcement/{BWI}"
    singapur = next(h for h in index.search("Singapur").hits if h.iri == announcement)
    assert singapur.rank == PARAGRAPH and singapur.sources == (BWI,)
    assert [(p.source, p.anchor) for p in singapur.passages] == [(BWI, "quote-gdp")]
    unquoted = index.search("Sie sind hier")
    assert iris(unquoted) == [announcement]
    assert [(p.source, p.anchor, p.rank) for p in unquoted.hits[0].passages] == [(BWI, None, PARAGRAPH)]
    # A paragraph whose match lies in a quote shown already is not shown again.
    conglomerate = next(h for h in index.search("Mischkonzern").hits if h.iri == announcement)
    assert [(p.anchor, p.rank) for p in conglomerate.passages] == [("quote-hitachi-ltd", QUOTE)]


def test_syntax_in_a_query_is_searched_as_characters(index: SearchIndex) -> None:
    for query in SYNTAX:
        found = index.search(query)
        for hit in found.hits:
            texts = [text.casefold() for p in hit.passages for text, matched in p.segments if matched]
            assert texts, (query, hit)
    assert index.search("Kita*").total == 0, "no prefix query"
    assert index.search("NEAR(Kitakyushu Hitachi)").total == 0
    assert index.search("%").total == 0 and index.search("_").total == 0, "LIKE's wildcards are escaped"
    assert index.search("' OR 1=1 --").total == 0
    assert index.search("Kitakyushu").total > 0, "the table is still there"


def test_a_query_past_the_limit_is_refused(index: SearchIndex) -> None:
    index.search("k" * MAX_QUERY)
    with pytest.raises(QueryTooLong):
        index.search("k" * (MAX_QUERY + 1))
    assert index.search("").total == 0 and index.search("   ").total == 0


def test_results_are_paged(project: Path, tmp_path: Path) -> None:
    site = Site(load(Project.open(project)))
    index = SearchIndex(site)
    every = index.search("e")
    assert every.total > search.PAGE_SIZE and every.pages == -(-every.total // search.PAGE_SIZE)
    pages = [index.search("e", page) for page in range(1, every.pages + 1)]
    seen = [iri for page in pages for iri in iris(page)]
    assert len(seen) == len(set(seen)) == every.total, "each result on one page"
    assert index.search("e", every.pages + 1).hits == ()


def test_a_resource_two_announcements_describe_is_one_result_with_both_sources(tmp_path: Path) -> None:
    restating = copy_project(TESTS / "fixtures" / "restating", tmp_path / "project")
    site = Site(load(Project.open(restating)))
    index = SearchIndex(site)
    found = index.search("Kitakyushu")
    partnership = "https://example.org/kb/id/partnership/cluster-kitakyushu"
    assert iris(found).count(partnership) == 1
    hit = next(h for h in found.hits if h.iri == partnership)
    assert hit.sources == ("mini", "restated")
    assert {p.source for p in hit.passages if p.rank == QUOTE} == {"mini", "restated"}
    assert len(iris(found)) == len(set(iris(found)))


# The server -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[LiveServer]:
    with live_server("--project", str(project)) as running:
        yield running


def get(server: LiveServer, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{server.port}{path}", timeout=30, **kwargs)  # type: ignore[arg-type]


def test_json_by_accept_and_by_format(server: LiveServer) -> None:
    by_accept = get(server, "/search", params={"q": "Kitakyushu"}, headers={"Accept": "application/json"})
    by_format = get(server, "/search", params={"q": "Kitakyushu", "format": "json"})
    for answer in (by_accept, by_format):
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        assert answer.headers["content-language"] == "en"
    body = by_accept.json()
    assert body == by_format.json()
    first = body["results"][0]
    assert first["iri"] == KITAKYUSHU and first["href"] == "/id/place/kitakyushu.en.html"
    assert first["kind"]["label"] == "City" and first["matched"] == "name"
    quote = first["passages"][0]
    assert quote["href"] == f"/source/{BWI}.en.html#quote-kitakyushu"
    assert {"text": "Kitakyushu", "match": True} in quote["segments"]
    assert get(server, first["href"]).status_code == 200
    assert get(server, quote["href"].partition("#")[0]).status_code == 200


def test_html_in_the_readers_language(server: LiveServer) -> None:
    page = get(server, "/search", params={"q": "北九州"}, headers={"Accept": "text/html", "Accept-Language": "ja"})
    assert page.status_code == 200 and page.headers["content-language"] == "ja"
    assert '<html lang="ja">' in page.text
    assert 'href="id/place/kitakyushu.ja.html" lang="ja"><mark>北九州</mark>市</a>' in page.text
    german = get(server, "/search.de.html", params={"q": "Delegation"}, headers={"Accept-Language": "ja"})
    assert german.headers["content-language"] == "de" and '<html lang="de">' in german.text
    assert (
        'href="id/delegation/hitachi-delegation.de.html" lang="de"><mark>Delegation</mark> aus Hitachi</a>'
        in german.text
    )
    assert f'href="source/{BWI}.de.html#quote-return-visit"' in german.text
    assert get(server, "/search", params={"q": "Delegation", "lang": "en"}).headers["content-language"] == "en"
    assert get(server, "/search.xx.html", params={"q": "Delegation"}).status_code == 404
    empty = get(server, "/search.en.html")
    assert empty.status_code == 200 and 'name="q"' in empty.text and '<ol class="results"' not in empty.text


def test_every_page_has_a_search_box_leading_to_the_search_page(server: LiveServer) -> None:
    for path, action in (
        ("/index.de.html", "search.de.html"),
        ("/id/place/kitakyushu.ja.html", "../../search.ja.html"),
        (f"/source/{BWI}.en.html", "../search.en.html"),
        ("/search.en.html", "search.en.html"),
        ("/id/place/nowhere", "/search.en.html"),
    ):
        page = get(server, path, headers={"Accept": "text/html"})
        forms = [attrs for tag, attrs in Elements(page.text).tags if tag == "form" and attrs.get("role") == "search"]
        assert forms and forms[0]["action"] == action, path


def test_pages_of_results(server: LiveServer) -> None:
    first = get(server, "/search", params={"q": "e", "format": "json"}).json()
    second = get(server, "/search", params={"q": "e", "format": "json", "page": "2"}).json()
    assert first["pages"] >= 2 and second["page"] == 2
    assert not {r["iri"] for r in first["results"]} & {r["iri"] for r in second["results"]}
    page = get(server, "/search.en.html", params={"q": "e"}).text
    assert 'rel="next" href="?q=e&amp;page=2"' in page
    for odd in ("0", "-1", "x", "99999999999999999999", "9" * 5000, "٣"):
        assert get(server, "/search", params={"q": "e", "page": odd}).status_code == 200


def test_hostile_queries_are_answered_safely(server: LiveServer) -> None:
    for query in [*SYNTAX[:-1], "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']:
        for fmt in ("json", "html"):
            answer = get(server, "/search", params={"q": query, "format": fmt})
            assert answer.status_code == 200, (query, fmt, answer.text)
            if fmt == "html":
                parsed = Elements(answer.text)
                assert not INJECTED & {tag for tag, _ in parsed.tags}, query
                assert all("alert" not in script for script in parsed.scripts)
    long = get(server, "/search", params={"q": "Kitakyushu " * 100})
    assert long.status_code == 400 and "200" in long.text
    assert get(server, "/search", params={"q": "x" * 5000, "format": "json"}).json()["error"]
    assert get(server, "/search", params={"q": "Kitakyushu", "format": "csv"}).status_code == 406


def test_hostile_labels_are_shown_as_text(tmp_path: Path) -> None:
    with live_server("--project", str(hostile_project(tmp_path))) as server:
        for lang in ("de", "en", "ja"):
            page = get(server, f"/search.{lang}.html", params={"q": "script"})
            assert page.status_code == 200
            parsed = Elements(page.text)
            assert not INJECTED & {tag for tag, _ in parsed.tags}
            assert all("alert" not in script and "__pwned" not in script for script in parsed.scripts)
            assert "script" in parsed.text
        found = get(server, "/search", params={"q": "onerror", "format": "json"}).json()
        assert any(r["iri"].endswith("/id/place/evil") for r in found["results"])


# The static site ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built") / "dist"
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    return out / "site"


def indexed_pages(bundle: Path) -> dict[str, dict[str, str]]:
    """What the shards in BUNDLE index, by language: each record's URL and content (Pagefind's fragments are
    gzipped JSON after a signature)."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(bundle.glob("*/fragment/*.pf_fragment")):
        fragment = orjson.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        found.setdefault(path.name.split("_")[0], {})[fragment["url"]] = fragment["content"]
    return found


def test_the_build_indexes_the_static_site_with_pagefind(built: Path) -> None:
    shards = sorted(p.name for p in (built / "pagefind").iterdir() if p.is_dir())
    assert shards == sorted(str(n) for n in range(SHARDS))
    counted = {lang: 0 for lang in ("de", "en", "ja")}
    for shard in shards:
        entry = orjson.loads((built / "pagefind" / shard / "pagefind-entry.json").read_bytes())
        for lang, about in entry["languages"].items():
            counted[lang] += about["page_count"]
    for lang in ("de", "en", "ja"):
        page = (built / f"search.{lang}.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in page and 'src="pagefind/pagefind-ui.js"' in page
        assert "new PagefindUI(" in page and "mergeIndex" in page and "triggerSearch" in page
    indexed = indexed_pages(built / "pagefind")
    assert {lang: len(pages) for lang, pages in indexed.items()} == counted
    # The resources, the source texts and the ontology's terms, from the data: not the pages that sum up the
    # corpus, nor an annotation's page (its quote is found on the pages of what it describes).
    en = indexed["en"]
    assert en["/id/place/kitakyushu.en.html"].startswith("Kitakyushu 北九州")
    assert indexed["ja"]["/id/place/kitakyushu.ja.html"].startswith("北九州")
    assert "Delegation" in en[f"/source/{BWI}.en.html"]
    assert any(url.startswith("/ontology.en.html#") for url in en)
    assert not [url for url in en if url.startswith(("/index.", "/browse/", "/search.", "/id/annotation/"))]
    assert all(url.endswith(".en.html") or ".en.html#" in url for url in en)


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_the_pagefind_bundle_is_byte_identical_across_builds(project: Path, built: Path, tmp_path: Path) -> None:
    indexed = write_index(Site(load(Project.open(project))), tmp_path, Cache(None))
    assert indexed == list(range(SHARDS))
    assert tree(tmp_path / "pagefind") == tree(built / "pagefind")


def test_a_build_without_pagefind_fails_saying_how_to_fix_it(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-pagefind"))
    with pytest.raises(PagefindMissing, match=re.escape("pip install 'pagefind[extended]'")):
        write_index(Site(load(Project.open(project))), tmp_path, Cache(None))
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--out", str(out)])
    assert result.exit_code == 2 and "--no-site" in result.output
    assert not out.exists(), "nothing is written"
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--out", str(out), "--no-site"])
    assert result.exit_code == 0, result.output
