"""The ``rit-graph`` command line: parse options, call the library, report errors.

Each command is thin: it opens the project, calls one library function and
turns a RitGraphError into a message on stderr and its exit code.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import EXIT_VIOLATIONS, RitGraphError
from .load import Corpus, load
from .project import Project

F = TypeVar("F", bound=Callable[..., Any])


def project_option(command: F) -> F:
    """--project DIR, opened and loaded, passed to the command as ``corpus``."""

    @click.option(
        "--project",
        "project_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="Project folder holding ontology/, data/ and shapes/.",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, project_dir: Path, **kwargs: Any) -> Any:
        return command(*args, corpus=load(Project.open(project_dir)), **kwargs)

    return wrapper  # type: ignore[return-value]


class ReportingGroup(click.Group):
    """Turns RitGraphError into a message and the error's exit code, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RitGraphError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)


@click.group(cls=ReportingGroup)
@click.version_option(package_name="rit-graph")
def cli() -> None:
    """Turn announcements of regional industry cooperation into a validated,
    published knowledge graph.

    Run in a project folder (ontology/, data/, shapes/) or pass --project DIR.

    Example: rit-graph build --out dist/
    """


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="text for people, json for programs, turtle for the SHACL validation report itself.",
)
@project_option
def validate(corpus: Corpus, fmt: str) -> None:
    """Check the data against the SHACL shapes; report problems by resource.

    Exit status: 0 conforming, 1 violations, 2 unreadable input.

    Example: rit-graph validate --format json
    """
    from .validate import validate as run

    report = run(corpus)
    output = {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}[fmt]()
    click.echo(output, nl=False)
    if not report.conforms:
        sys.exit(EXIT_VIOLATIONS)


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default="dist",
    show_default=True,
    help="Output folder; replaced as a whole only when the build succeeds.",
)
@project_option
def build(corpus: Corpus, out: Path) -> None:
    """Validate, then write the dumps (Turtle, N-Triples, TriG, JSON-LD) into OUT.

    Nothing is written unless the data conforms; the previous OUT stays intact.

    Example: rit-graph build --out dist/
    """
    from .build import build as run

    result = run(corpus, out)
    for path in result.files:
        click.echo(f"wrote {path} ({path.stat().st_size} bytes)")


@cli.command()
@project_option
def stats(corpus: Corpus) -> None:
    """Count resources by class, triples by announcement and literals by language.

    Example: rit-graph stats --project path/to/project
    """
    from .stats import stats as run

    click.echo(run(corpus).to_text(corpus.project.base_iri), nl=False)
