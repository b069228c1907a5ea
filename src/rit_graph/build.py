"""Write the validated graph as dumps, a catalog and a site, all or nothing, byte-identical across runs.

Every dump is written from the same sorted list of quads, so the same input
gives the same bytes. The files are written into a fresh folder beside the
output folder, which then takes the output folder's place: a failed build
leaves the previous output as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import catalog, jsonld, schemaorg, site
from .cache import TripleCache
from .errors import ValidationFailed
from .formats import BY_NAME
from .load import Corpus
from .namespaces import prefixes
from .progress import Progress
from .validate import Report, validate

DUMP_NAME = "rit-graph"
ONTOLOGY_FILE = "ontology.ttl"
SITE_FOLDER = "site"


@dataclass(frozen=True)
class BuildResult:
    out: Path
    files: list[Path]
    report: Report
    #: The schema.org projection checked against the search engines' requirements.
    schemaorg_report: Report


def sorted_quads(quads: list[ox.Quad]) -> list[ox.Quad]:
    """QUADS by graph, subject, predicate and object.

    ``str`` of a triple ("<s> <p> <o>") sorts as its three terms would, as
    subjects and predicates hold no spaces, and costs a third as much.
    """
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.triple)))


def union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The default-graph view: every triple once, in a stable order."""
    return sorted({q.triple for q in quads}, key=str)


def write_dumps(corpus: Corpus, folder: Path) -> list[Path]:
    """Write the dumps of CORPUS into FOLDER; they differ in syntax only."""
    base = corpus.project.base_iri
    quads = sorted_quads(corpus.quads)
    triples = union_triples(quads)
    names = prefixes(base, triples)
    context = jsonld.package_context(jsonld.CONTEXT_FILE, base)

    def rdf(fmt: str, data: list[ox.Triple] | list[ox.Quad]) -> Callable[[Path], object]:
        return lambda path: ox.serialize(data, str(path), BY_NAME[fmt].oxigraph, prefixes=names)

    def compacted(path: Path) -> None:
        path.write_bytes(jsonld.dumps_texts(jsonld.compact_triples(triples, context)))

    writers: dict[str, Callable[[Path], object]] = {
        DUMP_NAME + ".ttl": rdf("turtle", triples),
        DUMP_NAME + ".nt": rdf("ntriples", triples),
        DUMP_NAME + ".trig": rdf("trig", quads),
        DUMP_NAME + ".jsonld": compacted,
        jsonld.CONTEXT_FILE: lambda path: path.write_text(jsonld.dumps(context), encoding="utf-8"),
        ONTOLOGY_FILE: rdf("turtle", sorted(corpus.ontology, key=str)),
        schemaorg.DUMP_FILE: lambda path: path.write_text(
            jsonld.dumps(schemaorg.document(corpus.schema_org)), encoding="utf-8"
        ),
    }
    written = []
    for name, write in writers.items():
        write(folder / name)
        written.append(folder / name)
    return written


def write_downloads(corpus: Corpus, folder: Path) -> tuple[list[Path], list[catalog.Download]]:
    """The dumps, their gzip versions and catalog.ttl describing them: what a downloads page offers."""
    files = write_dumps(corpus, folder)
    files += [catalog.gzip_file(f) for f in files if f.name.startswith(DUMP_NAME + ".")]
    catalog_file, downloads = catalog.write_catalog(corpus, folder, files)
    return [*files, catalog_file], downloads


def build(
    corpus: Corpus,
    out: Path,
    cache: TripleCache | None = None,
    progress: Progress | None = None,
    with_site: bool = True,
) -> BuildResult:
    """Validate CORPUS, then replace OUT with its dumps (and site); on any failure OUT is left alone."""
    report = validate(corpus, cache=cache, progress=progress)
    if not report.conforms:
        raise ValidationFailed("the data does not conform to the shapes; nothing was written\n\n" + report.to_text())
    markup_report = schemaorg.check(corpus, corpus.schema_org, cache)
    if not markup_report.conforms:
        raise ValidationFailed(
            "the schema.org projection lacks what search engines require; nothing was written\n\n"
            + markup_report.to_text()
        )
    with _replacing(out) as folder:
        files, downloads = write_downloads(corpus, folder)
        if with_site:
            site.write_site(corpus, folder / SITE_FOLDER, downloads)
            files.append(folder / SITE_FOLDER)
    return BuildResult(out, [out / f.name for f in files], report, markup_report)


@contextmanager
def _replacing(out: Path) -> Iterator[Path]:
    """A temporary folder beside OUT that takes OUT's place if the block succeeds."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield staging
        staging.chmod(0o755)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            out.replace(retired / out.name)
            staging.replace(out)
            shutil.rmtree(retired)
        else:
            staging.replace(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
