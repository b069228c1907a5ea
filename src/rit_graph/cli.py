"""The ``rit-graph`` command line: parse options, call the library, report errors.

Each command is thin: it opens the project, calls one library function and
turns a RitGraphError into a message on stderr and its exit code.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from rit_graph import __version__
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import JOBS_VARIABLE, Run, default_workers
from rit_graph.errors import EXIT_SOFTWARE, EXIT_SYSTEM, EXIT_VIOLATIONS, RitGraphError
from rit_graph.query.sparql import FORMAT_NAMES, Limits
from rit_graph.rdf.namespaces import DEFAULT_BASE_IRI
from rit_graph.runtime.cache import Cache, cache_folder
from rit_graph.runtime.progress import Progress

if TYPE_CHECKING:
    from rit_graph.output.site import Pagefind

F = TypeVar("F", bound=Callable[..., Any])


#: --project DIR, as a path: for the commands that do not read the project (``new``).
project_dir_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Project folder holding ontology/, data/ and shapes/.",
)


def project_option(command: F) -> F:
    """--project DIR, opened and read, passed to the command as ``run`` (the corpus, its cache, progress).

    Files unchanged since an earlier run are not parsed again: their triples
    come from the project's .rit-graph-cache/ (with --no-cache, where a
    command has it, everything is parsed and nothing is kept).
    """

    @project_dir_option
    @click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help=f"Worker processes for validation, the schema.org projection and dumps [default: ${JOBS_VARIABLE}, "
        f"else one per CPU]. Validation runs in a worker process (without network) even with 1.",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, project_dir: Path, jobs: int | None, **kwargs: Any) -> Any:
        return command(*args, run=open_project(project_dir, kwargs.pop("use_cache", True), jobs), **kwargs)

    return wrapper  # type: ignore[return-value]


def pagefind_first(command: F) -> F:
    """With ``--site``, Pagefind started before ``project_option`` reads the project, passed to the command as
    ``pagefind``: it loads its Japanese dictionary (about a CPU-second) on the core the reading leaves idle,
    rather than while the site's pages are rendered on every core. Goes above ``project_option``."""

    @functools.wraps(command)
    def wrapper(*args: Any, site: bool, **kwargs: Any) -> Any:
        from rit_graph.output.site import pagefind_started

        with pagefind_started() if site else contextlib.nullcontext() as pagefind:
            return command(*args, site=site, pagefind=pagefind, **kwargs)

    return wrapper  # type: ignore[return-value]


def open_project(folder: Path, use_cache: bool = True, jobs: int | None = None) -> Run:
    """The project in FOLDER, read, with its cache (which keeps nothing if not USE_CACHE), progress
    shown on a terminal and JOBS worker processes (by default ``default_workers``)."""
    project = Project.open(folder)
    cache = Cache(cache_folder(project.root) if use_cache else None)
    progress = Progress.on_terminal()
    return Run(load(project, cache, progress), cache, progress, jobs or default_workers())


def store_option(command: F) -> F:
    """--store memory|DIR|URL, passed to the command as ``store``."""
    return click.option(
        "--store",
        default="memory",
        show_default=True,
        metavar="memory|DIR|URL",
        help="Where queries run: memory (loaded at each start), DIR (a store on disk, reloaded only "
        "when the data changed) or the URL of a SPARQL 1.1 query endpoint holding the project "
        "(see publish; credentials from RIT_GRAPH_STORE_*).",
    )(command)


def cache_option(command: F) -> F:
    """--cache/--no-cache; ``project_option`` gives the command's run a cache in PROJECT/.rit-graph-cache/ or none."""
    return click.option(
        "--cache/--no-cache",
        "use_cache",
        default=True,
        show_default=True,
        help="Reuse what unchanged files gave before: parsed triples, validation results, dump pieces "
        "(kept in PROJECT/.rit-graph-cache/).",
    )(command)


def timeout_option(default: float, bounds: str) -> Callable[[F], F]:
    """--timeout SECONDS, a positive number; what it BOUNDS differs by command."""
    return click.option(
        "--timeout", type=click.FloatRange(min=0, min_open=True), default=default, show_default=True, help=bounds
    )


#: Where a command leaves its context (``ctx.meta`` is shared with the group's) for a report of a bug.
_INVOKED = "rit_graph.invoked"


