"""Hostile data: labels, descriptions and links with markup and scripts, a project holding them, and the
parts of a page (elements, text, scripts) to check that they stayed text."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

from projects import ROOT

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
    """A page read as a browser would: its start tags with their attributes, its text, its scripts."""

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


#: A script that hostile data would run if a page let it: it marks the window and opens a dialog.
PWNED = """
@prefix place: <id/place/> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
place:evil rdfs:label "<script>window.__pwned = 'label'; alert(6)</script>"@ja ;
    rdfs:comment "<img src=x onerror=\\"window.__pwned = 'img'\\">"@en .
place:北九州 rdfs:label "北九州"@ja .
"""


def hostile_project(folder: Path) -> Path:
    """A copy of the repository's project with markup and scripts in labels, descriptions and links."""
    root = folder / "project"
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / name, root / name)
    (root / "data/reference/hostile.ttl").write_text(HOSTILE + PWNED, encoding="utf-8")
    return root
