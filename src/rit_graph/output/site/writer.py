"""The static site on disk: every page in every language and every resource's data, in one folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rit_graph.corpus.load import Corpus
from rit_graph.output.catalog import Download
from rit_graph.output.site.facade import Site
from rit_graph.output.site.languages import PAGE_LANGUAGES
from rit_graph.output.site.markup import SchemaBlock
from rit_graph.output.site.paths import RESOURCE_FORMATS


def write_site(
    corpus: Corpus, folder: Path, downloads: Sequence[Download] = (), schema_block: SchemaBlock | None = None
) -> list[Path]:
    """Write the whole static site of CORPUS into FOLDER (``DIR/site`` beside the dumps in ``DIR``); the paths
    written."""
    site = Site(corpus, schema_block)
    pages: dict[str, str | bytes] = {}
    for lang in PAGE_LANGUAGES:
        pages[f"index.{lang}.html"] = site.home(lang)
        pages[f"ontology.{lang}.html"] = site.ontology_page(lang)
        pages[f"shapes.{lang}.html"] = site.shapes_page(lang)
        pages[f"downloads.{lang}.html"] = site.downloads_page(downloads, lang)
        for name in site.sources.values():
            pages[site.source_path(name, lang)] = site.source(name, lang)
        for iri in site.resources:
            pages[site.paths.page_path(iri, lang)] = site.resource(iri, lang)
    pages["index.html"] = pages["index.en.html"]
    for iri in site.resources:
        for rdf_format in RESOURCE_FORMATS:
            pages[site.data_path(site.paths.iri_path(iri), rdf_format)] = site.resource_data(iri, rdf_format)
    written = []
    for name, content in pages.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
