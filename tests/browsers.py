"""What every browser test shares: Debian's chromium (Playwright drives it; it never downloads a browser),
the flags it runs with, a mark that skips where it is missing, and screenshots for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from projects import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
#: Screenshots (gitignored).
ARTIFACTS = ROOT / "test-artifacts"
#: Headless, and nothing the browser would fetch for itself: tests see every request a page makes.
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
