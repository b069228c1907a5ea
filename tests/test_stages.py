"""The stages hand their results on: each is computed once per run, and the packages say what they may import."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import rit_graph
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.run import Run
from rit_graph.output.build import build
from rit_graph.schemaorg import projection

PACKAGE = Path(rit_graph.__file__).parent


def test_a_build_with_its_site_projects_each_unit_to_schema_org_once(
    mini_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check, the schema.org dump and the site's markup blocks share one projection."""
    projected: list[int] = []
    unit_projection = projection._project

    def counted(job: tuple[list[ox.Triple], list[ox.Triple], str, str]) -> list[ox.Triple]:
        projected.append(1)
        return unit_projection(job)

    monkeypatch.setattr(projection, "_project", counted)
    build(Run(mini_corpus, workers=1), tmp_path / "dist", with_site=True)
    assert len(projected) == len(mini_corpus.units)


def subpackages() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE)]) if m.ispkg)


@pytest.mark.parametrize("name", subpackages())
def test_each_package_says_what_it_owns_and_may_import(name: str) -> None:
    doc = importlib.import_module(f"rit_graph.{name}").__doc__ or ""
    assert "May import" in doc, f"rit_graph/{name}/__init__.py: say what the package may import"


def test_no_module_imports_a_private_name_of_another() -> None:
    """A name another module needs is public; a private one (``_x``) stays in its module."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rit_graph"):
                found += [
                    f"{path.relative_to(PACKAGE)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")  # __version__ is public
                ]
    assert found == []


def test_the_public_api_is_importable_from_the_package() -> None:
    assert rit_graph.__version__
    for name in rit_graph.__all__:
        assert getattr(rit_graph, name) is not None, name
