"""An exception rit-graph did not expect is a bug, and is reported as one.

A RitGraphError is a problem with the input, reported with its own exit status (1 to 4). Anything
else, such as the ValueError that "2015"^^xsd:gYear once raised in the site's timeline, is a bug:
the command exits 70 (EX_SOFTWARE), never 1, which scripts read as violations, and says in a few
lines what failed where, that it is a bug to report and where the traceback was kept; the terminal
gets no traceback. The server answers a request that meets one with a short 500 page that tells the
client nothing of the exception, and logs its traceback once.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette

import rit_graph
from rit_graph.cli import cli
from rit_graph.corpus.load import Corpus
from rit_graph.errors import EXIT_INPUT, EXIT_SOFTWARE, EXIT_SYSTEM
from rit_graph.output.site.diagrams import Overview
from rit_graph.serve.server import create_app
from rit_graph.validation import validate as validation

#: What the bug says: text from the data, which neither the terminal nor a page may show as markup.
PROBLEM = "Invalid isoformat string: '2015' <script>alert(1)</script>"


def broken(*args: object, **kwargs: object) -> None:
    raise ValueError(PROBLEM)


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder temporary files go to, where the traceback is kept."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_an_unexpected_exception_exits_70_naming_command_folder_and_exception(
    mini_folder: Path, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validation, "validate", broken)
    result = CliRunner().invoke(cli, ["validate", "--project", str(mini_folder)])
    assert result.exit_code == EXIT_SOFTWARE == 70, result.output
    (traceback_file,) = kept.iterdir()
    assert result.stderr == (
        f"Error: rit-graph validate on project folder {mini_folder.resolve()} failed: ValueError: {PROBLEM}\n"
        f"  this is a bug in rit-graph: please report it, with the version (rit-graph {rit_graph.__version__}) "
        f"and the traceback kept in {traceback_file}\n"
    )
    assert result.stdout == ""
    written = traceback_file.read_text(encoding="utf-8")
    assert f"rit-graph validate on project folder {mini_folder.resolve()}" in written
    assert "Traceback (most recent call last)" in written and "in broken" in written
    assert written.rstrip().endswith(f"ValueError: {PROBLEM}")


def test_a_build_that_meets_a_bug_exits_70_and_writes_nothing(
    mini_folder: Path, kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where "2015"^^xsd:gYear once crashed the build with exit 1: in the home page's timeline."""
    monkeypatch.setattr(Overview, "_start", broken)
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", "--project", str(mini_folder), "--out", str(out)])
    assert result.exit_code == EXIT_SOFTWARE, result.output
    assert f"Error: rit-graph build on project folder {mini_folder.resolve()} failed: ValueError" in result.stderr
    assert "this is a bug in rit-graph: please report it" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    assert len(list(kept.iterdir())) == 1


def test_a_bad_option_is_no_bug(mini_folder: Path, kept: Path) -> None:
    """click's own errors keep their status and words."""
    result = CliRunner().invoke(cli, ["validate", "--project", str(mini_folder), "--format", "yaml"])
    assert result.exit_code == EXIT_INPUT
    assert "Invalid value for '--format'" in result.stderr and "bug" not in result.output
    assert not list(kept.iterdir())


@pytest.mark.parametrize(("options", "status"), [((), 0), (("--format", "yaml"), EXIT_INPUT)])
def test_the_command_itself_exits_with_its_commands_status(
    mini_folder: Path, options: tuple[str, ...], status: int
) -> None:
    """``python -m rit_graph`` runs ``cli.main``, as the ``rit-graph`` script does, which freezes the heap
    on the way out: the status still comes through."""
    done = subprocess.run(
        [sys.executable, "-m", "rit_graph", "validate", "--project", str(mini_folder), *options],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == status, done.stderr


def test_the_exit_statuses_are_listed_in_the_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "70 a bug in rit-graph" in " ".join(result.output.split())


# The server ----------------------------------------------------------------------------------------


class Records(logging.Handler):
    """The log records a logger passes on."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def app(mini_corpus: Corpus) -> Starlette:
    """The app serving the minimal project's site (no lifespan: the pages need no query workers)."""
    return create_app(ox.Store(), corpus=mini_corpus)


def get(app: Starlette, path: str) -> httpx.Response:
    """A browser's GET of PATH, answered by APP in process; what leaves the app is raised here."""

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://site") as client:
            return await client.get(path, headers={"Accept": "text/html"})

    return asyncio.run(fetch())


@pytest.fixture
def server_log() -> Iterator[Records]:
    """What the server's error log (uvicorn's) receives meanwhile."""
    records = Records()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(records)
    try:
        yield records
    finally:
        logger.removeHandler(records)


def test_a_page_that_meets_a_bug_is_a_short_500_page_and_its_traceback_is_logged_once(
    app: Starlette, server_log: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Overview, "_start", broken)
    # The exception ends in the app (get would raise it), so the server does not log it a second time.
    response = get(app, "/")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<h1>Internal Server Error</h1>" in response.text
    for hidden in ("ValueError", "isoformat", "<script>", "alert", "Traceback"):
        assert hidden not in response.text
    (record,) = server_log.records
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert record.exc_info[0] is ValueError and str(record.exc_info[1]) == PROBLEM
    assert "Traceback (most recent call last)" in logging.Formatter().format(record)

    monkeypatch.undo()
    assert get(app, "/").status_code == 200


def test_a_full_disk_is_no_bug_and_leaves_the_previous_outputs(
    mini_folder: Path, kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system refusing a write (ENOSPC here; EACCES, EROFS and EDQUOT alike) exits 4 with what to do."""
    out = tmp_path / "dist"
    assert CliRunner().invoke(cli, ["build", "--project", str(mini_folder), "--out", str(out)]).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def full(path: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(Path, "write_bytes", full)
    monkeypatch.setattr(Path, "write_text", full)
    result = CliRunner().invoke(cli, ["build", "--project", str(mini_folder), "--out", str(out), "--no-cache"])
    assert result.exit_code == EXIT_SYSTEM == 4, result.output
    assert "No space left on device" in result.stderr
    assert "how to fix: free space on that disk" in result.stderr
    assert "this is a bug" not in result.output and not list(kept.iterdir())
    monkeypatch.undo()
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
