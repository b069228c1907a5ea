"""Site, the one object the rest of the code renders the site with: it builds the parts and hands each call
to the part that owns it."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyoxigraph as ox

from rit_graph import schemaorg
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.run import Run
from rit_graph.output.site import paths
from rit_graph.output.site.data import ResourceData
from rit_graph.output.site.graph import Graph
from rit_graph.output.site.layout import Layout
from rit_graph.output.site.markup import SchemaBlock, schema_org_blocks
from rit_graph.output.site.pages import Pages
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

    def __init__(self, corpus: Corpus, schema_block: SchemaBlock | None = None) -> None:
        self.corpus = corpus
        self.base = corpus.project.base_iri
        self.schema_block = schema_block or _projected(corpus)
        triples = [q.triple for q in corpus.quads]
        data, ontology, shapes = Graph.of(triples), Graph.of(corpus.ontology), Graph.of(corpus.shapes)
        names = {**prefixes(self.base, triples), "sh": SH, "shape": self.base + "shapes#"}
        self.paths = paths.Paths(corpus, data, ontology, shapes)
        self.terms = Terms(self.paths, data, ontology, shapes, names)
        layout = Layout()
        pages = Pages(_EachTripleOnce.of(corpus), self.paths, data, self.terms, layout, self.schema_block)
        vocabulary = VocabularyPages(corpus.project, ontology, shapes, self.terms, layout)
        # What the rest of the code asks of a site, each answered by the part that owns it.
        self.resources = self.paths.resources
        self.sources = self.paths.sources
        self.resource_path = self.paths.resource_path
        self.value = self.terms.value
        self.messages = layout.messages
        self.page = layout.page
        self.home = pages.home
        self.resource = pages.resource
        self.source = pages.source
        self.downloads_page = pages.downloads_page
        self.ontology_page = vocabulary.ontology_page
        self.shapes_page = vocabulary.shapes_page
        self.resource_data = ResourceData(data, self.base, names).of


@dataclass
class _EachTripleOnce(Corpus):
    """A corpus whose ``data`` store, which the home page's diagrams query, holds each triple once.

    ``Corpus.data`` keeps a triple in each graph that states it, and the
    union of its graphs the diagrams query counts it once per graph: a
    partnership two announcements state would be drawn twice over itself, as
    the pages' Graph, made of the same triples, shows it once. Here the
    triples are in the default graph alone, which keeps each once; the store
    is made when a diagram first asks for it.
    """

    whole: Corpus

    @classmethod
    def of(cls, corpus: Corpus) -> _EachTripleOnce:
        return cls(corpus.project, corpus.units, corpus.ontology, corpus.shapes, corpus)

    @functools.cached_property
    def data(self) -> ox.Store:
        store = ox.Store()
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in self.whole.quads)
        return store


def _projected(corpus: Corpus) -> SchemaBlock:
    """The blocks of CORPUS's schema.org projection, projected on the first call: data files need none."""
    blocks = functools.cache(lambda: schema_org_blocks(schemaorg.project(Run(corpus))))
    return lambda iri, lang: blocks()(iri, lang)


def render_resource(corpus: Corpus, iri: str, lang: str) -> str:
    return Site(corpus).resource(iri, lang)
