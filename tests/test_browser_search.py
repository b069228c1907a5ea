"""Search in a real browser: Pagefind's page in the static site, served by a plain static web server, and the
server's /search, both reached from the search box in a page's header (Debian's Chromium, Playwright).

The static site is served from a folder below the web server's root (``/site/``), as a host may put it, so
the results' links must not assume the site's root is the server's. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browsers import needs_chromium, shot
from click.testing import CliRunner
from hostile import hostile_project
from live_server import LiveServer, live_server
from projects import BWI, bwi_project

from rit_graph.cli import cli
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.output.site import write_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page

pytestmark = needs_chromium
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bwi_project(tmp_path_factory.mktemp("browser-search") / "project")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """FOLDER served by Python's static file server on loopback, as any web host would; its URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
        httpd.shutdown()
        thread.join()


@pytest.fixture(scope="module")
def static_site(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built dist/ folder served by Python's static file server on loopback; the URL of its site/ folder."""
    out = tmp_path_factory.mktemp("static-search") / "dist"
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    with serving(out) as url:
        yield url + "site/"


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[LiveServer]:
    with live_server("--project", str(project)) as running:
        yield running


def requests_of(page: Page) -> list[str]:
    """The URLs PAGE asks for from now on: everything must come from the site itself."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    return asked


def pagefind_results(page: Page) -> list[str]:
    """The links of Pagefind's results, once it has shown some."""
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=30_000)
    links: list[str] = page.eval_on_selector_all(".pagefind-ui__result-link", "links => links.map(a => a.href)")
    return links


@pytest.mark.parametrize("width", [1280, 390])
def test_static_search_finds_kitakyushu_in_english_and_japanese(browser: Browser, static_site: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    asked = requests_of(page)
    page.goto(static_site + "id/place/hitachi.en.html")
    box = page.locator("header form[role=search] input[name=q]")
    box.fill("Kitakyushu")
    box.press("Enter")
    page.wait_for_url("**/site/search.en.html?q=Kitakyushu")
    links = pagefind_results(page)
    assert static_site + "id/place/kitakyushu.en.html" in links, links
    assert all(link.startswith(static_site) for link in links), "results link into the site, wherever it is hosted"
    shot(page, f"search-static-en-{width}")

    page.goto(static_site + "search.ja.html?q=" + "北九州")
    links = pagefind_results(page)
    assert static_site + "id/place/kitakyushu.ja.html" in links, links
    assert page.locator("html").get_attribute("lang") == "ja"
    shot(page, f"search-static-ja-{width}")
    page.locator(".pagefind-ui__result-link").first.click()
    page.wait_for_load_state("load")
    assert page.url.startswith(static_site) and page.url.endswith(".ja.html")
    assert all(url.startswith(static_site) for url in asked), [u for u in asked if not u.startswith(static_site)]
    context.close()


@pytest.fixture(scope="module")
def hostile_static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The static site of the hostile project (markup and scripts in labels) served on loopback; its URL."""
    folder = tmp_path_factory.mktemp("hostile-search")
    site = folder / "site"
    write_site(load(Project.open(hostile_project(folder))), site)
    with serving(site) as url:
        yield url


def test_static_search_shows_hostile_labels_as_text(browser: Browser, hostile_static_site: str) -> None:
    """The records are the data's own text, markup included: Pagefind's results must show it, never run it."""
    page = browser.new_page()
    dialogs: list[str] = []

    def dialog_opened(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dialog_opened)
    page.goto(hostile_static_site + "search.en.html?q=bold")
    links = pagefind_results(page)
    assert hostile_static_site + "id/place/evil.en.html" in links, links
    title = page.locator(".pagefind-ui__result-link", has_text="alert('label')").first
    assert title.inner_text() == "<script>alert('label')</script>"
    injected = ".pagefind-ui__results :is(img, b, textarea, script, [onerror], [onmouseover])"
    assert page.locator(injected).count() == 0
    assert "onmouseover=alert(2)>bold</b>" in page.locator(".pagefind-ui__results").inner_text()
    page.wait_for_timeout(500)  # an injected handler would have run by now
    assert dialogs == [] and page.evaluate("typeof window.__pwned") == "undefined"
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_server_search_from_the_header_to_the_quoted_passage(browser: Browser, server: LiveServer, width: int) -> None:
    origin = f"http://127.0.0.1:{server.port}/"
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = context.new_page()
    asked = requests_of(page)
    page.goto(origin)
    box = page.locator("header form[role=search] input[name=q]")
    box.fill("Delegation")
    box.press("Enter")
    page.wait_for_url("**/search.de.html?q=Delegation")
    results = page.locator("ol.results > li")
    assert results.count() >= 4
    assert results.first.locator("a.result").inner_text() == "Delegation"
    hitachi = page.locator("ol.results > li", has=page.locator("a.result", has_text="Delegation aus Hitachi"))
    assert hitachi.locator("mark").first.inner_text() == "Delegation"
    shot(page, f"search-server-de-{width}")
    hitachi.locator("a.passage-link").first.click()
    page.wait_for_url(f"**/source/{BWI}.de.html#quote-return-visit")
    target = page.locator(":target")
    assert "Delegation aus Hitachi" in target.inner_text()
    assert target.is_visible()

    page.goto(origin + "search.ja.html?q=" + "北九州")
    assert page.locator("ol.results > li a.result").first.inner_text() == "北九州市"
    shot(page, f"search-server-ja-{width}")
    assert all(url.startswith(origin) for url in asked)
    context.close()
