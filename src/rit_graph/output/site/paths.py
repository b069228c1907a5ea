"""Where each page and each resource's data lives: paths derived from IRIs, and relative links between them."""

from __future__ import annotations

import functools
import posixpath

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus
from rit_graph.output.site.graph import Graph
from rit_graph.rdf.formats import BY_NAME
from rit_graph.rdf.namespaces import RDF_TYPE, SH

#: Formats of each resource's data, linked from its page.
RESOURCE_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")


class Paths:
    """Which IRIs of one corpus have a page, and where: pages link to each other only through these paths."""

    def __init__(self, corpus: Corpus, data: Graph, ontology: Graph, shapes: Graph) -> None:
        self.project = corpus.project
        self.base = corpus.project.base_iri
        self.vocabulary = corpus.project.vocabulary
        self.ontology = ontology
        self.shapes = shapes
        #: Every resource with a page of its own, in IRI order.
        self.resources = sorted(
            {s.value for s in data.out if isinstance(s, ox.NamedNode) and s.value.startswith(self.base + "id/")}
        )
        self._has_page = frozenset(self.resources)
        self._shape_sections = frozenset(node_shapes(shapes))
        #: The name of each announcement's source page, by the announcement's IRI.
        self.sources = {self.project.announcement_iri(name): name for name in sorted(corpus.announcement_graphs)}

    def has_page(self, iri: str) -> bool:
        """Whether the resource IRI has a page of its own."""
        return iri in self._has_page

    def iri_path(self, iri: str) -> str:
        """IRI below the base: the stem of its page and of its data files."""
        return iri[len(self.base) :]

    def page_path(self, iri: str, lang: str) -> str:
        """The site path of the page of IRI, a resource that has one."""
        return self.iri_path(iri) + f".{lang}.html"

    def resource_path(self, iri: str, lang: str) -> str | None:
        """The site path of IRI's page, or None if IRI has no page here."""
        if self.has_page(iri):
            return self.page_path(iri, lang)
        if iri.startswith(self.vocabulary) and ox.NamedNode(iri) in self.ontology.out:
            return f"ontology.{lang}.html#{iri[len(self.vocabulary) :]}"
        if iri == self.project.ontology_iri:
            return f"ontology.{lang}.html"
        if iri.startswith(self.base + "shapes#") and ox.NamedNode(iri) in self._shape_sections:
            return f"shapes.{lang}.html#{iri.rsplit('#', 1)[-1]}"
        return None


def node_shapes(shapes: Graph) -> list[ox.NamedNode]:
    """The named node shapes, each a section of the shapes page (a SPARQL constraint they use is not)."""
    return sorted(
        (
            s
            for s in shapes.out
            if isinstance(s, ox.NamedNode)
            and (
                ox.NamedNode(SH + "NodeShape") in shapes.objects(s, RDF_TYPE)
                or shapes.objects(s, ox.NamedNode(SH + "targetClass"))
            )
        ),
        key=lambda s: s.value,
    )


def data_path(iri_path: str, rdf_format: str) -> str:
    return iri_path + BY_NAME[rdf_format].extension


def source_path(name: str, lang: str) -> str:
    return f"source/{name}.{lang}.html"


def relative(target: str, here: str | None) -> str:
    """TARGET's link from the page at HERE; from the root if HERE is None (a page served at any path,
    such as the 404, whose links must not depend on the path asked for)."""
    if here is None:
        return "/" + target
    path, _, fragment = target.partition("#")
    if path == here and fragment:
        return "#" + fragment
    return _relpath(path, folder(here)) + ("#" + fragment if fragment else "")


@functools.lru_cache(maxsize=1 << 16)
def _relpath(path: str, folder: str) -> str:
    """``posixpath.relpath`` for the site's paths, which are relative and normalised already: a site of a
    million triples makes millions of links, and relpath makes both paths absolute first (and a page links
    to the pages its neighbours link to: the same pairs, asked for again and again)."""
    if folder == ".":
        return path
    parts, up = path.split("/"), folder.split("/")
    common = 0
    for a, b in zip(parts, up, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(up) - common) + parts[common:]) or "."


@functools.lru_cache(maxsize=1 << 10)
def folder(here: str) -> str:
    """The folder of the page at HERE, as ``relpath`` takes it (its links depend on nothing else of HERE, but
    for those to itself); a page asks for it for every link it has."""
    return posixpath.dirname(here) or "."


def page_in(page_folder: str) -> str:
    """A page in PAGE_FOLDER, to link from: a link from it is the link from any page there (but the page's own
    links to itself, which are its fragment alone)."""
    return posixpath.join(page_folder, "page")
