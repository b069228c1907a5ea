"""The pages on a phone, in a real browser: at 390 CSS px no word is broken in the middle, no page is wider
than the screen (a wide table scrolls by itself), and the icon a page links is there.

Screenshots go to test-artifacts/phone-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from browsers import needs_chromium, shot
from live_server import LiveServer, live_server
from projects import BWI, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = needs_chromium
sync_api = pytest.importorskip("playwright.sync_api")

PHONE = {"width": 390, "height": 844}
#: The words of the page's main content that the browser broke across lines. A word here is a run of
#: characters between the places a line may break: spaces, and the punctuation of IRIs and paths
#: (/ # ? & = . _ : -), where long IRIs may wrap. Japanese breaks between any two characters, so its
#: letters and punctuation part words too. Each word's rendered boxes (Range.getClientRects) must lie on
#: one line.
BROKEN_WORDS = r"""() => {
  const word = /[^\s\/#?&=._:\-\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]{2,}/gu;
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const broken = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || !node.parentElement.getClientRects().length) continue;
    for (const found of node.data.matchAll(word)) {
      const range = document.createRange();
      range.setStart(node, found.index);
      range.setEnd(node, found.index + found[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (lines.size > 1) broken.push(found[0]);
    }
  }
  return broken;
}"""
#: Tables wider than their place that do not scroll by themselves, and how much wider the page is than the screen.
TOO_WIDE = """() => ({
  tables: [...document.querySelectorAll('main table')]
    .filter(t => t.scrollWidth > t.clientWidth + 1 && !['auto', 'scroll'].includes(getComputedStyle(t).overflowX))
    .map(t => t.id || t.className || 'table'),
  page: document.documentElement.scrollWidth - window.innerWidth,
})"""
#: The pages whose tables, IRIs, lists and Japanese text broke words at 390 px.
PAGES = (
    "downloads.en.html",
    "downloads.ja.html",
    "shapes.en.html",
    "shapes.ja.html",
    "ontology.ja.html",
    "id/place/kitakyushu.ja.html",
    f"id/announcement/{BWI}.de.html",
    f"source/{BWI}.ja.html",
)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server("--project", str(ROOT)) as running:
        yield running


@pytest.fixture(scope="module")
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_word_is_broken_and_nothing_is_wider_than_a_phone(phone: Page, server: LiveServer, path: str) -> None:
    phone.goto(f"http://127.0.0.1:{server.port}/{path}")
    assert phone.evaluate("() => window.innerWidth") == PHONE["width"]
    assert phone.evaluate(BROKEN_WORDS) == []
    assert phone.evaluate(TOO_WIDE) == {"tables": [], "page": 0}
    shot(phone, "phone-" + path.replace("/", "-").removesuffix(".html"))


def test_the_check_sees_a_broken_word(phone: Page, server: LiveServer) -> None:
    """The words the pages broke before: with the old rule back, the check finds them."""
    phone.goto(f"http://127.0.0.1:{server.port}/downloads.en.html")
    phone.add_style_tag(content="body, th, td { overflow-wrap: anywhere; }")
    broken = phone.evaluate(BROKEN_WORDS)
    assert {"File", "(bytes)"} & set(broken), broken


def test_a_wide_table_scrolls_inside_the_page(phone: Page, server: LiveServer) -> None:
    phone.goto(f"http://127.0.0.1:{server.port}/downloads.ja.html")
    table = phone.locator("table#downloads")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth"), "the checksums do not fit on a phone"
    table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    assert table.evaluate("t => t.scrollLeft") > 0
    assert phone.locator("code.sha256").first.is_visible()


@pytest.mark.parametrize("path", ["index.ja.html", "id/place/kitakyushu.de.html", "id/place/no-such-place"])
def test_every_page_links_the_icon_and_the_icon_is_there(phone: Page, server: LiveServer, path: str) -> None:
    phone.goto(f"http://127.0.0.1:{server.port}/{path}", wait_until="load")
    icon = phone.evaluate("() => document.querySelector('link[rel=icon]').href")
    answer = phone.request.get(icon)
    assert answer.ok and answer.headers["content-type"] == "image/svg+xml"
    assert phone.request.get(f"http://127.0.0.1:{server.port}/favicon.ico").headers["content-type"] == "image/x-icon"
