"""Each resource's data in the RDF formats its page links to: its concise bounded description."""

from __future__ import annotations

import functools
import io

import pyoxigraph as ox

from rit_graph.output.site.graph import Graph, Term
from rit_graph.rdf import jsonld
from rit_graph.rdf.formats import BY_NAME
from rit_graph.rdf.ntriples import triple_order
from rit_graph.rdf.walk import walk


class ResourceData:
    """Serializes a resource's statements with the site's prefixes, and in JSON-LD with the package's context."""

    def __init__(self, data: Graph, base: str, names: dict[str, str]) -> None:
        self.data = data
        self.base = base
        self.names = names
        self._context = jsonld.package_context(jsonld.CONTEXT_FILE, base)
        # A resource's files are written one after the other: its statements are gathered once for all formats.
        self.described = functools.lru_cache(maxsize=4)(self._walked)

    def of(self, iri: str, rdf_format: str) -> bytes:
        """IRI's concise bounded description in one format: its statements and those of its blank nodes."""
        triples = self.described(iri)
        if rdf_format == "jsonld":
            return jsonld.dumps_texts(jsonld.compact_triples(triples, self._context)) + b"\n"
        return _serialize(triples, BY_NAME[rdf_format].oxigraph, self.names)

    def _walked(self, iri: str) -> list[ox.Triple]:
        """IRI's statements and those of its blank nodes, in N-Triples order (``described``, cached)."""
        out = self.data.out
        start: list[Term] = [ox.NamedNode(iri)]
        triples = walk(
            start,
            lambda subject: (
                (ox.Triple(subject, p, o), o if isinstance(o, ox.BlankNode) else None)  # type: ignore[arg-type]
                for p, objects in out.get(subject, {}).items()
                for o in objects
            ),
        )
        triples.sort(key=triple_order)
        return triples


def _serialize(triples: list[ox.Triple], rdf_format: ox.RdfFormat, names: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    ox.serialize(triples, buffer, rdf_format, prefixes=names)
    if rdf_format == ox.RdfFormat.RDF_XML:
        # XML parsers read every CR as LF; only a character reference keeps it.
        # pyoxigraph writes CR raw only inside literals, never in its own markup.
        return buffer.getvalue().replace(b"\r", b"&#13;")
    return buffer.getvalue()
