"""The home page's overview and a browse page in a real browser, at a desktop's 1280 px and a phone's 390 px,
on the repository's data and on a synthetic corpus of SYNTHETIC announcements (Debian's Chromium, Playwright).

What a reader sees is measured, not the HTML: every line box of text inside a diagram (each text node's
client rects, the ``<details>`` of every year opened) must overlap no other, every diagram text must be at
least MIN_FONT_PX on screen (its computed font size times the scale it is drawn at, so an SVG shrunk to
the width of a phone counts as small as it looks), the page must not scroll sideways, and the home page
must weigh under HOME_BYTES. Screenshots go to test-artifacts/.

The synthetic project is made once (in about 2 s) and kept in pytest's cache folder (``.pytest_cache/d/``) under
a key of what it is made from, so later runs reuse it; the server takes most of the time, about 30 s to start on
it (on 2 CPUs).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browsers import needs_chromium, shot
from live_server import LiveServer, live_server
from projects import ROOT

from benchmarks import synthetic
from rit_graph.output.site.browse import PAGE_SIZE

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = needs_chromium
sync_api = pytest.importorskip("playwright.sync_api")

SYNTHETIC = 120
WIDTHS = (1280, 390)
MIN_FONT_PX = 11
HOME_BYTES = 200_000

#: Every line box of text inside the elements SELECTOR finds, with its text and its size on screen.
#: A text node's client rects are its line boxes; zero-sized ones (collapsed white space) are left out.
TEXT_BOXES = """(selector) => {
    const boxes = [];
    let index = 0;
    for (const root of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.textContent.trim()) continue;
            index += 1;
            const element = node.parentElement;
            let scale = 1;
            if (element instanceof SVGGraphicsElement) {
                const m = element.getScreenCTM();
                scale = Math.hypot(m.a, m.b);
            } else if (element.offsetWidth) {
                scale = element.getBoundingClientRect().width / element.offsetWidth;
            }
            const font = parseFloat(getComputedStyle(element).fontSize) * scale;
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const r of range.getClientRects()) {
                if (r.width < 0.5 || r.height < 0.5) continue;
                boxes.push({node: index, text: node.textContent.trim().slice(0, 60),
                    x: r.left, y: r.top, w: r.width, h: r.height, font});
            }
        }
    }
    return boxes;
}"""
#: Where a line of text inside the elements SELECTOR finds breaks inside a word: the characters either side.
#: A line may break at white space, after a hyphen, dash or slash, and between CJK characters.
BROKEN_WORDS = """(selector) => {
    const broken = [];
    const free = c => /[\\s\\-\u2013\u2014\\/]/.test(c) || c.codePointAt(0) > 0x2e80;
    for (const root of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent;
            const range = document.createRange();
            let top = null;
            for (let i = 0; i < text.length; i++) {
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                if (!rect || rect.width === 0) continue;
                if (top !== null && rect.top > top + 1 && !free(text[i - 1]) && !free(text[i])) {
                    broken.push(text.slice(Math.max(0, i - 12), i) + "|" + text.slice(i, i + 12));
                }
                top = rect.top;
            }
        }
    }
    return broken;
}"""
#: Open every year of the timeline, so that the months' text is measured too.
OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


def overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of texts whose line boxes share more than a sliver (0.5 px each way: rounding and anti-aliasing)."""
    found = []
    ordered = sorted(boxes, key=lambda b: b["y"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b["y"] >= a["y"] + a["h"] - 0.5:
                break
            if a["node"] == b["node"]:
                continue  # two line boxes of one text
            wide = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            high = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if wide > 0.5 and high > 0.5:
                found.append((a["text"], b["text"]))
    return found


def measure(page: Page, selector: str) -> list[dict[str, Any]]:
    page.evaluate(OPEN_ALL)
    boxes: list[dict[str, Any]] = page.evaluate(TEXT_BOXES, selector)
    return boxes


def assert_readable(page: Page, selector: str, what: str) -> int:
    """No text of SELECTOR's elements overlaps another, none is under MIN_FONT_PX, the page keeps its width;
    how many line boxes were measured."""
    boxes = measure(page, selector)
    assert boxes, f"{what}: no text measured in {selector}"
    assert overlaps(boxes) == [], what
    small = [(b["text"], round(b["font"], 1)) for b in boxes if b["font"] < MIN_FONT_PX]
    assert small == [], what
    assert page.evaluate(BROKEN_WORDS, selector) == [], f"{what}: words broken in the middle"
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{what}: the page scrolls sideways ({width[0]} px in {width[1]} px)"
    return len(boxes)


def synthetic_project(cache: pytest.Cache) -> Path:
    """A synthetic project of SYNTHETIC announcements, made once for what it is made from and then reused."""
    sources = [
        Path(synthetic.__file__),
        *(p for part in ("ontology", "shapes", "data/reference", "queries") for p in sorted((ROOT / part).rglob("*"))),
        *sorted(synthetic.SEED.iterdir()),
    ]
    digest = hashlib.sha256()
    for path in sources:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    folder = cache.mkdir(f"overview-synthetic-{SYNTHETIC}-{digest.hexdigest()[:16]}")
    project = folder / "project"
    if not project.exists():
        # Made beside it and renamed into place: test workers running at once each find it whole or absent.
        started = time.perf_counter()
        made = folder / f"project.{os.getpid()}"
        shutil.rmtree(made, ignore_errors=True)
        synthetic.make_project(made, SYNTHETIC)
        try:
            made.rename(project)
            print(f"synthetic project of {SYNTHETIC} announcements made in {time.perf_counter() - started:.1f} s")
        except OSError:
            shutil.rmtree(made)  # another worker's came first
    return project


@pytest.fixture(scope="module", params=["repository", "synthetic"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, LiveServer]]:
    project = ROOT if request.param == "repository" else synthetic_project(request.config.cache)
    started = time.perf_counter()
    with live_server("--project", str(project)) as running:
        print(f"{request.param}: server ready in {time.perf_counter() - started:.1f} s")
        yield request.param, running


@pytest.mark.parametrize("width", WIDTHS)
def test_home_page_diagrams_are_readable_and_the_page_is_light(
    browser: Browser, server: tuple[str, LiveServer], width: int
) -> None:
    corpus, running = server
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = context.new_page()
    response = page.goto(f"http://127.0.0.1:{running.port}/index.de.html")
    assert response is not None and response.ok
    assert len(response.body()) < HOME_BYTES
    assert page.locator(".diagram").count() == 2, "the partnerships network and the timeline"
    measured = assert_readable(page, ".diagram", f"{corpus} home at {width} px")
    assert measured >= 10
    assert_readable(page, "main", f"{corpus} home at {width} px, all of it")
    shot(page, f"overview-home-{corpus}-{width}")

    # A pair's count leads to its entry among all the partnerships.
    edge = page.locator("a.edge").first
    anchor = (edge.get_attribute("href") or "").split("#", 1)[1]
    edge.click()
    page.wait_for_url(f"**/browse/partnerships/*.de.html#{anchor}")
    assert page.locator(f"li#{anchor} a").count() >= 3, "organisation, place and an announcement"
    assert_readable(page, "main", f"{corpus} partnerships at {width} px")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_class_is_browsed_page_by_page(browser: Browser, server: tuple[str, LiveServer], width: int) -> None:
    corpus, running = server
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{running.port}/")
    kind = page.locator("#kinds li", has=page.locator("a", has_text="Annotation"))
    annotations = int(kind.locator(".count").inner_text().replace(",", "").replace(".", ""))
    assert annotations > (100 if corpus == "synthetic" else 0)
    kind.locator("a").click()
    page.wait_for_url("**/browse/class/oa-Annotation/1.en.html")
    entries = page.locator("ol.browse-list > li a")
    assert entries.count() == min(annotations, PAGE_SIZE), "the home page's count, at most a page of them"
    assert_readable(page, "main", f"{corpus} annotations at {width} px")
    shot(page, f"overview-browse-{corpus}-{width}")
    following = page.locator('a[rel="next"]')
    if annotations > PAGE_SIZE:
        following.first.click()
        page.wait_for_url("**/browse/class/oa-Annotation/2.en.html")
        assert page.locator('a[rel="prev"]').count() == 2, "above the list and below it"
    else:
        assert following.count() == 0
    entries.first.click()
    page.wait_for_url("**/id/announcement/**/quote/*.en.html")
    context.close()


def test_the_checks_see_overlapping_and_shrunken_text(browser: Browser) -> None:
    """What the tests above measure, shown failing: two labels drawn over each other, 13 px SVG text scaled
    to a phone's width (the diagrams before they became HTML)."""
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_content(
        """<div class="diagram" style="position: relative">
        <span style="position: absolute; left: 0">2015-06</span>
        <span style="position: absolute; left: 20px">2015-07</span>
        </div>
        <svg class="diagram" viewBox="0 0 760 100" style="width: 100%; font: 13px sans-serif">
        <text x="10" y="50">automotive-bw</text></svg>"""
    )
    boxes = measure(page, ".diagram")
    assert overlaps(boxes) == [("2015-06", "2015-07")]
    page.set_content('<p class="narrow" style="width: 5rem; overflow-wrap: anywhere">Kooperationsgespräche</p>')
    assert page.evaluate(BROKEN_WORDS, ".narrow"), "a word broken to fit a narrow column is seen"
    (svg_text,) = [b for b in boxes if b["text"] == "automotive-bw"]
    assert 6 < svg_text["font"] < MIN_FONT_PX
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reader_searches_opens_a_resource_its_quoted_source_and_queries(
    browser: Browser, server: tuple[str, LiveServer], width: int
) -> None:
    """The reader's way through a corpus, on the repository's data and on the synthetic corpus: the header's
    search box, a quoted passage marked in its source text, a result's page, and the query editor's table."""
    corpus, running = server
    origin = f"http://127.0.0.1:{running.port}"
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{origin}/index.en.html")
    box = page.locator('header input[name="q"]')
    box.fill("Kitakyushu")
    box.press("Enter")
    page.wait_for_url("**/search.en.html?q=Kitakyushu*")
    results = page.locator("ol.results > li")
    assert results.count() >= 2, "the city and what names it"
    assert_readable(page, "main", f"{corpus} search at {width} px")
    shot(page, f"corpus-search-{corpus}-{width}")

    page.locator("a.passage-link").first.click()
    page.wait_for_url("**/source/**#quote-*")
    target = page.evaluate("() => location.hash.slice(1)")
    assert page.locator(f'[id="{target}"]').count() == 1, "the quoted passage's mark is in the text"
    assert page.locator("mark").count() >= 1
    assert_readable(page, "main", f"{corpus} source at {width} px")
    shot(page, f"corpus-source-{corpus}-{width}")

    page.go_back()
    page.locator('a.result[href*="id/place/kitakyushu"]').first.click()
    page.wait_for_url("**/id/place/kitakyushu*")
    assert "Kitakyushu" in page.locator("h1").inner_text()
    assert_readable(page, "main", f"{corpus} Kitakyushu at {width} px")
    shot(page, f"corpus-resource-{corpus}-{width}")

    page.goto(f"{origin}/sparql?lang=en")
    page.locator("#editor .CodeMirror").wait_for()
    page.get_by_role("button", name="cluster-partnerships").click()
    page.get_by_role("button", name=re.compile("Run query")).click()
    rows = page.locator("#results table tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 2
    assert page.evaluate("() => document.documentElement.scrollWidth") <= max(width, 1280)
    shot(page, f"corpus-query-{corpus}-{width}")
    context.close()
