"""Hostile text in the data is shown as text on every page of the site and never becomes markup or a link."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
from hostile import HOSTILE, INJECTED, Elements
from projects import ROOT

from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.output.site import write_site

#: The script of templates/search.html, which holds nothing from the data.
SEARCH_SCRIPT = re.search(
    r"<script>(.*?)</script>", (resources.files("rit_graph") / "templates" / "search.html").read_text("utf-8"), re.S
)[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data/reference/hostile.ttl").write_text(HOSTILE, encoding="utf-8")
    folder = root.parent / "site"
    write_site(load(Project.open(root)), folder)
    return folder


def test_no_page_holds_an_injected_element_attribute_or_link(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 150
    for path in pages:
        elements = Elements(path.read_text(encoding="utf-8"))
        # The static search page's scripts: Pagefind's interface and the template's own script starting it.
        searching = path.name.startswith("search.")
        for script in elements.scripts:
            if searching and script.strip() in ("", SEARCH_SCRIPT.strip()):
                continue
            json.loads(script)  # a JSON-LD block that hostile text had ended early would not parse
        for tag, attributes in elements.tags:
            assert tag not in INJECTED, f"{path.relative_to(site)}: <{tag}> injected"
            if tag == "script":
                allowed = [{"type": "application/ld+json"}, *([{"src": "pagefind/pagefind-ui.js"}, {}] * searching)]
                assert attributes in allowed, f"{path.relative_to(site)}: {attributes}"
            assert not [a for a in attributes if a.startswith("on")], f"{path.relative_to(site)}: <{tag} {attributes}>"
            for name in ("href", "src", "xlink:href"):
                link = attributes.get(name, "")
                scheme = link.split(":", 1)[0].lower() if ":" in link.split("/")[0] else ""
                assert scheme in ("", "http", "https"), f"{path.relative_to(site)}: {name}={link}"


def test_hostile_text_is_shown_as_text(site: Path) -> None:
    page = Elements((site / "id/place/evil.en.html").read_text(encoding="utf-8"))
    english = page.text
    assert "<script>alert('label')</script>" in json.dumps(json.loads(page.scripts[0]))
    assert "<script>alert('label')</script>" in english
    assert "<b onmouseover=alert(2)>bold</b> & </textarea>" in english
    assert "javascript:alert(3)" in english
    german = Elements((site / "id/place/evil.de.html").read_text(encoding="utf-8")).text
    assert '"><img src=x onerror=alert(1)>' in german
    home = Elements((site / "index.en.html").read_text(encoding="utf-8")).text
    assert "<script>alert('label')</script>" in home, "the partnerships network shows the place's label as text"
    pairs = Elements((site / "browse/partnerships/1.en.html").read_text(encoding="utf-8")).text
    assert "</text><script>alert(5)</script>" in pairs, "the partnership pages show the partnership's label as text"
