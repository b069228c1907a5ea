"""Write the validated graph as dumps, a catalog and a site, all or nothing, byte-identical across runs.

Every dump is assembled from pieces that depend on the input only, so the
same input gives the same bytes, whether a piece was rendered now or taken
from the cache. The files are written into a fresh folder beside the
output folder, which then takes the output folder's place in one step: a
failed build leaves the previous output as it was, and a build killed at any
moment leaves it as it was or complete, never half written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from rit_graph import schemaorg
from rit_graph.corpus.run import Run
from rit_graph.errors import ValidationFailed
from rit_graph.output import catalog, outputs, pieces, site
from rit_graph.rdf import jsonld
from rit_graph.rdf.namespaces import prefixes_for
from rit_graph.rdf.ntriples import ntriples, triple_order
from rit_graph.runtime import forking
from rit_graph.runtime.cache import key
from rit_graph.validation.validate import Report, validate

DUMP_NAME = "rit-graph"
ONTOLOGY_FILE = "ontology.ttl"
#: The schema.org projection as one JSON-LD document.
SCHEMAORG_DUMP = "schema-org.jsonld"
SITE_FOLDER = "site"


@dataclass(frozen=True)
class BuildResult:
    out: Path
    files: list[Path]
    report: Report
    #: The schema.org projection checked against the search engines' requirements.
    schemaorg_report: Report


def write_dumps(
    run: Run, folder: Path, projection: schemaorg.Projection
) -> tuple[list[catalog.Download], list[ox.Triple]]:
    """Write the dumps of the run's corpus, and of its schema.org PROJECTION, into FOLDER, with gzip
    versions of the graph dumps.

    The dumps differ in syntax only. They are assembled from pieces
    (``pieces``): those of unchanged units come from the run's cache, the
    others are rendered by its workers. Returns what was written, and the
    triples about resources several units describe (which VoID counts once).
    """
    corpus = run.corpus
    base = corpus.project.base_iri
    names = prefixes_for(base, (n[1:-1] for u in corpus.units for n in u.summary.nodes if n.startswith("<")))
    context = jsonld.package_context(jsonld.CONTEXT_FILE, base)
    union, graphs, shared = pieces.data_pieces(corpus, run.cache)
    jobs = [
        (pieces.rdf_layout(DUMP_NAME + ".ttl", ox.RdfFormat.TURTLE, names), union),
        (pieces.rdf_layout(DUMP_NAME + ".nt", ox.RdfFormat.N_TRIPLES, names), union),
        (pieces.rdf_layout(DUMP_NAME + ".trig", ox.RdfFormat.TRIG, names), graphs),
        (
            pieces.jsonld_layout(
                DUMP_NAME + ".jsonld", context, lambda t: jsonld.compact_triples(t, context), True, True
            ),
            union,
        ),
        (_schemaorg_layout(), _schemaorg_pieces(projection)),
    ]
    rendered = pieces.render_all(jobs, run.cache.within("dumps"), run.workers, run.progress)
    written = [d for (layout, _), done in zip(jobs, rendered, strict=True) for d in pieces.write(folder, layout, done)]
    (folder / jsonld.CONTEXT_FILE).write_text(jsonld.dumps(context), encoding="utf-8")
    ox.serialize(
        sorted(corpus.ontology, key=triple_order), str(folder / ONTOLOGY_FILE), ox.RdfFormat.TURTLE, prefixes=names
    )
    written += [catalog.describe(folder / name) for name in (jsonld.CONTEXT_FILE, ONTOLOGY_FILE)]
    return written, shared


def _schemaorg_layout() -> pieces.Layout:
    """schema-org.jsonld: the whole projection, compacted with the shipped context."""
    shipped = schemaorg.context()
    return pieces.jsonld_layout(
        SCHEMAORG_DUMP,
        shipped,
        lambda t: jsonld.compact(jsonld.from_triples(t, native_types=True), shipped),
        False,
        False,
    )


def _schemaorg_pieces(projection: schemaorg.Projection) -> list[pieces.Piece]:
    """The projection in pieces: each unit's facts about what it alone describes, then the others'."""
    shared = projection.corpus.shared
    parts = [
        pieces.Piece(
            key(p.key, *sorted(shared.intersection(p.unit.summary.subjects))),
            lambda p=p: p.own(p.unit.summary.subjects.keys() - shared),  # type: ignore[misc]
        )
        for p in projection.units
    ]
    described = projection.shared
    return [*parts, pieces.Piece(key(ntriples(described)), lambda: described)]


def write_downloads(
    run: Run, folder: Path, projection: schemaorg.Projection
) -> tuple[list[Path], list[catalog.Download]]:
    """The dumps, their gzip versions and catalog.ttl describing them: what a downloads page offers."""
    downloads, shared = write_dumps(run, folder, projection)
    downloads.sort(key=lambda d: d.name)
    catalog_file = catalog.write_catalog(run.corpus, folder, downloads, shared)
    return [*(folder / d.name for d in downloads), catalog_file], downloads


def build(run: Run, out: Path, with_site: bool = True, pagefind: site.Pagefind | None = None) -> BuildResult:
    """Validate the run's corpus, then replace OUT with its dumps (and site); on any failure OUT is left alone.
    The site's search is indexed by PAGEFIND if it was started before (see ``site.pagefind_started``).

    The schema.org projection is computed once, here, for the check, the dump and the site's markup.
    """
    outputs.recover(out)
    report = validate(run)
    if not report.conforms:
        raise ValidationFailed("the data does not conform to the shapes; nothing was written\n\n" + report.to_text())
    projection = schemaorg.projections(run)
    blocks = site.schema_org_blocks(projection.facts)

    def made_site() -> site.Site | None:
        """The site's index of the graph and of the markup's facts (shared by the workers forked later)."""
        if not with_site:
            return None
        blocks.prepare()
        return site.Site(run.corpus, blocks)

    # Made while the markup's workers check it, on the core they leave idle, rather than on one core after them.
    with forking.meanwhile(made_site) as made:
        markup_report = schemaorg.check(run, projection)
        if not markup_report.conforms:
            raise ValidationFailed(
                "the schema.org projection lacks what search engines require; nothing was written\n\n"
                + markup_report.to_text()
            )
        the_site = made()
    with outputs.replacing(out) as folder:
        if the_site is None:
            files, _ = write_downloads(run, folder, projection)
        else:
            # The site first: Pagefind indexes its search while the dumps are written.
            with site.site_writer(
                the_site, folder / SITE_FOLDER, run.cache.within("site"), run.workers, run.progress, pagefind
            ) as pages:
                files, downloads = write_downloads(run, folder, projection)
                pages(downloads)
            files.append(folder / SITE_FOLDER)
    return BuildResult(out, [out / f.name for f in files], report, markup_report)
