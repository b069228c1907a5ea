"""The SPARQL query editor: /sparql for browsers, a page of the site with the vendored YASGUI.

Over HTTP: the page in each language with the site's header, the static files it loads, a refused
query shown on the page, the header link on every page (and in the static site only when an
endpoint is configured). In Debian's chromium driven by Playwright, at 1280 and 390 px: an
example picked, run and shown as a table linking into the site, downloads in every format, an
error shown in the page, and no request leaving the origin. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import html5lib
import httpx
import pytest
from browsers import needs_chromium, shot
from live_server import LiveServer, live_server
from projects import MINI, ROOT, copy_project

from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.errors import InputError
from rit_graph.output.site import Site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request

STATIC = ROOT / "src" / "rit_graph" / "static"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
XHTML = "{http://www.w3.org/1999/xhtml}"
LANGUAGES = ("de", "en", "ja")
#: Queries that time out on cross_join_data under --timeout 1.
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT)) as running:
        yield running


def page_of(server: LiveServer, lang: str | None = None, **params: str) -> httpx.Response:
    query = {"lang": lang, **params} if lang else params
    return httpx.get(server.url, params=query, headers={"Accept": BROWSER_ACCEPT}, timeout=30)


def parsed(text: str) -> ElementTree.Element:
    document: ElementTree.Element = html5lib.parse(text)
    return document


def nav_links(document: ElementTree.Element, where: str) -> list[tuple[str, str]]:
    """(text, href) of the links of the site navigation, the header's first nav."""
    nav = document.find(f".//{XHTML}header/{XHTML}nav")
    assert nav is not None, f"no site navigation ({where})"
    return [("".join(a.itertext()), a.get("href", "")) for a in nav.iter(f"{XHTML}a")]


