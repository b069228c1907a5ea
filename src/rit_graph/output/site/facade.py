"""Site, the one object the rest of the code renders the site with: it builds the parts and hands each call
to the part that owns it."""

from __future__ import annotations

import itertools

from rit_graph import schemaorg
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.run import Run
from rit_graph.output.site import paths
from rit_graph.output.site.browse import BrowsePages
from rit_graph.output.site.data import ResourceData
from rit_graph.output.site.diagrams import Overview
from rit_graph.output.site.graph import Graph
from rit_graph.output.site.layout import Layout
from rit_graph.output.site.markup import SchemaBlock, SchemaBlocks
from rit_graph.output.site.pages import Pages
from rit_graph.output.site.shown import Shown
from rit_graph.output.site.values import Terms
from rit_graph.output.site.vocabulary_pages import VocabularyPages
from rit_graph.rdf.namespaces import SH, prefixes


class Site:
    """The pages of one corpus; build it once and render as many pages as needed.

    SCHEMA_BLOCK returns for a resource IRI and a language the ready-to-embed
    ``<script type="application/ld+json">`` block of its schema.org markup, or
    None; it must escape the JSON for a script element, as ``embed`` does.
    By default the blocks come from the schema.org projection, made when a page first asks for one.
    """

    data_path = staticmethod(paths.data_path)
    source_path = staticmethod(paths.source_path)
    relative = staticmethod(paths.relative)

    def __init__(
        self, corpus: Corpus, schema_block: SchemaBlock | None = None, query_editor: str | None = None
    ) -> None:
        """QUERY_EDITOR: the header's link to a SPARQL query editor (``sparql`` where rit-graph serves the site);
        by default the project's ``sparql_endpoint`` setting, and no link when that is empty, as in a static
        site with no endpoint."""
        self.corpus = corpus
        self.base = corpus.project.base_iri
        self.schema_block = schema_block or _projected(corpus)
        triples = [t for unit in corpus.units for t in unit.stated()]
        data, ontology, shapes = Graph.of(triples), Graph.of(corpus.ontology), Graph.of(corpus.shapes)
        names = {**prefixes(self.base, itertools.chain(data.out, data.into)), "sh": SH, "shape": self.base + "shapes#"}
        self.paths = paths.Paths(corpus, data, ontology, shapes)
        self.terms = Terms(self.paths, data, ontology, shapes, names)
        layout = Layout(query_editor or corpus.project.setting("sparql_endpoint") or None)
        pages = Pages(corpus, self.paths, data, self.terms, layout, self.schema_block)
        browse = BrowsePages(corpus.project, Overview(corpus, self.paths, data), self.paths, self.terms, layout)
        vocabulary = VocabularyPages(corpus.project, ontology, shapes, self.terms, layout)
        # What the rest of the code asks of a site, each answered by the part that owns it.
        self.resources = self.paths.resources
        self.sources = self.paths.sources
        self.resource_path = self.paths.resource_path
        self.value = self.terms.value
        self.messages = layout.messages
        self.page = layout.page
        self.home = browse.home
        #: The browse pages, each a path without ``.LANG.html`` (``browse/class/City/1``), and their renderer.
        self.browse_pages = browse.stems
        self.browse = browse.page
        #: A key of what the home page (``index``) or a browse page shows, beside what every page shows.
        self.browse_shown = browse.shown
        self.resource = pages.resource
        self.source = pages.source
        self.downloads_page = pages.downloads_page
        self.ontology_page = vocabulary.ontology_page
        self.shapes_page = vocabulary.shapes_page
        data_files = ResourceData(data, self.base, names)
        self.resource_data = data_files.of
        #: What each page shows, as the keys under which the site's writer keeps the pages it rendered.
        self.shown = Shown(corpus, self.paths, data, names, self.schema_block, data_files.described)


def _projected(corpus: Corpus) -> SchemaBlock:
    """The blocks of CORPUS's schema.org projection, projected on the first call: data files need none."""
    return SchemaBlocks(lambda: schemaorg.project(Run(corpus)))


def render_resource(corpus: Corpus, iri: str, lang: str) -> str:
    return Site(corpus).resource(iri, lang)
