"""Projects and corpora the tests start from: the repository's own project, the minimal one, copies of
them a test may change, and corpora with a SPARQL Update applied."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
#: The minimal valid project (base IRI https://example.org/kb/) without ontology and shapes.
MINI = TESTS / "shapes" / "valid"
#: SPARQL Updates that each break the minimal project under one shape (see test_shapes.py).
INVALID = TESTS / "shapes" / "invalid"


#: The repository's announcement, named by its folder wherever a test checks its facts.
BWI = "bwi-cluster-japan-rit"
#: The reference files of the repository's project that the bw-i announcement was written with.
BWI_REFERENCE = ("organisations.ttl", "places.ttl")


def bwi_project(target: Path, all_reference: bool = False) -> Path:
    """A project folder at TARGET: the repository's project with only the bw-i announcement and its reference
    files (every reference file of the repository's data/ if ALL_REFERENCE), whatever other announcements and
    reference files the repository's data/ holds."""
    (target / "data" / "reference").mkdir(parents=True)
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, target / folder)
    for path in ROOT.iterdir():
        if path.is_file():
            shutil.copy2(path, target / path.name)
    shutil.copytree(ROOT / "data" / "announcements" / BWI, target / "data" / "announcements" / BWI)
    if all_reference:
        shutil.copytree(ROOT / "data" / "reference", target / "data" / "reference", dirs_exist_ok=True)
    for name in BWI_REFERENCE:
        shutil.copy2(ROOT / "data" / "reference" / name, target / "data" / "reference" / name)
    return target


def copy_project(source: Path, target: Path) -> Path:
    """A project folder at TARGET: SOURCE's data and settings with the repository's ontology and shapes."""
    shutil.copytree(source, target)
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def patched(corpus: Corpus, update: str) -> Corpus:
    """CORPUS with UPDATE applied to a copy of its data."""
    store = ox.Store()
    store.extend(list(corpus.data))
    store.update(update, base_iri=corpus.project.base_iri)
    return Corpus.of_quads(corpus.project, list(store), corpus.ontology, corpus.shapes)
