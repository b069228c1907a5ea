"""Describe the dumps in DCAT-AP.de terms with VoID statistics, and gzip them.

Open-data portals such as GovData harvest ``catalog.ttl``: one dcat:Dataset
with a dcat:Distribution per file (download URL, media type, format, byte
size, licence, SHA-256 checksum as ``spdx:checksum``) and VoID figures
computed from the graph. Nothing is invented: a publisher appears only when
the project's settings name one.
"""

from __future__ import annotations

import array
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus
from rit_graph.rdf.formats import for_path
from rit_graph.rdf.namespaces import DCTERMS, FOAF, RDF_TYPE, XSD
from rit_graph.rdf.ntriples import triple_order

DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"

#: EU file-type authority codes for the formats rit-graph writes.
FILE_TYPES = {
    "turtle": "RDF_TURTLE",
    "ntriples": "RDF_N_TRIPLES",
    "trig": "RDF_TRIG",
    "jsonld": "JSON_LD",
    "nquads": "RDF_N_QUADS",
    "rdfxml": "RDF_XML",
}
#: The EU vocabulary's code of each language a dataset's texts may be in (dcterms:language).
EU_LANGUAGE_CODES = {"de": "DEU", "en": "ENG", "ja": "JPN"}
CATALOG_FILE = "catalog.ttl"

PREFIXES = {
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "void": VOID,
    "spdx": SPDX,
    "foaf": FOAF,
    "xsd": XSD,
    "dcatde": "http://dcat-ap.de/def/dcatde/",
}


@dataclass(frozen=True)
class Download:
    """What a downloads page and the catalog say of one file."""

    name: str
    media_type: str
    size: int
    sha256: str
    compressed: bool


def describe(path: Path) -> Download:
    data = path.read_bytes()
    return Download(path.name, media_type(path), len(data), hashlib.sha256(data).hexdigest(), path.suffix == ".gz")


def media_type(path: Path) -> str:
    """The media type of PATH's content: of the file inside for a .gz file."""
    rdf_format = for_path(Path(path.stem) if path.suffix == ".gz" else path)
    return rdf_format.media_type if rdf_format else "application/octet-stream"


