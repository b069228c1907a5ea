"""Shared fixtures: the repository's own project and a minimal one, each loaded once per session,
and a real Oxigraph server on loopback."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browsers import ARGS, CHROMIUM
from hypothesis import settings
from oxigraph_server import OxigraphServer, oxigraph_server
from projects import MINI, ROOT, bwi_project, copy_project

from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import JOBS_VARIABLE, Run
from rit_graph.runtime.cache import CACHE_DIR_VARIABLE

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: Every cache the tests make, in process or in the servers and builds they start, goes here and
#: never into the checkout, where a test could pass against output cached from older code.
_CACHES = tempfile.TemporaryDirectory(prefix="rit-graph-test-caches-")
os.environ[CACHE_DIR_VARIABLE] = _CACHES.name

#: pytest-xdist keeps every core busy with tests already: a build's own worker processes would only add the
#: cost of forking. Tests of the work spread over processes ask for workers themselves; validation forks
#: whatever the number.
os.environ[JOBS_VARIABLE] = "1"

# Property-based tests try the same examples on every run and keep no example database: a red run,
# in CI or anywhere, fails again when repeated, and the checkout stays clean. HYPOTHESIS_PROFILE=explore
# tries many new examples instead (pin what it finds with @example).
settings.register_profile("repeatable", derandomize=True, database=None, deadline=None, max_examples=40)
settings.register_profile("explore", database=None, deadline=None, max_examples=500, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, each module's in its order: started last, they would run on while the
    other pytest-xdist workers have nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.open(ROOT)


@pytest.fixture(scope="session")
def corpus(project: Project) -> Corpus:
    return load(project)


@pytest.fixture(scope="session")
def bwi_only(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The repository's project with only the bw-i announcement and its reference files: for the tests of the
    whole of its data (counts, every quote, a query's every row) whatever else the repository's data/ holds."""
    return Project.open(bwi_project(tmp_path_factory.mktemp("bwi") / "project"))


@pytest.fixture(scope="session")
def bwi_corpus(bwi_only: Project) -> Corpus:
    return load(bwi_only)


@pytest.fixture(scope="session")
def mini_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project.open(copy_project(MINI, tmp_path_factory.mktemp("mini") / "project"))


@pytest.fixture(scope="session")
def mini_corpus(mini_project: Project) -> Corpus:
    return load(mini_project)


@pytest.fixture
def mini_folder(tmp_path: Path) -> Path:
    """A fresh copy of the minimal project that a test may change."""
    return copy_project(MINI, tmp_path / "project")


@pytest.fixture(scope="session")
def built(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's project built once: dumps, catalog and site."""
    from rit_graph.output.build import build

    out = tmp_path_factory.mktemp("built") / "dist"
    build(Run(corpus), out)
    return out


@pytest.fixture(scope="session")
def cross_join_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 triples as N-Triples: enough that a three-way cross join runs far past a time limit of seconds."""
    path = tmp_path_factory.mktemp("data") / "generated.nt"
    path.write_text(
        "".join(f'<http://example.org/s{i}> <http://example.org/p> "value {i}" .\n' for i in range(3_000)),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph server (SPARQL query and Graph Store Protocol endpoints) on a free loopback port."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, for the tests of one module (tests/browsers.py)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()
