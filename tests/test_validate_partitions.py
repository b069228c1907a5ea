"""Validation per announcement finds what validating the whole union finds, each result once.

The oracle is pyshacl run once on the union of all data, as validate did
before it split the data into partitions.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
import rdflib
from projects import INVALID, MINI, copy_project, patched
from rdflib.namespace import RDF, SH

from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.partition import partitions, reference_records
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.rdf.terms import to_rdflib
from rit_graph.runtime.cache import WRITING_FOR_AT_MOST, Cache
from rit_graph.validation.validate import _rit_prefix_declaration, validate, with_shape_targets

Signature = tuple[rdflib.term.Node | None, ...]


@pytest.fixture(scope="module")
def spanning(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The minimal project with two announcements; Kitakyushu, a Japanese city of the reference
    data, lacks its Japanese label, and the second announcement gives it a second German one.
    The second also gives the first announcement a second German title: only the two together
    break the rule of one German label."""
    folder = copy_project(MINI, tmp_path_factory.mktemp("spanning") / "project")
    reference = folder / "data" / "reference" / "reference.ttl"
    reference.write_text(reference.read_text(encoding="utf-8").replace(' , "北九州市"@ja', ""), encoding="utf-8")
    first = folder / "data" / "announcements" / "mini"
    second = folder / "data" / "announcements" / "second"
    second.mkdir()
    (second / "source.txt").write_text((first / "source.txt").read_text(encoding="utf-8"), encoding="utf-8")
    text = (first / "announcement.ttl").read_text(encoding="utf-8").replace("announcement/mini", "announcement/second")
    text = text.replace("ann:mini", "ann:second")
    text += '\n<id/place/kitakyushu> <http://www.w3.org/2000/01/rdf-schema#label> "Kitakyushu-shi"@de .\n'
    text += '<id/announcement/mini> <http://www.w3.org/2000/01/rdf-schema#label> "Eine andere Meldung"@de .\n'
    (second / "announcement.ttl").write_text(text, encoding="utf-8")
    return load(Project.open(folder))


def signatures(results: rdflib.Graph) -> list[Signature]:
    """What a validation result says, without the result's own blank node."""
    keys = (SH.focusNode, SH.sourceShape, SH.sourceConstraintComponent, SH.resultPath, SH.value, SH.resultSeverity)
    return sorted(
        (tuple(results.value(r, k) for k in keys) for r in results.subjects(RDF.type, SH.ValidationResult)),
        key=str,
    )


def union_results(corpus: Corpus) -> rdflib.Graph:
    import pyshacl

    project = corpus.project
    shapes = to_rdflib(corpus.shapes)
    shapes.add(_rit_prefix_declaration(project.ontology_iri, project.vocabulary, shapes))
    # The ontology and the shapes' targets in the data graph, as validate puts them (pyshacl's ont_graph
    # would add only the ontology's classes and properties, not its individuals such as rit:Scheduled).
    ontology = with_shape_targets(corpus.ontology, corpus.shapes)
    _, results, _ = pyshacl.validate(
        to_rdflib(corpus.quads, [t for r in reference_records(corpus).values() for t in r], ontology),
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
    )
    return results


@pytest.mark.parametrize("workers", [1, 2])
def test_partitions_find_what_the_union_finds(spanning: Corpus, workers: int) -> None:
    report = validate(Run(spanning, workers=workers))
    expected, found = signatures(union_results(spanning)), signatures(report.results)
    missing, extra = set(expected) - set(found), set(found) - set(expected)
    assert found == expected, f"missing: {missing}\nextra: {extra}"
    assert not report.conforms


def test_a_resource_in_every_partition_is_reported_once(spanning: Corpus) -> None:
    report = validate(Run(spanning, workers=2))
    (kitakyushu,) = [r for r in report.resources if r.focus == "<id/place/kitakyushu>"]
    assert kitakyushu.files == ["data/announcements/second/", "data/reference/"]
    assert [(f.shape, f.message) for f in kitakyushu.findings] == [
        ("<shapes#JapaneseLabel>", 'is Japanese and needs a Japanese label: add rdfs:label "…"@ja'),
        ("<shapes#Labelled>", 'needs exactly one German label: add rdfs:label "…"@de'),
    ]
    assert report.to_text().count("<id/place/kitakyushu>") == 1


