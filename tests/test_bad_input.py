"""Bad input: a clear message naming the file (and line and column), exit 2, and nothing lost.

Each case damages a fresh copy of the minimal project with a small file from
tests/bad_input/ and runs both commands that read the project.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import tree

from rit_graph.cli import cli

BAD = Path(__file__).parent / "bad_input"


def add_reference(name: str) -> Callable[[Path], Path]:
    def damage(project: Path) -> Path:
        return Path(shutil.copy(BAD / name, project / "data" / "reference" / name))

    return damage


def settings(name: str) -> Callable[[Path], Path]:
    def damage(project: Path) -> Path:
        return Path(shutil.copy(BAD / name, project / "rit-graph.toml"))

    return damage


def remove_source_text(project: Path) -> Path:
    source = project / "data" / "announcements" / "mini" / "source.txt"
    source.unlink()
    return source


def replace_source_text(name: str) -> Callable[[Path], Path]:
    def damage(project: Path) -> Path:
        return Path(shutil.copy(BAD / name, project / "data" / "announcements" / "mini" / "source.txt"))

    return damage


def remove_announcement_rdf(project: Path) -> Path:
    folder = project / "data" / "announcements" / "mini"
    (folder / "announcement.ttl").unlink()
    return folder


def rename_announcement_folder(project: Path) -> Path:
    """The folder name is the announcement's name; the RDF still describes id/announcement/mini."""
    folder = project / "data" / "announcements" / "mini"
    return folder.rename(folder.with_name("other"))


def not_a_project(project: Path) -> Path:
    shutil.rmtree(project / "shapes")
    return project


#: case -> (damage returning the file the message must name, expected words after the file name)
CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "malformed Turtle": (add_reference("malformed.ttl"), ":5:1: turtle syntax error: A dot is expected"),
    "broken UTF-8": (add_reference("broken-encoding.ttl"), ":3:32: not valid UTF-8: byte 0xfc"),
    # The column counts characters: "ü" and "–" before the bad byte take 2 and 3 bytes.
    "mixed encodings": (add_reference("mixed-encoding.ttl"), ":3:59: not valid UTF-8: byte 0xe8"),
    "remote JSON-LD context": (add_reference("remote-context.jsonld"), ": jsonld syntax error"),
    "missing source text": (remove_source_text, ": missing source text"),
    "source text in Latin-1": (replace_source_text("source-latin1.txt"), ":3:89: not valid UTF-8: byte 0xfc"),
    "announcement folder without RDF": (remove_announcement_rdf, ": announcement folder without RDF"),
    "announcement folder named otherwise": (rename_announcement_folder, ": no announcement described"),
    "unknown setting": (settings("unknown-setting.toml"), ": unknown setting [project] base_irl"),
    "base IRI without slash": (settings("no-slash.toml"), ": base_iri must end with '/'"),
    "not a project": (not_a_project, ": not a rit-graph project: missing folder(s) shapes/"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_names_the_place_and_exits_2(mini_folder: Path, case: str) -> None:
    damage, words = CASES[case]
    named = damage(mini_folder)
    result = CliRunner().invoke(cli, ["validate", "--project", str(mini_folder)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {named.resolve()}{words}")
    assert "how to fix:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_writes_nothing_and_keeps_the_previous_output(mini_folder: Path, tmp_path: Path, case: str) -> None:
    out = tmp_path / "site" / "dist"
    out.mkdir(parents=True)
    (out / "rit-graph.ttl").write_text("# the previous build\n")
    before = tree(out)
    damage, _ = CASES[case]
    damage(mini_folder)
    result = CliRunner().invoke(cli, ["build", "--project", str(mini_folder), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert tree(out) == before
    assert [p.name for p in out.parent.iterdir()] == ["dist"]


def test_the_bad_input_files_are_as_described() -> None:
    """The encoding fixtures really hold a Latin-1 byte; the others are valid UTF-8."""
    latin1 = {"broken-encoding.ttl", "mixed-encoding.ttl", "source-latin1.txt"}
    for path in BAD.iterdir():
        if path.name in latin1:
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")
        else:
            path.read_text(encoding="utf-8")
