"""Prefixes for writing RDF: the standard vocabularies, rit:, and one per kind of resource."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

#: The base IRI of a project that names none: IRIs under it are rit-graph's own.
DEFAULT_BASE_IRI = "https://w3id.org/rit-graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
OA = "http://www.w3.org/ns/oa#"
FOAF = "http://xmlns.com/foaf/0.1/"
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode(RDF + "type")

STANDARD_PREFIXES = {
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "oa": OA,
    "foaf": FOAF,
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
}


def prefixes(base_iri: str, nodes: Iterable[object]) -> dict[str, str]:
    """Standard prefixes, rit:, and one prefix per kind of resource (place:, event:, ...) among the IRIs of
    NODES (a graph's subjects and objects, each once)."""
    return prefixes_for(base_iri, (n.value for n in nodes if isinstance(n, ox.NamedNode)))


def prefixes_for(base_iri: str, iris: Iterable[str]) -> dict[str, str]:
    """Standard prefixes, rit:, and one prefix per kind of resource (place:, event:, ...) among IRIS."""
    names = {"rit": base_iri + "ontology#", **STANDARD_PREFIXES}
    ids = base_iri + "id/"
    kinds = {iri[len(ids) :].split("/", 1)[0] for iri in iris if iri.startswith(ids) and "/" in iri[len(ids) :]}
    for kind in sorted(kinds):
        if re.fullmatch(r"[a-z][a-z0-9-]*", kind) and kind not in names:
            names[kind] = ids + kind + "/"
    return names
