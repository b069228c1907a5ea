"""catalog.ttl describes every download in DCAT-AP.de terms, with true sizes and checksums."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
from collections import Counter
from pathlib import Path

import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run

SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DUMPS = ("rit-graph.ttl", "rit-graph.nt", "rit-graph.trig", "rit-graph.jsonld")


def read_catalog(dist: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(dist / "catalog.ttl", format="turtle")


def distributions(catalog: rdflib.Graph) -> dict[str, rdflib.term.Node]:
    return {
        str(catalog.value(d, DCAT.downloadURL)).rsplit("/", 1)[1]: d
        for d in catalog.subjects(RDF.type, DCAT.Distribution)
    }


def test_every_file_beside_the_catalog_is_a_distribution(built: Path) -> None:
    files = {p.name for p in built.iterdir() if p.is_file() and p.name != "catalog.ttl"}
    assert set(distributions(read_catalog(built))) == files
    assert {d + ".gz" for d in DUMPS} <= files


def test_sizes_and_sha256_checksums_match_the_files(built: Path) -> None:
    catalog = read_catalog(built)
    for name, node in distributions(catalog).items():
        data = (built / name).read_bytes()
        size = catalog.value(node, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == len(data), name
        checksum = catalog.value(node, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest(), name


def test_distributions_carry_media_type_format_and_licence(built: Path) -> None:
    catalog = read_catalog(built)
    dists = distributions(catalog)
    turtle = dists["rit-graph.ttl"]
    assert catalog.value(turtle, DCAT.mediaType) == rdflib.URIRef(
        "https://www.iana.org/assignments/media-types/text/turtle"
    )
    assert catalog.value(turtle, DCTERMS.format) == rdflib.URIRef(
        "http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE"
    )
    gz = dists["rit-graph.nt.gz"]
    assert catalog.value(gz, DCAT.mediaType) == rdflib.URIRef(
        "https://www.iana.org/assignments/media-types/application/n-triples"
    )
    assert catalog.value(gz, DCAT.compressFormat) == rdflib.URIRef(
        "https://www.iana.org/assignments/media-types/application/gzip"
    )
    for node in dists.values():
        assert catalog.value(node, DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert catalog.value(node, DCAT.accessURL) == catalog.value(node, DCAT.downloadURL)


def test_gzip_versions_hold_the_same_bytes_for_python_and_the_gzip_tool(built: Path) -> None:
    """A gzip version is one member per piece, one after the other, which every gzip reader joins."""
    for name in DUMPS:
        assert gzip.decompress((built / (name + ".gz")).read_bytes()) == (built / name).read_bytes()
        tool = subprocess.run(["gzip", "-dc", str(built / (name + ".gz"))], capture_output=True, check=True)
        assert tool.stdout == (built / name).read_bytes()


def test_void_statistics_count_the_graph(built: Path, corpus: Corpus, bwi_corpus: Corpus) -> None:
    catalog = read_catalog(built)
    dataset = catalog.value(None, RDF.type, DCAT.Dataset)
    assert (dataset, RDF.type, VOID.Dataset) in catalog
    triples = {q.triple for q in corpus.quads}
    assert int(catalog.value(dataset, VOID.triples)) == len(triples)
    assert int(catalog.value(dataset, VOID.distinctSubjects)) == len({t.subject for t in triples})
    assert int(catalog.value(dataset, VOID.distinctObjects)) == len({t.object for t in triples})
    assert int(catalog.value(dataset, VOID.properties)) == len({t.predicate for t in triples})
    typed = {t.subject for t in triples if t.predicate.value == str(RDF.type)}
    assert int(catalog.value(dataset, VOID.entities)) == len(typed) > 200
    assert int(catalog.value(dataset, VOID.classes)) == len(
        {t.object for t in triples if t.predicate.value == str(RDF.type)}
    )
    partitions = {
        str(catalog.value(p, VOID["class"])): int(catalog.value(p, VOID.entities))
        for p in catalog.objects(dataset, VOID.classPartition)
    }
    # The bw-i announcement with its reference data holds two partnerships and three cities; other
    # announcements and reference files in data/ may add more.
    bwi_types = Counter(
        q.object.value for q in {q.triple for q in bwi_corpus.quads} if q.predicate.value == str(RDF.type)
    )
    assert bwi_types[corpus.project.vocabulary + "Partnership"] == 2
    assert bwi_types[corpus.project.vocabulary + "City"] == 3
    assert partitions[corpus.project.vocabulary + "Partnership"] >= 2
    assert partitions[corpus.project.vocabulary + "City"] >= 3
    members: dict[str, set[object]] = {}
    for t in triples:
        if t.predicate.value == str(RDF.type):
            members.setdefault(t.object.value, set()).add(t.subject)  # type: ignore[union-attr]
    assert partitions == {cls: len(subjects) for cls, subjects in members.items()}
    languages = set(catalog.objects(dataset, DCTERMS.language))
    assert {str(lang).rsplit("/", 1)[1] for lang in languages} == {"DEU", "ENG", "JPN"}
    dumps = {str(u).rsplit("/", 1)[1] for u in catalog.objects(dataset, VOID.dataDump)}
    assert set(DUMPS) <= dumps


def test_no_publisher_unless_the_settings_name_one(built: Path, mini_folder: Path, tmp_path: Path) -> None:
    assert not list(read_catalog(built).objects(None, DCTERMS.publisher)), "a publisher must never be guessed"
    settings = mini_folder / "rit-graph.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + 'publisher_name = "Example Publisher"\npublisher_iri = "https://example.org/publisher"\n',
        encoding="utf-8",
    )
    from rit_graph.output.build import build

    out = tmp_path / "dist"
    build(Run(load(Project.open(mini_folder))), out)
    catalog = read_catalog(out)
    publisher = catalog.value(catalog.value(None, RDF.type, DCAT.Dataset), DCTERMS.publisher)
    assert publisher == rdflib.URIRef("https://example.org/publisher")
    assert str(catalog.value(publisher, rdflib.FOAF.name)) == "Example Publisher"