class _Command(click.Command):
    """A command of ReportingGroup: it leaves its context where the group finds it when the command fails."""

    def invoke(self, ctx: click.Context) -> Any:
        ctx.meta[_INVOKED] = ctx
        return super().invoke(ctx)


class ReportingGroup(click.Group):
    """Turns RitGraphError into a message and the error's exit code, without a traceback.

    Any other exception is a bug in rit-graph, not a fault of the input: it exits 70 (EX_SOFTWARE), never 1
    or 2, which scripts read as violations or bad input, with a short message naming the command, the
    project folder and the exception, and keeps the traceback in a file for the bug report.
    """

    command_class = _Command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RitGraphError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: a bad option, --help, an interrupted prompt
        except Exception as e:
            if isinstance(e, OSError) and e.errno == errno.EPIPE:
                raise  # the reader of the output went away (| head): click ends quietly
            if isinstance(e, OSError) and e.errno in _SYSTEM_REFUSED:
                click.echo(f"Error: {e}\n  how to fix: {_SYSTEM_REFUSED[e.errno]}", err=True)
                sys.exit(EXIT_SYSTEM)
            click.echo(_bug_report(ctx, e), err=True)
            sys.exit(EXIT_SOFTWARE)


#: What the system refuses that is no bug, by errno, with what to do; outputs are written atomically, so the
#: previous ones are left as they were.
_SYSTEM_REFUSED = {
    errno.ENOSPC: "free space on that disk (or build elsewhere with --out) and run the command again",
    errno.EDQUOT: "free space within your quota (or build elsewhere with --out) and run the command again",
    errno.EACCES: "give yourself the permission to write there, or choose another folder",
    errno.EPERM: "give yourself the permission to write there, or choose another folder",
    errno.EROFS: "the file system is read-only: choose another folder",
}


def _bug_report(ctx: click.Context, error: Exception) -> str:
    """What to tell of ERROR, which a command of CTX's group did not expect: the command, the project folder,
    the exception in a line, and where its traceback was kept."""
    command: click.Context | None = ctx.meta.get(_INVOKED)
    name = command.info_name if command is not None else ctx.invoked_subcommand
    folder = command.params.get("project_dir") if command is not None else None
    where = f" on project folder {Path(folder).resolve()}" if folder is not None else ""
    kept = _keep_traceback(error, f"rit-graph {name}{where}")
    text = (str(error).strip().splitlines() or [""])[0][:300]
    return (
        f"Error: rit-graph {name}{where} failed: {type(error).__name__}{': ' + text if text else ''}\n"
        f"  this is a bug in rit-graph: please report it, with the version (rit-graph {__version__})"
        + (f" and the traceback kept in {kept}" if kept else " (no file could keep the traceback)")
    )


def _keep_traceback(error: Exception, what: str) -> Path | None:
    """ERROR's traceback in a new temporary file, for a bug report; None if no file can be written.

    Not on the terminal, where it would bury the message; a file the user can attach.
    """
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", prefix="rit-graph-bug-", suffix=".txt", delete=False
        ) as file:
            file.write(f"{what}\nrit-graph {__version__}, Python {sys.version.split()[0]}\n\n")
            file.write("".join(traceback.format_exception(error)))
    except OSError:
        return None
    return Path(file.name)


def main() -> None:
    """The ``rit-graph`` command, which leaves its heap to the operating system when it exits.

    A build ends holding a million objects (the corpus, the site's graph), many in reference cycles; the
    interpreter's exit collected and freed them one by one, 1.5 s at 100k triples. Frozen, they are left
    as they are. Every file the commands write is closed where it is written, never left to a finalizer.
    """
    try:
        cli(prog_name="rit-graph")
    finally:
        gc.freeze()


