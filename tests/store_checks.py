"""Queries and checks shared by the tests of stores: asking a live server, reading which store on disk is
in use, and changing the minimal project so that a store must be loaded again."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import httpx
import pyoxigraph as ox
from live_server import LiveServer

from rit_graph.stores import CURRENT, MANIFEST

BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
MINI_LABEL = (
    "SELECT ?label { <id/announcement/mini> <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
)
ANNOUNCEMENT = Path("data") / "announcements" / "mini" / "announcement.ttl"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def query(server: LiveServer, text: str, **headers: str) -> httpx.Response:
    return httpx.get(server.url, params={"query": text}, headers=headers or JSON_RESULTS, timeout=120)


def current(store: Path) -> tuple[str, float, dict[str, object]]:
    """Which store folder is in use, when its manifest was written, and what it says."""
    manifest = store / CURRENT / MANIFEST
    return os.readlink(store / CURRENT), manifest.stat().st_mtime, json.loads(manifest.read_text(encoding="utf-8"))


def relabel(project: Path) -> None:
    """Rename the minimal project's announcement (in a copy of it, such as mini_folder)."""
    path = project / ANNOUNCEMENT
    text = path.read_text(encoding="utf-8")
    assert '"A small test announcement"@en' in text
    path.write_text(
        text.replace('"A small test announcement"@en', '"A renamed test announcement"@en'), encoding="utf-8"
    )


def csv_of(server: LiveServer, text: str) -> list[list[str]]:
    response = query(server, text, Accept="text/csv")
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.text)))


def comparable(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """TERM as two stores holding the same data both answer it: any blank node alike, and the parts
    of a GROUP_CONCAT sorted (SPARQL defines no order, and stores differ in it)."""
    if isinstance(term, ox.BlankNode):
        return "_:b"
    if isinstance(term, ox.Literal) and ", " in term.value:
        return str(ox.Literal(", ".join(sorted(term.value.split(", "))), language=term.language))
    return str(term)