def editor_config(text: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', text, re.S)
    assert match, "the page carries the editor's settings"
    config: dict[str, object] = json.loads(match.group(1))
    return config


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_query_page_is_a_page_of_the_site_in_each_language(server: LiveServer, lang: str) -> None:
    response = page_of(server, lang)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == lang
    assert "Accept-Language" in response.headers["vary"]
    document = parsed(response.text)
    assert document.get("lang") == lang
    links = dict((href, text) for text, href in nav_links(document, lang))
    for page in ("index", "ontology", "shapes", "downloads"):
        assert f"{page}.{lang}.html" in links, f"the header links to the {page} page"
    assert links["sparql"], "and to the query editor itself"
    switch = re.findall(r'<a href="sparql\?lang=(\w+)" hreflang="(\w+)"', response.text)
    assert sorted(a for a, b in switch if a == b) == sorted(LANGUAGES), "the language switch leads to this page"
    for path in sorted((ROOT / "queries").glob("*.rq")):
        assert f">{path.stem}</button>" in response.text, "every example query is offered"
    config = editor_config(response.text)
    prefixes = config["prefixes"]
    assert isinstance(prefixes, dict)
    assert prefixes["rit"] == "https://w3id.org/rit-graph/ontology#"
    assert prefixes["place"] == "https://w3id.org/rit-graph/id/place/", "the project's own prefixes"
    assert config["site"] is True and config["lang"] == lang
    formats = config["formats"]
    assert isinstance(formats, dict)
    assert [f["name"] for f in formats["result"]] == ["json", "xml", "csv", "tsv"]
    assert [f["name"] for f in formats["graph"]] == ["turtle", "ntriples", "jsonld", "rdfxml"]


def test_the_page_loads_its_scripts_and_styles_from_this_server_cached_by_version(server: LiveServer) -> None:
    text = page_of(server, "en").text
    assets = re.findall(r'(?:src|href)="(static/[^"]+)"', text)
    assert {urlsplit(a).path for a in assets} == {
        "static/yasgui/yasgui.min.js",
        "static/yasgui/yasgui.min.css",
        "static/query-editor.js",
        "static/query-editor.css",
    }
    media_types = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
    for asset in assets:
        url = urljoin(server.url, asset)
        response = httpx.get(url)
        assert response.status_code == 200
        path = urlsplit(asset).path
        assert response.headers["content-type"] == media_types[Path(path).suffix]
        assert response.content == (STATIC / path.removeprefix("static/")).read_bytes()
        assert urlsplit(asset).query == "v=" + hashlib.sha256(response.content).hexdigest()[:16]
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-encoding"] == "gzip", "httpx accepts gzip and unpacks it"
        again = httpx.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == response.content
        assert plain.headers["etag"] != response.headers["etag"], "each representation has its own ETag"
        assert "Accept-Encoding" in plain.headers["vary"]
    unversioned = httpx.get(urljoin(server.url, "static/query-editor.js"))
    assert unversioned.status_code == 200 and "immutable" not in unversioned.headers["cache-control"]
    for name in ("LICENSE", "THIRD-PARTY-LICENSES.txt", "README.md"):
        shipped = httpx.get(urljoin(server.url, f"static/yasgui/{name}"))
        assert shipped.status_code == 200 and shipped.headers["content-type"].startswith("text/")
    assert "MIT License" in httpx.get(urljoin(server.url, "static/yasgui/LICENSE")).text
    for missing in ("static/nothing.js", "static/../pyproject.toml", "static/%2e%2e/cli.py", "static/yasgui"):
        assert httpx.get(urljoin(server.url, missing)).status_code == 404, missing


def test_the_vendored_bundle_is_the_published_one() -> None:
    """static/yasgui/README.md names the SHA-256 of the files as npm published them."""
    readme = (STATIC / "yasgui" / "README.md").read_text(encoding="utf-8")
    for name in ("yasgui.min.js", "yasgui.min.css"):
        digest = hashlib.sha256((STATIC / "yasgui" / name).read_bytes()).hexdigest()
        assert f"| {name} | {digest} |" in readme


def test_a_refused_query_from_a_browser_is_shown_on_the_query_page(server: LiveServer) -> None:
    select = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    wrong_graph = page_of(server, "de", query=select, **{"default-graph-uri": "no-iri"})
    assert wrong_graph.status_code == 400
    assert wrong_graph.headers["content-type"].startswith("text/html")
    assert wrong_graph.headers["content-language"] == "de"
    assert "Die Abfrage konnte nicht ausgeführt werden" in wrong_graph.text
    assert "default-graph-uri must be an absolute IRI, not &#39;no-iri&#39;" in wrong_graph.text
    assert f">{select}</textarea>" in wrong_graph.text, "the query stays in the editor"
    syntax = page_of(server, "en", query="SELECT * WHERE {")
    assert syntax.status_code == 400 and "SPARQL syntax error" in syntax.text
    assert "<nav" in syntax.text, "in the site's layout"
    update = page_of(server, "ja", update="DROP ALL")
    assert update.status_code == 403 and "クエリを実行できませんでした" in update.text
    # SPARQL clients keep their plain-text answers.
    plain = httpx.get(server.url, params={"query": select, "default-graph-uri": "no-iri"})
    assert plain.status_code == 400 and plain.headers["content-type"].startswith("text/plain")
    anything = httpx.get(server.url, params={"query": "SELECT * {"}, headers={"Accept": "*/*"})
    assert anything.headers["content-type"].startswith("text/plain")


def test_text_of_a_refused_query_is_shown_never_run(server: LiveServer) -> None:
    hostile = 'SELECT * { ?s ?p "</textarea></script><script>alert(1)</script><img src=x onerror=alert(2)>" '
    response = page_of(server, "en", query=hostile)
    assert response.status_code == 400
    assert "<script>alert" not in response.text and "<img" not in response.text
    assert "&lt;/textarea&gt;&lt;/script&gt;&lt;script&gt;alert(1)" in response.text
    document = parsed(response.text)
    scripts = list(document.iter(f"{XHTML}script"))
    kinds = [s.get("type") or urlsplit(s.get("src", "")).path for s in scripts]
    assert kinds == ["application/json", "static/yasgui/yasgui.min.js", "static/query-editor.js"], "only the page's own"
    assert json.loads(scripts[0].text or "")["base"] == "https://w3id.org/rit-graph/"


def test_every_page_of_the_served_site_links_to_the_query_editor(server: LiveServer) -> None:
    base = f"http://127.0.0.1:{server.port}/"
    for path in ("index.en.html", "ontology.de.html", "downloads.ja.html", "id/place/kitakyushu.en.html"):
        response = httpx.get(base + path)
        assert response.status_code == 200, path
        hrefs = [urljoin(base + path, href) for _, href in nav_links(parsed(response.text), path)]
        assert server.url in hrefs, f"{path} links to the query editor"


def test_the_static_site_links_to_a_configured_endpoint_or_to_none(tmp_path: Path) -> None:
    folder = copy_project(MINI, tmp_path / "project")
    home = Site(load(Project.open(folder))).home("en")
    assert "sparql" not in "".join(href for _, href in nav_links(parsed(home), "en")), "no endpoint, no link"
    settings = folder / "rit-graph.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + 'sparql_endpoint = "https://query.example.org/sparql"\n',
        encoding="utf-8",
    )
    home = Site(load(Project.open(folder))).home("de")
    assert ("SPARQL-Abfrage", "https://query.example.org/sparql") in nav_links(parsed(home), "de")
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("https://query.example.org/sparql", "javascript:alert(1)"),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="sparql_endpoint must be an http"):
        Project.open(folder)


