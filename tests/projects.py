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