@click.group(cls=ReportingGroup)
@click.version_option(package_name="rit-graph")
def cli() -> None:
    """Turn announcements of regional industry cooperation into a validated,
    published knowledge graph.

    Run in a project folder (ontology/, data/, shapes/) or pass --project DIR.

    Exit status of every command: 0 success, 1 the data violates the shapes,
    2 unreadable input or a bad option (file, line and column named),
    3 a SPARQL store failed, 4 the system stopped the work (a worker killed when memory ran out, a full
    disk, a refused permission),
    70 a bug in rit-graph (the message says where its traceback was kept: please report it).

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
@cache_option
def validate(run: Run, fmt: str) -> None:
    """Check the data against the SHACL shapes; report problems by resource.

    Exit status: 0 conforming, 1 violations, 2 unreadable input.

    Example: rit-graph validate --format json
    """
    from rit_graph.validation.validate import validate

    report = validate(run)
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
@click.option(
    "--site/--no-site",
    default=True,
    show_default=True,
    help="Write the static site into OUT/site (the server renders the same pages on request).",
)
@pagefind_first
@project_option
@cache_option
def build(run: Run, out: Path, site: bool, pagefind: Pagefind | None) -> None:
    """Validate, then write the dumps (Turtle, N-Triples, TriG, JSON-LD, schema.org),
    their gzip versions, catalog.ttl (DCAT-AP.de) and the static site (OUT/site) into OUT.

    Nothing is written unless the data conforms; the previous OUT stays intact.
    OUT is replaced in one step, so a build killed at any moment leaves it as it
    was or complete; the next build removes what a killed one left beside it.

    Exit status: 0 built, 1 violations (nothing written), 2 unreadable input.

    Example: rit-graph build --out dist/
    """
    from rit_graph.output.build import build
    from rit_graph.output.site.hosts import outgrown

    result = build(run, out, with_site=site, pagefind=pagefind)
    for path in result.files:
        if not path.is_dir():
            click.echo(f"wrote {path} ({path.stat().st_size} bytes)")
            continue
        files, size = _folder_size(path)
        click.echo(f"wrote {path} ({files} files, {size} bytes)")
        hosts = outgrown(files, size)
        if hosts:
            click.echo(
                f"\nnote: the static site is larger than {', '.join(h.limits() for h in hosts)} publish. "
                "Publish it with rit-graph serve, which renders each page when asked, and build the dumps "
                'with --no-site (README, "Static site or server").',
                err=True,
            )
    report = result.schemaorg_report
    if report.count("warning"):
        click.echo("\nschema.org markup: recommended properties the data does not give\n", err=True)
        # One line per kind of gap, naming the first resources that have it.
        click.echo(report.summary(), err=True, nl=False)


def _folder_size(folder: Path) -> tuple[int, int]:
    """How many files FOLDER holds, and their bytes: what a web host is sent.

    Walked with ``os.scandir``, which tells files from folders without a call per entry: a site has tens of
    thousands of files, and ``Path.rglob`` with a ``stat`` of each took half a second at 100k triples, on one
    core after everything else.
    """
    files = size = 0
    folders = [os.fspath(folder)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.is_file():
                    files += 1
                    size += entry.stat().st_size
    return files, size


@cli.command()
@project_option
def stats(run: Run) -> None:
    """Count resources by class, triples by announcement and literals by language.

    Example: rit-graph stats --project path/to/project
    """
    from rit_graph.corpus.stats import stats

    click.echo(stats(run.corpus).to_text(run.corpus.project.base_iri), nl=False)


@cli.command()
@click.argument("iri", required=False)
@click.option("--announcement", metavar="NAME", help="The announcement whose page to mark up (its folder name).")
@click.option(
    "--lang",
    type=click.Choice(["de", "en", "ja"]),
    default="de",
    show_default=True,
    help="Language of names and descriptions in the block.",
)
@project_option
def markup(run: Run, iri: str | None, announcement: str | None, lang: str) -> None:
    """Print the schema.org JSON-LD <script> block for a page, ready to paste.

    Without IRI, the block of the announcement page (pass --announcement NAME
    if the project has several); with IRI (absolute, or relative to the base
    IRI such as id/place/kitakyushu), the block of that resource's page.

    Example: rit-graph markup id/place/kitakyushu --lang en
    """
    from rit_graph import schemaorg
    from rit_graph.rdf.embed import script_element

    if iri and announcement:
        raise click.UsageError("give either IRI or --announcement, not both")
    page = schemaorg.resolve(run.corpus, iri, announcement)
    click.echo(script_element(schemaorg.markup(schemaorg.project(run), page, lang)), nl=False)


@cli.command()
@click.argument("query_text", metavar="[QUERY]", required=False)
@click.option(
    "--file",
    "query_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the query from this file instead of the QUERY argument.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", *FORMAT_NAMES]),
    help="Output format; default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE.",
)
@store_option
@timeout_option(Limits.timeout, "Seconds to wait for an external store (--store URL).")
@project_option
def query(
    run: Run, query_text: str | None, query_file: Path | None, fmt: str | None, store: str, timeout: float
) -> None:
    """Run a SPARQL query on the project's graph (default graph = union of all graphs, each triple once).

    Relative IRIs in the query resolve against the project's base IRI.

    Example: rit-graph query --file queries/cluster-partnerships.rq --format csv
    """
    from rit_graph import stores
    from rit_graph.query import sparql

    if (query_text is None) == (query_file is None):
        raise click.UsageError("give either a QUERY or --file FILE")
    text = sparql.read_query(query_file) if query_file else str(query_text)
    checked = sparql.check(text)
    backend = stores.open_for_corpus(store, run.corpus, timeout)
    base = run.corpus.project.base_iri
    fmt = fmt or ("turtle" if checked.form.gives_graph else "table")
    try:
        backend.check()
        if fmt == "table":
            click.echo(backend.table(checked, base), nl=False)
        else:
            answer = backend.answer(sparql.Request(checked, fmt, base_iri=base))
            click.echo(answer.body.decode("utf-8"), nl=False)
    finally:
        backend.close()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@timeout_option(Limits.timeout, "Seconds a query may run; then it is stopped and the client gets 503.")
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve these RDF files instead of the project (TriG/N-Quads keep their graph names). Repeatable.",
)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Project folder to serve (and whose queries/ the query page offers as examples).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=Limits.workers,
    show_default=True,
    help="Queries answered at the same time, each in its own process.",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=Limits.max_body_bytes,
    show_default=True,
    help="Largest request body (or query string) accepted; larger requests get 413.",
)
@click.option(
    "--max-result-bytes",
    type=click.IntRange(min=1),
    default=Limits.max_result_bytes,
    show_default=True,
    help="Largest serialised result sent; larger results are stopped with an error.",
)
@click.option(
    "--result-cache-bytes",
    type=click.IntRange(min=0),
    default=Limits.result_cache_bytes,
    show_default=True,
    help="Memory for answers repeated to identical requests (same query, format and graphs), "
    "each up to a sixteenth of it; 0 turns the cache off. An external store (--store URL) is never cached.",
)
@click.option(
    "--max-query-memory",
    type=click.IntRange(min=16),
    default=Limits.max_query_memory // 2**20,
    show_default=True,
    metavar="MIB",
    help="Memory one query may take in its worker past what the worker holds idle; a query that needs more "
    "is stopped with 503 and its worker replaced.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=Limits.max_connections,
    show_default=True,
    help="Open connections served at once; requests on more get 503.",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(min=0.1),
    default=Limits.read_timeout,
    show_default=True,
    help="Seconds a client has to send a request's headers, and again its body (408).",
)
@click.option(
    "--send-timeout",
    type=click.FloatRange(min=0.1),
    default=Limits.send_timeout,
    show_default=True,
    help="Seconds a response may wait for its client to read on; then the connection is closed.",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Log each request on standard error. Logging costs about a fifth of the server's own work "
    "for a cheap query; leave it out where a proxy in front keeps the access log.",
)
@store_option
def serve(
    host: str,
    port: int,
    timeout: float,
    data_files: tuple[Path, ...],
    project_dir: Path,
    workers: int,
    max_body_bytes: int,
    max_result_bytes: int,
    result_cache_bytes: int,
    max_query_memory: int,
    max_connections: int,
    read_timeout: float,
    send_timeout: float,
    access_log: bool,
    store: str,
) -> None:
    """Serve a read-only SPARQL 1.1 endpoint at /sparql (query page and service description on GET)
    and, for a project, its site: every resource IRI under the base at the same path
    here (BASE/id/place/kitakyushu at /id/place/kitakyushu), as HTML or RDF by content negotiation.

    With --store URL, queries go to that SPARQL store (checked first, under the
    same limits); the site still comes from the project.

    Example: rit-graph serve --port 8000 --timeout 10 --store var/store
    """
    import uvicorn

    from rit_graph import stores
    from rit_graph.serve.connections import guarded_protocol
    from rit_graph.serve.server import create_app, read_examples

    corpus = None
    if data_files:
        backend, base = stores.open_for_files(store, data_files, DEFAULT_BASE_IRI), DEFAULT_BASE_IRI
    else:
        corpus = open_project(project_dir).corpus
        backend, base = stores.open_for_corpus(store, corpus), corpus.project.base_iri
    backend.check()
    click.echo(backend.describe(), err=True)
    limits = Limits(
        timeout,
        max_body_bytes,
        max_result_bytes,
        workers,
        result_cache_bytes,
        max_query_memory=max_query_memory * 2**20,
        max_connections=max_connections,
        read_timeout=read_timeout,
        send_timeout=send_timeout,
    )
    app = create_app(backend, limits, base, read_examples(project_dir / "queries"), corpus=corpus)
    _allow_open_files(max_connections + 64)
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=access_log,
        http=guarded_protocol(limits),
        limit_concurrency=max_connections,
        timeout_keep_alive=5,
    )


def _allow_open_files(wanted: int) -> None:
    """Raise this process's soft limit of open files towards WANTED (connections, workers' pipes, files).

    The common soft limit of 1,024 would refuse every client once that many
    sockets are open; the hard limit is the operator's, and stays.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard)
        )


