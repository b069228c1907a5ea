"""The one table of RDF formats: name, file extension, media type and parser.

Every part of rit-graph (reading data, writing dumps, content negotiation,
SPARQL results) looks formats up here, so a format is added in one place.
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
    #: Other media types clients send for this format.
    aliases: tuple[str, ...] = ()


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", ".ttl", "text/turtle", ox.RdfFormat.TURTLE, False, ("application/x-turtle",)),
    RdfFormat("ntriples", ".nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, False, ("text/plain",)),
    RdfFormat("trig", ".trig", "application/trig", ox.RdfFormat.TRIG, True),
    RdfFormat("nquads", ".nq", "application/n-quads", ox.RdfFormat.N_QUADS, True),
    RdfFormat("jsonld", ".jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, True, ("application/json",)),
    RdfFormat("rdfxml", ".rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML, False, ("application/xml",)),
)

BY_NAME = {f.name: f for f in FORMATS}
BY_EXTENSION = {f.extension: f for f in FORMATS} | {".owl": BY_NAME["rdfxml"], ".json": BY_NAME["jsonld"]}
BY_MEDIA_TYPE = {m: f for f in FORMATS for m in (f.media_type, *f.aliases)}


def for_path(path: Path) -> RdfFormat | None:
    """The format a file's extension names, or None for files that are not RDF."""
    return BY_EXTENSION.get(path.suffix.lower())
