"""Hostile text in the data is shown as text on every page of the site and never becomes markup or a link."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.output.site import write_site

HOSTILE = """
@prefix rit:   <ontology#> .
@prefix place: <id/place/> .
@prefix orgn:  <id/organisation/> .
@prefix part:  <id/partnership/> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix foaf:  <http://xmlns.com/foaf/0.1/> .

place:evil a rit:City ;
    rdfs:label "<script>alert('label')</script>"@en , "\\"><img src=x onerror=alert(1)>"@de ;
    rit:description "<b onmouseover=alert(2)>bold</b> & </textarea>"@en ;
    foaf:homepage <javascript:alert(3)> ;
    rdfs:seeAlso <data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==> .

part:evil a rit:Partnership ;
    rdfs:label "</text><script>alert(5)</script>"@en ;
    rit:partnerOrganisation orgn:photonics-bw ;
    rit:partnerPlace place:evil .
"""

#: Elements that only injected text could bring into the pages (scripts are checked on their own).
INJECTED = {"img", "b", "textarea"}


class Elements(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text = ""
        self.scripts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "script":
            self.scripts.append("")

    def handle_data(self, data: str) -> None:
        if self.tags and self.tags[-1][0] == "script":
            self.scripts[-1] += data
        else:
            self.text += data


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
        for script in elements.scripts:
            json.loads(script)  # a JSON-LD block that hostile text had ended early would not parse
        for tag, attributes in elements.tags:
            assert tag not in INJECTED, f"{path.relative_to(site)}: <{tag}> injected"
            if tag == "script":
                assert attributes == {"type": "application/ld+json"}, f"{path.relative_to(site)}: {attributes}"
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
    assert "</text><script>alert(5)</script>" in home, "the partnership diagram shows the label as SVG text"