def test_a_server_without_a_site_has_the_editor_and_shows_a_timeout(cross_join_data: Path) -> None:
    with live_server("--data", str(cross_join_data), "--timeout", "1") as running:
        response = page_of(running, "en")
        assert response.status_code == 200
        links = nav_links(parsed(response.text), "en")
        assert links == [("SPARQL query", "sparql")], "no site pages to link to"
        assert editor_config(response.text)["site"] is False
        timeout = page_of(running, "en", query=CROSS_JOIN)
        assert timeout.status_code == 503
        assert "The query could not be run" in timeout.text and "1 s" in timeout.text


# In the browser ------------------------------------------------------------------------------------

sync_api = pytest.importorskip("playwright.sync_api")


def run_query(page: Page) -> None:
    page.get_by_role("button", name=re.compile("Run query|Abfrage ausführen|クエリを実行")).click()


def set_query(page: Page, text: str) -> None:
    page.evaluate("text => document.querySelector('#editor .CodeMirror').CodeMirror.setValue(text)", text)


@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_the_editor_runs_an_example_and_links_its_results_into_the_site(
    browser: Browser, server: LiveServer, width: int
) -> None:
    origin = f"http://127.0.0.1:{server.port}"
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    requests: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)

    page.on("request", record)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{origin}/sparql")
    assert page.locator("html").get_attribute("lang") == "en"
    editor = page.locator("#editor .CodeMirror")
    editor.wait_for()
    assert page.locator("#query").is_hidden(), "the editor replaces the plain text area"
    assert page.locator("#editor .cm-keyword").count() >= 1, "the query is highlighted"

    page.get_by_role("button", name="cluster-partnerships").click()
    shown = page.evaluate("() => document.querySelector('#editor .CodeMirror').CodeMirror.getValue()")
    assert shown == (ROOT / "queries" / "cluster-partnerships.rq").read_text(encoding="utf-8")
    run_query(page)
    rows = page.locator("#results table tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 2
    headers = page.locator("#results table thead th").all_inner_texts()
    assert {"cluster", "city", "programme"} <= {h.strip() for h in headers}
    downloads = page.locator("#downloads a")
    assert downloads.all_inner_texts() == ["JSON", "XML", "CSV", "TSV"]
    csv_link = downloads.nth(2).get_attribute("href")
    assert csv_link is not None
    csv = httpx.get(urljoin(origin + "/sparql", csv_link))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].split(",")[:2] == ["cluster", "city"]
    shot(page, f"query-editor-table-{width}")

    set_query(page, (ROOT / "queries" / "place-kitakyushu.rq").read_text(encoding="utf-8"))
    run_query(page)
    link = page.locator('#results a.iri[href*="/id/place/kitakyushu"]').first
    link.wait_for()
    assert link.get_attribute("href") == f"{origin}/id/place/kitakyushu?lang=en"
    assert page.locator(f'#results a.iri[href^="{origin}/id/"]').count() >= 2
    if width == 390:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "no page-wide scrolling"

    set_query(page, "DESCRIBE <https://w3id.org/rit-graph/id/place/kitakyushu>")
    run_query(page)
    page.locator("#downloads a", has_text="Turtle").wait_for()
    assert page.locator("#downloads a").all_inner_texts() == ["Turtle", "N-Triples", "JSON-LD", "RDF/XML"]

    set_query(page, "ASK { ?s a <https://w3id.org/rit-graph/ontology#Cluster> }")
    run_query(page)
    page.locator("#downloads a", has_text="CSV").wait_for()  # drawn right after the results
    assert page.locator("#downloads a").all_inner_texts() == ["JSON", "XML", "CSV", "TSV"]
    assert "true" in page.locator("#results").inner_text().lower(), "an ASK's answer is shown as such"

    set_query(page, "SELECT * WHERE { ?s ?p }")
    run_query(page)
    error = page.locator("#error")
    error.wait_for()
    assert "The query could not be run" in error.inner_text()
    assert "syntax error" in error.inner_text()
    assert page.locator("#downloads").is_hidden()
    shot(page, f"query-editor-error-{width}")

    link_page = page.goto(f"{origin}/sparql")
    assert link_page is not None
    set_query(page, (ROOT / "queries" / "place-kitakyushu.rq").read_text(encoding="utf-8"))
    run_query(page)
    page.locator('#results a.iri[href*="/id/place/kitakyushu"]').first.click()
    page.wait_for_url(f"{origin}/id/place/kitakyushu?lang=en")
    assert page.locator("h1").inner_text() == "Kitakyushu"

    assert errors == []
    assert page.evaluate("() => localStorage.length") == 0, "neither queries nor results are kept in the browser"
    outside = [url for url in requests if not url.startswith(origin + "/")]
    assert outside == [], "every request stays on the page's origin"
    assert any("/static/yasgui/yasgui.min.js" in url for url in requests)
    context.close()


