"""A build after a change redoes only what the change touches, and writes what a build from scratch writes.

The build caches each unit's parsed triples, validation results, schema.org
projection, check results and dump pieces under keys of what they depend on;
these tests hold it to byte-identical output and to the work it skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import MINI, ROOT, copy_project

from benchmarks.synthetic import make_project
from rit_graph.cli import cli
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.output.build import build
from rit_graph.runtime.cache import CACHE_DIR_VARIABLE, CACHE_FOLDER, Cache, cache_folder


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build_with_cache(project: Path, out: Path) -> Counter[str]:
    """Build PROJECT into OUT as ``rit-graph build --no-site`` does; what the cache was asked, by kind."""
    cache = Cache(project / CACHE_FOLDER)
    build(Run(load(Project.open(project), cache), cache), out, with_site=False)
    return cache.counts


def retitle(project: Path, name: str, title: str) -> None:
    path = project / "data" / "announcements" / name / "announcement.nt"
    text = path.read_text(encoding="utf-8")
    changed = text.replace('for the first time"@en', f'for the first time ({title})"@en', 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Five synthetic announcements: enough for several validation groups and shared resources."""
    return make_project(tmp_path / "project", 5).root


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding five synthetic announcements in project/, with its cache, built into dist/."""
    folder = tmp_path_factory.mktemp("built-once")
    build_with_cache(make_project(folder / "project", 5).root, folder / "dist")
    return folder


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A copy of ``built_once`` to change: as if the project had just been built here (the cache's keys
    do not depend on where the project is)."""
    return Path(shutil.copytree(built_once, tmp_path, dirs_exist_ok=True))


def replace_in(project: Path, path: str, old: str, new: str) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def replace_in_reference(project: Path, old: str, new: str) -> None:
    """OLD replaced in data/reference/places.ttl and in every other reference file that says it again."""
    replace_in(project, "data/reference/places.ttl", old, new)
    for file in sorted((project / "data" / "reference").iterdir()):
        text = file.read_text(encoding="utf-8")
        if file.name != "places.ttl" and old in text:
            file.write_text(text.replace(old, new), encoding="utf-8")


def remove_announcement(project: Path, name: str) -> None:
    shutil.rmtree(project / "data" / "announcements" / name)
    (project / "data" / "reference" / f"{name}.nt").unlink()


EDITS: dict[str, Callable[[Path], None]] = {
    "an announcement's title": lambda project: retitle(project, "synthetic-00003", "updated"),
    "a cluster in one announcement's reference file": lambda project: replace_in(
        project, "data/reference/synthetic-00002.nt", '"automotive-bw"@en', '"automotive-bw cluster"@en'
    ),
    "a state every announcement reaches": lambda project: replace_in_reference(
        project, '"Baden-Württemberg"@en', '"Baden-Wurttemberg"@en'
    ),
    "an announcement removed with its reference file": lambda project: remove_announcement(project, "synthetic-00001"),
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_a_build_after_a_change_writes_what_a_build_from_scratch_writes(built: Path, edit: str) -> None:
    project = built / "project"
    EDITS[edit](project)
    build_with_cache(project, built / "dist")
    result = CliRunner().invoke(
        cli, ["build", "--no-site", "--no-cache", "--project", str(project), "--out", str(built / "cold")]
    )
    assert result.exit_code == 0, result.output
    warm, cold = files(built / "dist"), files(built / "cold")
    assert sorted(warm) == sorted(cold)
    assert [name for name in warm if warm[name] != cold[name]] == []


def test_a_changed_announcement_is_parsed_validated_projected_and_checked_again_alone(
    project: Path, tmp_path: Path
) -> None:
    first = build_with_cache(project, tmp_path / "dist")
    assert first["units misses"] == 5 + len(list((project / "data" / "reference").iterdir()))
    retitle(project, "synthetic-00003", "updated")
    again = build_with_cache(project, tmp_path / "dist")
    assert again["units misses"] == 1
    assert again["validation misses"] == 1  # its group's partition; the shared resources are unchanged
    assert again["schemaorg-projection misses"] == 1
    assert again["schemaorg misses"] == 1  # its group's chunk
    assert again["validation hits"] == first["validation misses"] - 1


def test_a_build_without_changes_renders_nothing(built: Path) -> None:
    before = files(built / "dist")
    again = build_with_cache(built / "project", built / "dist")
    assert [kind for kind, n in again.items() if kind.endswith("misses") and n] == []
    assert files(built / "dist") == before


def test_the_cache_knows_rit_graphs_own_code(tmp_path: Path) -> None:
    """A renderer edited in a copy of the package gives its own output with the cache on, not the old one's."""
    project = copy_project(MINI, tmp_path / "project")
    code = tmp_path / "code"
    shutil.copytree(ROOT / "src" / "rit_graph", code / "rit_graph", ignore=shutil.ignore_patterns("__pycache__"))
    pieces = code / "rit_graph" / "output" / "pieces.py"
    original = 'return b"\\n".join(lines[start:])'
    assert pieces.read_text(encoding="utf-8").count(original) == 1
    pieces.write_text(
        pieces.read_text(encoding="utf-8").replace(
            original, 'return b"# edited renderer\\n" + b"\\n".join(lines[start:])'
        ),
        encoding="utf-8",
    )

    def build_with(python_path: Path, out: Path) -> str:
        run = [
            sys.executable,
            "-c",
            "from rit_graph.cli import cli; cli()",
            "build",
            "--project",
            str(project),
            "--out",
            str(out),
            "--no-site",
        ]
        done = subprocess.run(
            run,
            env={**os.environ, "PYTHONPATH": str(python_path)},
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        return (out / "rit-graph.nt").read_text(encoding="utf-8")

    assert "# edited renderer" not in build_with(ROOT / "src", tmp_path / "before")
    assert "# edited renderer" in build_with(code, tmp_path / "after")
    assert cache_folder(project).is_dir(), "both builds used the cache"


def test_the_caches_go_where_rit_graph_cache_dir_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """One folder per project under it (each run prunes what its own project no longer has); else in the project."""
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path / "caches"))
    first, second = cache_folder(tmp_path / "a"), cache_folder(tmp_path / "b")
    assert first.parent == second.parent == tmp_path / "caches"
    assert first != second
    monkeypatch.delenv(CACHE_DIR_VARIABLE)
    assert cache_folder(tmp_path / "a") == tmp_path / "a" / CACHE_FOLDER
