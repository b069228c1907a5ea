"""Write the validated graph as dumps, a catalog and a site, all or nothing, byte-identical across runs.

Every dump is assembled from pieces that depend on the input only, so the
same input gives the same bytes, whether a piece was rendered now or taken
from the cache. The files are written into a fresh folder beside the
output folder, which then takes the output folder's place in one step: a
failed build leaves the previous output as it was, and a build killed at any
moment leaves it as it was or complete, never half written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import catalog, jsonld, outputs, pieces, schemaorg, site
from .cache import Cache
from .errors import ValidationFailed
from .load import Corpus
from .namespaces import prefixes_for
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


def write_dumps(
    corpus: Corpus, folder: Path, workers: int = 1, cache: Cache | None = None, progress: Progress | None = None,
    projection: schemaorg.Projection | None = None,
) -> tuple[list[catalog.Download], list[ox.Triple]]:
    """Write the dumps of CORPUS into FOLDER, and gzip versions of the four graph dumps.

    The dumps differ in syntax only. They are assembled from pieces
    (``pieces``): those of unchanged units come from CACHE, the others are
    rendered by WORKERS forked processes. Returns what was written, and the
    triples about resources several units describe (which VoID counts once).
    """
    cache = cache or Cache(None)
    progress = progress or Progress()
    base = corpus.project.base_iri
    names = prefixes_for(base, (n[1:-1] for u in corpus.units for n in u.summary.nodes if n.startswith("<")))
    context = jsonld.package_context(jsonld.CONTEXT_FILE, base)
    union, graphs, shared = pieces.data_pieces(corpus, cache)
    projection = projection or schemaorg.projections(corpus, cache, progress)
    jobs = [
        (pieces.rdf_layout(DUMP_NAME + ".ttl", ox.RdfFormat.TURTLE, names), union),
        (pieces.rdf_layout(DUMP_NAME + ".nt", ox.RdfFormat.N_TRIPLES, names), union),
        (pieces.rdf_layout(DUMP_NAME + ".trig", ox.RdfFormat.TRIG, names), graphs),
        (pieces.jsonld_layout(DUMP_NAME + ".jsonld", context, lambda t: jsonld.compact_triples(t, context), True, True),
         union),
        (schemaorg.dump_layout(), schemaorg.dump_pieces(projection)),
    ]
    rendered = pieces.render_all(jobs, cache.within("dumps"), workers, progress)
    written = [d for (layout, _), done in zip(jobs, rendered) for d in pieces.write(folder, layout, done)]
    (folder / jsonld.CONTEXT_FILE).write_text(jsonld.dumps(context), encoding="utf-8")
    ox.serialize(sorted(corpus.ontology, key=str), str(folder / ONTOLOGY_FILE), ox.RdfFormat.TURTLE, prefixes=names)
    written += [catalog.describe(folder / name) for name in (jsonld.CONTEXT_FILE, ONTOLOGY_FILE)]
    return written, shared


def write_downloads(
    corpus: Corpus, folder: Path, workers: int = 1, cache: Cache | None = None, progress: Progress | None = None,
    projection: schemaorg.Projection | None = None,
) -> tuple[list[Path], list[catalog.Download]]:
    """The dumps, their gzip versions and catalog.ttl describing them: what a downloads page offers."""
    downloads, shared = write_dumps(corpus, folder, workers, cache, progress, projection)
    downloads.sort(key=lambda d: d.name)
    catalog_file = catalog.write_catalog(corpus, folder, downloads, shared)
    return [*(folder / d.name for d in downloads), catalog_file], downloads


def build(
    corpus: Corpus,
    out: Path,
    cache: Cache | None = None,
    progress: Progress | None = None,
    with_site: bool = True,
) -> BuildResult:
    """Validate CORPUS, then replace OUT with its dumps (and site); on any failure OUT is left alone."""
    outputs.recover(out)
    report = validate(corpus, cache=cache, progress=progress)
    if not report.conforms:
        raise ValidationFailed("the data does not conform to the shapes; nothing was written\n\n" + report.to_text())
    projection = schemaorg.projections(corpus, cache, progress)
    markup_report = schemaorg.check(corpus, cache, progress, projection)
    if not markup_report.conforms:
        raise ValidationFailed(
            "the schema.org projection lacks what search engines require; nothing was written\n\n"
            + markup_report.to_text()
        )
    with outputs.replacing(out) as folder:
        files, downloads = write_downloads(corpus, folder, os.cpu_count() or 1, cache, progress, projection)
        if with_site:
            site.write_site(corpus, folder / SITE_FOLDER, downloads)
            files.append(folder / SITE_FOLDER)
    return BuildResult(out, [out / f.name for f in files], report, markup_report)