def recorded_page(browser: Browser, locale: str, width: int) -> tuple[BrowserContext, Page, list[str]]:
    """A page in a new context of LOCALE and WIDTH, with the list of every URL it requests."""
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 800})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return context, page, requests


@needs_chromium
def test_the_editor_speaks_the_readers_language_and_shows_a_refusal(browser: Browser, server: LiveServer) -> None:
    origin = f"http://127.0.0.1:{server.port}"
    context, page, requests = recorded_page(browser, "ja-JP", 390)
    page.goto(f"{origin}/sparql")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.locator("#editor .CodeMirror").wait_for()
    set_query(page, "SELECT ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    run_query(page)
    page.locator("#error").wait_for()
    assert "クエリを実行できませんでした" in page.locator("#error").inner_text()
    assert "SERVICE" in page.locator("#error").inner_text()
    shot(page, "query-editor-refused-ja-390")
    page.locator("nav.lang-switch").get_by_role("link", name="Deutsch").click()
    page.wait_for_url(f"{origin}/sparql?lang=de")
    assert page.locator("h1").inner_text() == "SPARQL-Abfrage"
    assert all(url.startswith(origin + "/") for url in requests)
    context.close()


@needs_chromium
def test_the_editor_completes_from_the_project_and_asks_nobody_else(browser: Browser, server: LiveServer) -> None:
    """YASQE's completers ask prefix.cc and Linked Open Vocabularies; here the project's prefixes and
    ontology answer, and every request stays on the origin."""
    origin = f"http://127.0.0.1:{server.port}"
    context, page, requests = recorded_page(browser, "en-GB", 1280)
    page.goto(f"{origin}/sparql")
    page.locator("#editor .CodeMirror").wait_for()
    set_query(page, "")
    page.evaluate("() => document.querySelector('#editor .CodeMirror').CodeMirror.focus()")
    hints = page.locator(".CodeMirror-hints li")

    page.keyboard.type("PREFIX pla")
    hints.first.wait_for()
    assert hints.all_inner_texts() == ["place: <https://w3id.org/rit-graph/id/place/>"]
    page.keyboard.press("Enter")
    page.keyboard.type("\nSELECT * WHERE { ?s a rit:Clu")
    hints.first.wait_for()
    assert hints.all_inner_texts() == ["rit:Cluster"]
    page.keyboard.press("Enter")
    page.keyboard.type(" ; rit:partnerP")
    page.keyboard.press("Control+Space")
    hints.first.wait_for()
    assert hints.all_inner_texts() == ["rit:partnerPlace"]
    page.keyboard.press("Enter")
    text = page.evaluate("() => document.querySelector('#editor .CodeMirror').CodeMirror.getValue()")
    assert "PREFIX rit: <https://w3id.org/rit-graph/ontology#>" in text, "a prefix used is declared"
    assert text.rstrip().endswith("?s a rit:Cluster ; rit:partnerPlace")
    assert [url for url in requests if not url.startswith(origin + "/")] == []
    context.close()


def test_package_data_ships_the_editor() -> None:
    """pyproject.toml's package data names every file of static/, so that a wheel carries the editor."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    patterns = re.findall(r'"(static/[^"]+)"', text)
    shipped = {p.relative_to(STATIC.parent).as_posix() for p in STATIC.rglob("*") if p.is_file()}
    assert shipped, "static/ holds files"
    for name in shipped:
        assert any(Path(name).match(pattern) for pattern in patterns), f"{name} is not package data"