@cli.command()
@click.option(
    "--to",
    "url",
    required=True,
    metavar="URL",
    help="The store's SPARQL 1.1 Graph Store Protocol endpoint, e.g. Oxigraph server's http://HOST:7878/store.",
)
@timeout_option(60.0, "Seconds to wait for each request to the store.")
@project_option
def publish(run: Run, url: str, timeout: float) -> None:
    """Validate, then replace each of the project's graphs (every announcement, the reference
    graph, graph/ontology) in a SPARQL store with PUT URL?graph=IRI, then graph/union (each
    triple once, which `--store URL` queries as the default graph), and read each back to
    compare its triple count.

    Credentials come from the environment: RIT_GRAPH_STORE_USER and
    RIT_GRAPH_STORE_PASSWORD (basic auth; RIT_GRAPH_STORE_AUTH=digest for digest
    auth) or RIT_GRAPH_STORE_TOKEN (bearer token).

    Exit status: 0 published and verified, 1 violations (nothing sent),
    2 unreadable input, 3 the store failed, refused, or holds other counts.

    Example: rit-graph publish --to http://127.0.0.1:7878/store
    """
    from rit_graph.output.publish import publish

    report = publish(run, url, timeout)
    click.echo(report.summary(), nl=False)
    report.check()


@cli.command()
@click.argument("name")
@click.option(
    "--source",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The announcement's text (UTF-8), copied as source.txt in Unicode NFC.",
)
@project_dir_option
def new(name: str, source: Path, project_dir: Path) -> None:
    """Start announcement NAME: data/announcements/NAME/ with its text and a skeleton announcement.ttl.

    Then `rit-graph draft NAME` proposes its facts.

    Example: rit-graph new jetro-hitachi-mou-2017 --source ~/Downloads/pressemitteilung.txt
    """
    from rit_graph.corpus.draft import new

    folder = new(Project.open(project_dir), name, source)
    click.echo(f"{folder}: source.txt and announcement.ttl written; next: rit-graph draft {name}")


@cli.command()
@click.argument("name")
@click.option("--force", is_flag=True, help="Replace announcement.ttl even if it holds edits.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the draft instead of writing announcement.ttl.")
@project_option
def draft(run: Run, name: str, force: bool, to_stdout: bool) -> None:
    """Propose the facts of announcement NAME from its source.txt, in the authoring form.

    It proposes the known resources each sentence names, dates and periods,
    money, distances and counts, each quoted with its sentence, and marks with
    TODO what a person must decide. It writes announcement.ttl only while that
    holds what `rit-graph new` wrote, unless --force.

    Example: rit-graph draft jetro-hitachi-mou-2017 --stdout
    """
    from rit_graph.corpus.draft import write_draft

    if to_stdout:
        from rit_graph.corpus.draft import draft

        click.echo(draft(run.corpus, name), nl=False)
        return
    path = write_draft(run.corpus, name, force)
    click.echo(f"{path}: drafted; review every fact, decide every TODO, then rit-graph validate")
