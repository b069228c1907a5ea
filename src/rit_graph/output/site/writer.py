"""The static site on disk: every page in every language and every resource's data, in one folder, each file
kept in the cache and rendered again only when what it shows changed (``incremental``, ``shown``)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from rit_graph.corpus.load import Corpus
from rit_graph.output.catalog import Download
from rit_graph.output.site import favicon, sitemap
from rit_graph.output.site.facade import Site
from rit_graph.output.site.incremental import Entry, Written, write_entries
from rit_graph.output.site.languages import PAGE_LANGUAGES
from rit_graph.output.site.markup import SchemaBlock, SchemaBlocks
from rit_graph.output.site.paths import RESOURCE_FORMATS
from rit_graph.output.site.search_page import search_page, search_path
from rit_graph.output.site.search_shards import Pagefind, start_index
from rit_graph.runtime.cache import Cache, key
from rit_graph.runtime.forking import frozen
from rit_graph.runtime.progress import Progress


def write_site(
    corpus: Corpus,
    folder: Path,
    downloads: Sequence[Download] = (),
    schema_block: SchemaBlock | None = None,
    cache: Cache | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Written:
    """Write the whole static site of CORPUS into FOLDER (``DIR/site`` beside the dumps in ``DIR``) on WORKERS
    processes, taking from CACHE every file whose key (what it shows) is unchanged; what was written."""
    with site_writer(Site(corpus, schema_block), folder, cache, workers, progress) as write:
        return write(downloads)


@contextlib.contextmanager
def site_writer(
    site: Site,
    folder: Path,
    cache: Cache | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    pagefind: Pagefind | None = None,
) -> Iterator[Callable[[Sequence[Download]], Written]]:
    """Start writing SITE into FOLDER, as ``write_site`` does: Pagefind (PAGEFIND if started before) starts
    indexing its search now, on a core of its own while the caller goes on (writing the dumps, whose writing
    leaves a core idle at times); the function given writes every page, with the dumps the downloads page
    lists, and waits for the index.

    Every file is an ``Entry`` of ``entries``: a new kind of page is a new entry there.
    """
    if workers > 1 and isinstance(site.schema_block, SchemaBlocks):
        site.schema_block.prepare()  # once, before the workers are forked, rather than once in each
    kept = cache or Cache(None)
    # The static search's index, in shards made from the data: only those whose records changed are indexed
    # again (Pagefind has no incremental mode; see search_shards).
    indexing = start_index(site, folder, kept, pagefind)

    def write(downloads: Sequence[Download]) -> Written:
        with frozen():  # the site's graph is not walked again for the entries made
            made = entries(site, downloads)
        # The search's shards are written as Pagefind gives them, while the workers write the pages.
        written = write_entries(made, folder, kept, workers, progress, meanwhile=indexing.step)
        indexing.finish()
        return written

    try:
        yield write
    finally:
        indexing.close()


def entries(site: Site, downloads: Sequence[Download] = ()) -> list[Entry]:
    """Every file of SITE with the key of what it shows: the pages that sum up the corpus first (they take
    longest), then each source, then each resource's pages and data files together (they share a key)."""
    shown = site.shown

    def everything() -> str:
        return shown.everything

    def common() -> str:
        return shown.common

    listed = key(repr(list(downloads)))

    def overview(stem: str) -> str:
        """The key of the home page (``index``) or a browse page: the data and labels it shows, not everything."""
        return key(shown.common, site.browse_shown(stem))

    home = functools.partial(overview, "index")
    found = [Entry("index.html", home, functools.partial(site.home, "en"))]
    for lang in PAGE_LANGUAGES:
        found.append(Entry(f"index.{lang}.html", home, functools.partial(site.home, lang)))
        for stem in site.browse_pages():
            found.append(
                Entry(
                    f"{stem}.{lang}.html", functools.partial(overview, stem), functools.partial(site.browse, stem, lang)
                )
            )
        found += [
            Entry(f"ontology.{lang}.html", everything, functools.partial(site.ontology_page, lang)),
            Entry(f"shapes.{lang}.html", everything, functools.partial(site.shapes_page, lang)),
            Entry(
                f"downloads.{lang}.html",
                lambda: key(shown.everything, listed),
                functools.partial(site.downloads_page, downloads, lang),
            ),
            Entry(search_path(lang), common, functools.partial(search_page, site, lang, static=True)),
        ]
    found += [Entry(name, common, make) for name, (_, make) in favicon.MADE.items()]
    source_key = functools.lru_cache(maxsize=4)(shown.source)
    for name in site.sources.values():
        found += [
            Entry(
                site.source_path(name, lang),
                functools.partial(source_key, name),
                functools.partial(site.source, name, lang),
            )
            for lang in PAGE_LANGUAGES
        ]
    # The pages and data files of one resource are next to each other, so a worker walks its graph once.
    page_key = functools.lru_cache(maxsize=4)(shown.resource)
    data_key = functools.lru_cache(maxsize=4)(shown.resource_data)
    for iri in site.resources:
        found += [
            Entry(
                site.paths.page_path(iri, lang),
                functools.partial(page_key, iri),
                functools.partial(site.resource, iri, lang),
            )
            for lang in PAGE_LANGUAGES
        ]
        stem = site.paths.iri_path(iri)
        found += [
            Entry(
                site.data_path(stem, rdf_format),
                functools.partial(data_key, iri),
                functools.partial(site.resource_data, iri, rdf_format),
            )
            for rdf_format in RESOURCE_FORMATS
        ]
    return found + _sitemap_entries(site, found)


def _sitemap_entries(site: Site, pages: Sequence[Entry]) -> list[Entry]:
    """The sitemap's files, and robots.txt naming them, of a site whose public address is set (``site_url``);
    kept while the site has the same pages."""
    root = site.corpus.project.setting("site_url")
    if not root:
        return []
    listed = sitemap.listed(e.path for e in pages)
    shows = key(root, "\n".join(listed))
    return [
        Entry(name, lambda: shows, functools.partial(_same, text)) for name, text in sitemap.files(root, listed).items()
    ]


def _same(content: str | bytes) -> str | bytes:
    return content