def test_contradicting_announcements_are_reported_with_both_files(spanning: Corpus) -> None:
    """Each announcement conforms on its own; the resource both describe does not."""
    report = validate(Run(spanning, workers=2))
    (mini,) = [r for r in report.resources if r.focus == "<id/announcement/mini>"]
    assert mini.files == ["data/announcements/mini/", "data/announcements/second/"]
    assert [(f.shape, f.value) for f in mini.findings] == [("<shapes#Labelled>", None)]


def test_unchanged_partitions_come_from_the_cache(spanning: Corpus, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    first = validate(Run(spanning, workers=1, cache=cache))
    assert (cache.counts["validation hits"], cache.counts["validation misses"]) == (
        0,
        len(partitions(spanning, Run(spanning).reach, Cache(None))),
    )
    cached = Cache(tmp_path / "cache")
    again = validate(Run(spanning, workers=1, cache=cached))
    assert (cached.counts["validation hits"], cached.counts["validation misses"]) == (
        len(partitions(spanning, Run(spanning).reach, Cache(None))),
        0,
    )
    assert signatures(again.results) == signatures(first.results)
    assert again.to_text() == first.to_text()


def test_a_changed_announcement_is_validated_again_alone(spanning: Corpus, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    shutil.copytree(spanning.project.root, folder)
    cache = Cache(tmp_path / "cache")
    validate(Run(load(Project.open(folder)), workers=1, cache=cache))
    second = folder / "data" / "announcements" / "second" / "announcement.ttl"
    second.write_text(second.read_text(encoding="utf-8").replace("Eine andere Meldung", "Noch eine"), encoding="utf-8")
    again = Cache(tmp_path / "cache")
    validate(Run(load(Project.open(folder)), workers=1, cache=again))
    # The second announcement's partition and that of the resources both announcements describe.
    assert (again.counts["validation misses"], again.counts["validation hits"]) == (
        2,
        cache.counts["validation misses"] - 2,
    )


def test_a_sparql_result_carries_only_its_constraints_message(spanning: Corpus) -> None:
    """pyshacl also attaches the node shape's message; the report keeps the constraint's own."""
    report = validate(Run(patched(spanning, (INVALID / "Visit-end-before-start.ru").read_text(encoding="utf-8"))))
    (result,) = report.results.subjects(SH.sourceConstraintComponent, SH.SPARQLConstraintComponent)
    assert [str(m) for m in report.results.objects(result, SH.resultMessage)] == [
        "the end date is before the start date: correct one of them"
    ]


def test_a_cache_that_cannot_be_written_is_skipped(spanning: Corpus, tmp_path: Path) -> None:
    """A project on a read-only disk still validates; it is only not faster next time."""
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    cache = Cache(blocked / "cache")
    report = validate(Run(spanning, workers=1, cache=cache))
    assert not report.conforms
    assert cache.counts["validation unwritable"] >= len(partitions(spanning, Run(spanning).reach, Cache(None)))


def test_results_the_corpus_no_longer_has_are_removed_from_the_cache(spanning: Corpus, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    shutil.copytree(spanning.project.root, folder)
    cache = tmp_path / "cache"
    validate(Run(load(Project.open(folder)), workers=1, cache=Cache(cache)))
    entries = sorted(p.name for p in cache.rglob("*.nt"))
    second = folder / "data" / "announcements" / "second" / "announcement.ttl"
    second.write_text(second.read_text(encoding="utf-8").replace("Eine andere Meldung", "Noch eine"), encoding="utf-8")
    validate(Run(load(Project.open(folder)), workers=1, cache=Cache(cache)))
    now = sorted(p.name for p in cache.rglob("*.nt"))
    assert len(now) == len(entries), "two stale results replaced by two new ones"
    assert len(set(now) - set(entries)) == 2


def test_values_a_killed_run_left_half_written_are_removed_later(spanning: Corpus, tmp_path: Path) -> None:
    """A value is written under a "." name, then renamed; a run killed in between leaves the "." file,
    which a later run removes once it is older than any write takes, and not while another run may be writing it."""
    cache = tmp_path / "cache"
    validate(Run(spanning, workers=1, cache=Cache(cache)))
    beside = next(cache.rglob("*.nt")).parent
    abandoned, writing = beside / ".abandoned.nt", beside / ".writing.nt"
    for path in (abandoned, writing):
        path.write_bytes(b"<a> <b> <c")
    long_ago = time.time() - WRITING_FOR_AT_MOST - 1
    os.utime(abandoned, (long_ago, long_ago))
    validate(Run(spanning, workers=1, cache=Cache(cache)))
    assert not abandoned.exists()
    assert writing.exists()
