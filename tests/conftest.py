"""Shared fixtures: the repository's own project, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from rit_graph.load import Corpus, load
from rit_graph.project import Project

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.open(ROOT)


@pytest.fixture(scope="session")
def corpus(project: Project) -> Corpus:
    return load(project)
