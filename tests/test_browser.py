"""The site in a real browser: Debian's headless Chromium driven by Playwright against the live server.

Screenshots go to test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browsers import needs_chromium, shot
from hostile import hostile_project
from live_server import LiveServer, live_server
from projects import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page

#: Every schema.org block of the page, each parsed by the browser's own JSON.parse.
PARSE_JSON_LD = """() => [...document.querySelectorAll('script[type="application/ld+json"]')]
    .map(s => JSON.parse(s.textContent))"""

pytestmark = needs_chromium
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT)) as running:
        yield running


def test_home_diagrams_links_language_switch_and_json_ld(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": 1000, "height": 800})
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{server.port}/")
    assert page.locator("html").get_attribute("lang") == "de"
    diagram = page.locator("ol.network")
    timeline = page.locator("ol.bars")
    assert diagram.count() == 1 and timeline.count() == 1
    assert diagram.locator(".node").count() == 4 and diagram.locator("a.edge").count() == 2
    assert timeline.locator("li.event").count() == 4
    shot(page, "home-de")

    diagram.locator("a", has_text="Kitakyushu").first.click()
    page.wait_for_url("**/id/place/kitakyushu.de.html")
    assert page.locator("h1").inner_text() == "Kitakyushu"
    blocks = page.evaluate(PARSE_JSON_LD)
    assert blocks and blocks[0]["@id"].endswith("/id/place/kitakyushu")
    shot(page, "kitakyushu-de")

    switch = page.locator("nav.lang-switch")
    switch.get_by_role("link", name="English").click()
    page.wait_for_url("**/id/place/kitakyushu.en.html")
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "kitakyushu-en")
    switch.get_by_role("link", name="日本語").click()
    page.wait_for_url("**/id/place/kitakyushu.ja.html")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("h1").inner_text() == "北九州市"
    assert page.evaluate(PARSE_JSON_LD), "the Japanese page embeds its schema.org block too"
    shot(page, "kitakyushu-ja")

    page.locator('nav[aria-label] a[href$="index.ja.html"]').first.click()
    page.wait_for_url("**/index.ja.html")
    event = page.locator("ol.bars li.event a").first
    event.click()
    page.wait_for_url("**/id/event/*.ja.html")
    assert page.locator("h1").inner_text()
    assert page.evaluate(PARSE_JSON_LD)
    assert page.locator("section#quotes, blockquote").count() >= 1, "an event's page quotes its source"
    shot(page, "event-ja")
    context.close()


def recorded_dialogs(page: Page) -> list[str]:
    """The messages of the dialogs (alert, confirm) PAGE opens from now on, each dismissed."""
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return dialogs


def test_no_injected_script_runs(browser: Browser, tmp_path: Path) -> None:
    with live_server("--project", str(hostile_project(tmp_path))) as server:
        context = browser.new_context()
        page = context.new_page()
        dialogs = recorded_dialogs(page)
        for path in (
            "id/place/evil?lang=ja",
            "id/place/evil?lang=en",
            "id/place/evil?lang=de",
            "id/partnership/evil",
            "?lang=en",
            "id/place/%3Cscript%3Ewindow.__pwned=1%3C%2Fscript%3E",
        ):
            page.goto(f"http://127.0.0.1:{server.port}/{path}")
            page.wait_for_load_state("load")
            assert page.evaluate("() => typeof window.__pwned") == "undefined", path
            assert page.evaluate(PARSE_JSON_LD) is not None
        assert page.get_by_text("<script>window.__pwned=1</script>").count() >= 1, "the 404 page shows the path as text"
        page.goto(f"http://127.0.0.1:{server.port}/id/place/evil.ja.html")
        assert page.get_by_text("<script>window.__pwned = 'label'; alert(6)</script>").count() >= 1
        shot(page, "hostile-ja")
        assert dialogs == []
        context.close()


def test_no_link_of_the_404_page_runs_the_path_asked_for(browser: Browser, server: LiveServer) -> None:
    """A click on the 404 page's language switch ran ``javascript:`` taken from the request path."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    dialogs = recorded_dialogs(page)
    asked = f"http://127.0.0.1:{server.port}/javascript:alert(document.domain)%3C!--"
    for name in ("Deutsch", "日本語"):
        page.goto(asked)
        assert page.evaluate("() => [...document.links].every(a => a.protocol === 'http:')")
        page.locator("nav.lang-switch").get_by_role("link", name=name).click()
        page.wait_for_load_state("load")
        assert page.url.endswith((".de.html", ".ja.html")), page.url
    assert dialogs == []
    context.close()
