"""rit-graph stats: counts by class, announcement graph and language, checked against the data itself."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from rit_graph.cli import cli
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.stats import stats

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ANNOTATION = "http://www.w3.org/ns/oa#Annotation"


def test_counts_agree_with_the_data(corpus: Corpus) -> None:
    result = stats(corpus)
    triples = {q.triple for q in corpus.data}
    assert result.triples == len(triples)
    typed = {(t.subject, t.object.value) for t in triples if t.predicate.value == RDF_TYPE}
    assert dict(result.by_class) == Counter(c for _, c in typed)
    languages = Counter(t.object.language for t in triples if isinstance(t.object, ox.Literal) and t.object.language)
    assert dict(result.by_language) == languages


def test_counts_by_graph(corpus: Corpus) -> None:
    project = corpus.project
    by_graph = {g: (t, a) for g, t, a in stats(corpus).by_graph}
    announcements = {project.graph_iri("announcement", name) for name in corpus.announcement_graphs}
    assert project.graph_iri("announcement", "bwi-cluster-japan-rit") in announcements
    assert set(by_graph) == {project.graph_iri("reference")} | announcements
    for iri, (count, annotated) in by_graph.items():
        quads = list(corpus.data.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
        assert count == len(quads)
        assert annotated == sum(1 for q in quads if q.predicate.value == RDF_TYPE and q.object.value == ANNOTATION)
    assert by_graph[project.graph_iri("announcement", "bwi-cluster-japan-rit")][1] == 21
    assert by_graph[project.graph_iri("reference")][1] == 0


def test_the_announcement_is_labelled_in_german_english_and_japanese(corpus: Corpus) -> None:
    languages = dict(stats(corpus).by_language)
    assert set(languages) == {"de", "en", "ja"}
    assert languages["de"] > languages["ja"] > 0


def test_cli_output_names_classes_graphs_and_languages_relative_to_the_base(mini_folder: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--project", str(mini_folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # The ontology's figure changes with the ontology; the data's is the minimal project's.
    assert re.fullmatch(
        r"\d+ triples \(union of all graphs, each once; 203 in the data graphs, \d+ only in graph/ontology\)", lines[0]
    ), lines[0]
    assert "       3  rit:Country" in lines
    assert "       1  rit:Announcement" in lines
    graphs = lines[lines.index("by graph (triples, annotations):") + 1 :]
    assert graphs[:2] == ["      49     2  graph/announcement/mini", "     154     0  graph/reference"]
    languages = lines[lines.index("labels and texts by language:") + 1 :]
    assert languages == ["      30  de", "      25  en", "       6  ja"]
    assert "example.org" not in result.output