def catalog(corpus: Corpus, downloads: list[Download], shared: list[ox.Triple]) -> list[ox.Triple]:
    """The DCAT-AP.de description of the dataset and its distributions, with VoID statistics."""
    project = corpus.project
    base = project.base_iri
    dataset = ox.NamedNode(base + "dataset")
    catalog_node = ox.NamedNode(base + "catalog")
    licence = ox.NamedNode(project.setting("license"))
    download_base = project.setting("downloads_url") or base + "downloads/"
    triples = [
        ox.Triple(catalog_node, RDF_TYPE, ox.NamedNode(DCAT + "Catalog")),
        ox.Triple(catalog_node, _n(DCTERMS, "title"), ox.Literal(project.setting("title"))),
        ox.Triple(catalog_node, _n(DCAT, "dataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, ox.NamedNode(DCAT + "Dataset")),
        ox.Triple(dataset, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
        ox.Triple(dataset, _n(DCTERMS, "title"), ox.Literal(project.setting("title"))),
        ox.Triple(dataset, _n(DCTERMS, "description"), ox.Literal(project.setting("description"))),
        ox.Triple(dataset, _n(DCTERMS, "license"), licence),
        ox.Triple(dataset, _n(DCAT, "theme"), ox.NamedNode(EU_THEME + "ECON")),
        ox.Triple(dataset, _n(VOID, "sparqlEndpoint"), ox.NamedNode(base + "sparql")),
        ox.Triple(dataset, _n(VOID, "uriSpace"), ox.Literal(base + "id/")),
    ]
    if project.setting("publisher_name") and project.setting("publisher_iri"):
        publisher = ox.NamedNode(project.setting("publisher_iri"))
        triples += [
            ox.Triple(dataset, _n(DCTERMS, "publisher"), publisher),
            ox.Triple(catalog_node, _n(DCTERMS, "publisher"), publisher),
            ox.Triple(publisher, RDF_TYPE, ox.NamedNode(FOAF + "Agent")),
            ox.Triple(publisher, _n(FOAF, "name"), ox.Literal(project.setting("publisher_name"))),
        ]
    triples += _void(corpus, shared, dataset)
    for item in downloads:
        triples += _distribution(base, dataset, licence, download_base, item)
    return sorted(set(triples), key=triple_order)


def write_catalog(corpus: Corpus, folder: Path, downloads: list[Download], shared: list[ox.Triple]) -> Path:
    """catalog.ttl describing DOWNLOADS; SHARED are the triples about resources several units describe."""
    path = folder / CATALOG_FILE
    ox.serialize(catalog(corpus, downloads, shared), str(path), ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return path


def _distribution(
    base: str, dataset: ox.NamedNode, licence: ox.NamedNode, download_base: str, item: Download
) -> list[ox.Triple]:
    node = ox.NamedNode(f"{base}dataset/distribution/{item.name}")
    checksum = ox.BlankNode("sha256-" + item.sha256[:16])
    inner = Path(item.name[:-3]) if item.compressed else Path(item.name)
    rdf_format = for_path(inner)
    url = ox.NamedNode(download_base + item.name)
    triples = [
        ox.Triple(dataset, _n(DCAT, "distribution"), node),
        ox.Triple(node, RDF_TYPE, ox.NamedNode(DCAT + "Distribution")),
        ox.Triple(node, _n(DCTERMS, "title"), ox.Literal(item.name)),
        ox.Triple(node, _n(DCAT, "downloadURL"), url),
        ox.Triple(node, _n(DCAT, "accessURL"), url),
        ox.Triple(node, _n(DCAT, "mediaType"), ox.NamedNode(IANA + item.media_type)),
        ox.Triple(node, _n(DCAT, "byteSize"), ox.Literal(str(item.size), datatype=_n(XSD, "nonNegativeInteger"))),
        ox.Triple(node, _n(DCTERMS, "license"), licence),
        ox.Triple(node, _n(SPDX, "checksum"), checksum),
        ox.Triple(checksum, RDF_TYPE, ox.NamedNode(SPDX + "Checksum")),
        ox.Triple(checksum, _n(SPDX, "algorithm"), ox.NamedNode(SPDX + "checksumAlgorithm_sha256")),
        ox.Triple(checksum, _n(SPDX, "checksumValue"), ox.Literal(item.sha256, datatype=_n(XSD, "hexBinary"))),
    ]
    if rdf_format and rdf_format.name in FILE_TYPES:
        triples.append(ox.Triple(node, _n(DCTERMS, "format"), ox.NamedNode(EU_FILE_TYPE + FILE_TYPES[rdf_format.name])))
        if item.name.startswith("rit-graph."):
            triples.append(ox.Triple(dataset, _n(VOID, "dataDump"), url))
    if item.compressed:
        triples.append(ox.Triple(node, _n(DCAT, "compressFormat"), ox.NamedNode(IANA + "application/gzip")))
    return triples


def _void(corpus: Corpus, shared: list[ox.Triple], dataset: ox.NamedNode) -> list[ox.Triple]:
    """VoID figures of the default graph (a triple in several graphs counts once), from the units' summaries.

    Only triples about a resource several units describe can be in several
    units, so the triples are those of each unit about what it alone
    describes, and SHARED, the triples about the others, each once.
    """
    shared_classes: dict[str, set[str]] = {str(t.subject): set() for t in shared}
    members: dict[str, int] = {}
    objects: set[int] = set()
    properties: set[str] = set()
    languages: set[str] = set()
    alone = subjects = entities = 0
    for unit in corpus.units:
        summary = unit.summary
        for subject, (n, types) in summary.subjects.items():
            if subject in shared_classes:
                shared_classes[subject].update(types)
                continue
            alone += n
            subjects += 1
            entities += bool(types)
            for cls in types:
                members[cls] = members.get(cls, 0) + 1
        objects.update(array.array("Q", summary.objects))
        properties.update(summary.predicates)
        languages.update(summary.languages)
    for named in shared_classes.values():
        entities += bool(named)
        for cls in named:
            members[cls] = members.get(cls, 0) + 1
    members = {cls: n for cls, n in members.items() if cls.startswith("<")}

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=_n(XSD, "integer"))

    out = [
        ox.Triple(dataset, _n(VOID, "triples"), integer(alone + len(shared))),
        ox.Triple(dataset, _n(VOID, "distinctSubjects"), integer(subjects + len(shared_classes))),
        ox.Triple(dataset, _n(VOID, "distinctObjects"), integer(len(objects))),
        ox.Triple(dataset, _n(VOID, "properties"), integer(len(properties))),
        ox.Triple(dataset, _n(VOID, "classes"), integer(len(members))),
        ox.Triple(dataset, _n(VOID, "entities"), integer(entities)),
    ]
    for lang in sorted(languages):
        if lang in EU_LANGUAGE_CODES:
            out.append(ox.Triple(dataset, _n(DCTERMS, "language"), ox.NamedNode(EU_LANGUAGE + EU_LANGUAGE_CODES[lang])))
    for cls, n in sorted(members.items()):
        iri = cls[1:-1]
        partition = ox.BlankNode("class-" + hashlib.sha1(iri.encode()).hexdigest()[:16])
        out += [
            ox.Triple(dataset, _n(VOID, "classPartition"), partition),
            ox.Triple(partition, _n(VOID, "class"), ox.NamedNode(iri)),
            ox.Triple(partition, _n(VOID, "entities"), integer(n)),
        ]
    return out


def _n(namespace: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + local)
