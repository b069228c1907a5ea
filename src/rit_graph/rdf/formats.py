"""The one table of RDF formats: name, file extension, media type and parser.

Every part of rit-graph (reading data, writing dumps, content negotiation,
SPARQL results) looks formats up here, so a format is added in one place.
Each format's IRI is the one of the W3C's registry (https://www.w3.org/ns/formats/),
which service descriptions name formats by: pyoxigraph's IRI for JSON-LD is the
address of the registry's page about it, not the format's IRI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    name: str
    extension: str
    media_type: str
    oxigraph: ox.RdfFormat
    #: True where the format can hold named graphs (TriG, N-Quads).
    datasets: bool
    #: The format's IRI in the W3C registry.
    iri: str
    #: Other media types clients send for this format.
    aliases: tuple[str, ...] = ()
    #: Short names SPARQL clients give in a ``format``, ``output`` or ``results`` parameter (SPARQLWrapper,
    #: Fuseki, Virtuoso); N3 is served as Turtle, which is N3 too.
    short_names: tuple[str, ...] = ()


#: The W3C registry of format IRIs.
W3C = "http://www.w3.org/ns/formats/"
FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat(
        "turtle",
        ".ttl",
        "text/turtle",
        ox.RdfFormat.TURTLE,
        False,
        iri=W3C + "Turtle",
        aliases=("application/x-turtle",),
        short_names=("ttl", "text", "n3"),
    ),
    RdfFormat(
        "ntriples",
        ".nt",
        "application/n-triples",
        ox.RdfFormat.N_TRIPLES,
        False,
        iri=W3C + "N-Triples",
        aliases=("text/plain",),
        short_names=("nt", "n-triples"),
    ),
    RdfFormat("trig", ".trig", "application/trig", ox.RdfFormat.TRIG, True, iri=W3C + "TriG"),
    RdfFormat(
        "nquads",
        ".nq",
        "application/n-quads",
        ox.RdfFormat.N_QUADS,
        True,
        iri=W3C + "N-Quads",
        short_names=("n-quads",),
    ),
    RdfFormat(
        "jsonld",
        ".jsonld",
        "application/ld+json",
        ox.RdfFormat.JSON_LD,
        True,
        iri=W3C + "JSON-LD",
        aliases=("application/json",),
        short_names=("json-ld", "json"),
    ),
    RdfFormat(
        "rdfxml",
        ".rdf",
        "application/rdf+xml",
        ox.RdfFormat.RDF_XML,
        False,
        iri=W3C + "RDF_XML",
        aliases=("application/xml",),
        short_names=("xml", "rdf", "rdf+xml"),
    ),
)

BY_NAME = {f.name: f for f in FORMATS}
BY_EXTENSION = {f.extension: f for f in FORMATS} | {".owl": BY_NAME["rdfxml"], ".json": BY_NAME["jsonld"]}
BY_MEDIA_TYPE = {m: f for f in FORMATS for m in (f.media_type, *f.aliases)}
#: What a SPARQL client's format parameter may say for each format: its name, a short name or a media type.
BY_PARAMETER = BY_MEDIA_TYPE | {n: f for f in FORMATS for n in f.short_names} | BY_NAME


def for_path(path: Path) -> RdfFormat | None:
    """The format a file's extension names, or None for files that are not RDF."""
    return BY_EXTENSION.get(path.suffix.lower())
