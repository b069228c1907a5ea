"""Errors that the command line turns into a message and an exit code."""

from __future__ import annotations

from pathlib import Path

#: Exit codes, one per kind of outcome, shared by every command.
EXIT_VIOLATIONS = 1
EXIT_INPUT = 2
EXIT_STORE = 3
#: The system stopped the work: a worker process was killed (by the kernel when memory ran out, say), or
#: a write was refused (a full disk, a missing permission).
EXIT_SYSTEM = 4
#: Any other exception: a bug in rit-graph, not in the input (sysexits.h EX_SOFTWARE), so that a script
#: never takes it for violations (1) or bad input (2).
EXIT_SOFTWARE = 70


class RitGraphError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = EXIT_INPUT


class InputError(RitGraphError):
    """A project file is missing, unreadable or malformed.

    The message names the file and, where known, the line and column, and
    says how to fix it.
    """

    def __init__(
        self,
        path: Path | str,
        problem: str,
        fix: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        self.line = line
        self.column = column
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        message = f"{where}: {problem}"
        if fix:
            message += f"\n  how to fix: {fix}"
        super().__init__(message)


def line_column(text: str, at: int) -> tuple[int, int]:
    """Line and column (from 1, in characters) of position AT in TEXT, as an InputError names them."""
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


class ValidationFailed(RitGraphError):
    """The data does not conform to the shapes; raised where conformance is required (build)."""

    exit_code = EXIT_VIOLATIONS


class StoreError(RitGraphError):
    """A SPARQL store cannot be reached, refuses a request, or holds other data than was sent.

    The message names the store (without credentials), the graph or request,
    the HTTP status where there is one, and what to do.
    """

    exit_code = EXIT_STORE


class WorkerKilled(RitGraphError):
    """A worker process ended without its answer: killed by a signal, most often by the kernel
    when memory ran out. The message says what it was doing."""

    exit_code = EXIT_SYSTEM
