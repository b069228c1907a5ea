"""rit-graph build: four dumps of one graph, byte-identical across runs, all or nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result
from helpers import assert_isomorphic, tree
from projects import ROOT
from pyld import jsonld as pyld

import rit_graph.output.build
import rit_graph.schemaorg
from rit_graph import schemaorg
from rit_graph.cli import cli
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.run import Run
from rit_graph.rdf import jsonld

DUMPS = ("rit-graph.ttl", "rit-graph.nt", "rit-graph.trig", "rit-graph.jsonld", "context.jsonld")


def build(out: Path, project: Path = ROOT) -> Result:
    return CliRunner().invoke(cli, ["build", "--project", str(project), "--out", str(out)])


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "dist"
    result = build(out)
    assert result.exit_code == 0, result.output
    return out


def rdflib_parse(text: str, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format=fmt)


def from_oxigraph(triples: list[ox.Triple] | list[ox.Quad]) -> rdflib.Graph:
    """The loaded data as rdflib reads it, so both sides of a comparison go through one parser."""
    nt = ox.serialize([ox.Triple(t.subject, t.predicate, t.object) for t in triples], format=ox.RdfFormat.N_TRIPLES)
    return rdflib_parse(nt.decode("utf-8"), "nt")


@pytest.fixture(scope="module")
def expected(corpus: Corpus) -> rdflib.Graph:
    return from_oxigraph(corpus.quads)


def test_build_writes_every_dump_and_reports_it(dist: Path) -> None:
    for name in DUMPS:
        assert (dist / name).stat().st_size > 0


@pytest.mark.parametrize(("name", "fmt"), [("rit-graph.ttl", "turtle"), ("rit-graph.nt", "nt")])
def test_dump_is_the_loaded_graph(dist: Path, expected: rdflib.Graph, name: str, fmt: str) -> None:
    assert_isomorphic(expected, rdflib_parse((dist / name).read_text(encoding="utf-8"), fmt), name)


def test_trig_holds_one_named_graph_per_announcement_and_the_reference_graph(
    dist: Path, corpus: Corpus, expected: rdflib.Graph
) -> None:
    dataset = rdflib.Dataset()
    dataset.parse(dist / "rit-graph.trig", format="trig")
    named = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    project = corpus.project
    announcements = {project.graph_iri("announcement", name) for name in corpus.announcement_graphs}
    assert project.graph_iri("announcement", "bwi-cluster-japan-rit") in announcements
    assert set(named) == {project.graph_iri("reference")} | announcements
    for iri, graph in named.items():
        assert_isomorphic(from_oxigraph(corpus.graph(ox.NamedNode(iri))), graph, iri)
    union = rdflib.Graph()
    for graph in named.values():
        union += graph
    assert_isomorphic(expected, union, "union of the TriG graphs")


def test_context_file_is_the_package_context(dist: Path) -> None:
    shipped = json.loads((dist / "context.jsonld").read_text(encoding="utf-8"))
    assert shipped == jsonld.package_context("context.jsonld")
    assert json.loads((dist / "rit-graph.jsonld").read_text(encoding="utf-8"))["@context"] == shipped["@context"]


def test_jsonld_read_by_pyld_with_the_shipped_context_and_by_rdflib(dist: Path, expected: rdflib.Graph) -> None:
    document = json.loads((dist / "rit-graph.jsonld").read_text(encoding="utf-8"))
    document["@context"] = json.loads((dist / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    expanded = pyld.expand(document, jsonld.OPTIONS)
    nquads = pyld.to_rdf(expanded, {"format": "application/n-quads", **jsonld.OPTIONS})
    by_pyld = rdflib_parse(nquads, "nt")
    by_rdflib = rdflib_parse((dist / "rit-graph.jsonld").read_text(encoding="utf-8"), "json-ld")
    assert_isomorphic(expected, by_pyld, "pyld")
    assert_isomorphic(by_pyld, by_rdflib, "pyld and rdflib")


def test_jsonld_names_no_remote_context(dist: Path) -> None:
    text = (dist / "rit-graph.jsonld").read_text(encoding="utf-8")
    assert isinstance(json.loads(text)["@context"], dict)
    with pytest.raises(pyld.JsonLdError):
        pyld.expand({"@context": "https://example.org/context.jsonld", "x": 1}, jsonld.OPTIONS)


def test_a_second_build_gives_the_same_bytes_and_replaces_the_old_output(dist: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "stale.txt").write_text("from an earlier build")
    result = build(out)
    assert result.exit_code == 0, result.output
    assert tree(out) == tree(dist)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"], "no staging folder is left behind"


def previous_output(parent: Path) -> tuple[Path, dict[str, bytes]]:
    out = parent / "dist"
    (out / "sub").mkdir(parents=True)
    (out / "rit-graph.ttl").write_text("# the previous build\n")
    (out / "sub" / "keep.bin").write_bytes(bytes(range(256)))
    return out, tree(out)


def test_invalid_data_exits_1_and_leaves_the_previous_output(mini_folder: Path, tmp_path: Path) -> None:
    data = mini_folder / "data" / "reference" / "reference.ttl"
    data.write_text(data.read_text(encoding="utf-8").replace('rit:unitCode "KMT" ;', ""), encoding="utf-8")
    out, before = previous_output(tmp_path / "site")
    result = build(out, mini_folder)
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert "needs exactly one unit" in result.output
    assert tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["dist"]


def test_malformed_input_exits_2_and_leaves_the_previous_output(mini_folder: Path, tmp_path: Path) -> None:
    (mini_folder / "data" / "reference" / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    out, before = previous_output(tmp_path / "site")
    result = build(out, mini_folder)
    assert result.exit_code == 2
    assert "broken.ttl:1:" in result.output
    assert tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["dist"]


def test_a_failure_while_writing_leaves_the_previous_output(
    mini_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing half the dumps and then failing (a full disk, say) must not touch the previous output."""
    out, before = previous_output(tmp_path)

    def half_then_fail(corpus: Corpus, folder: Path, *args: object) -> list[Path]:
        (folder / "rit-graph.ttl").write_text("half")
        raise OSError("No space left on device")

    monkeypatch.setattr(rit_graph.output.build, "write_dumps", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        rit_graph.output.build.build(Run(mini_corpus), out)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_a_writer_failing_in_its_own_process_fails_the_build(
    mini_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dumps' pieces are rendered by forked processes; one that fails fails the build, which writes nothing."""
    out, before = previous_output(tmp_path)

    def fail(*args: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(rit_graph.rdf.jsonld, "compact", fail)  # what renders the schema.org pieces
    (tmp_path / "dumps").mkdir()
    with pytest.raises(OSError, match="No space"):
        rit_graph.output.build.write_dumps(
            Run(mini_corpus, workers=2), tmp_path / "dumps", schemaorg.projections(Run(mini_corpus))
        )
    with pytest.raises(OSError, match="No space"):
        rit_graph.output.build.build(Run(mini_corpus), out)
    assert tree(out) == before


def test_a_copy_of_the_project_elsewhere_builds_the_same_bytes(dist: Path, tmp_path: Path) -> None:
    """Blank-node labels and everything else depend on the project's content, not on where it lies."""
    copy = tmp_path / "somewhere" / "else"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, copy / folder)
    result = build(tmp_path / "dist", copy)
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "dist") == tree(dist)


def test_schema_org_warnings_are_summarised_once_per_kind_of_gap(tmp_path: Path) -> None:
    """One line per kind of gap, with how many resources have it and the first two of them: not one line per
    resource and property (43 lines for the repository's data once)."""
    result = CliRunner().invoke(cli, ["build", "--no-site", "--project", str(ROOT), "--out", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "× warning: " in line]
    kinds = [line.split("× warning: ", 1)[1].split(" (<", 1)[0] for line in lines]
    assert len(kinds) == len(set(kinds)) >= 5
    (logo,) = [line for line in lines if "<http://schema.org/logo>: Google recommends a logo" in line]
    count = int(logo.split("×")[0])
    assert count > 3 and logo.endswith(f" and {count - 2} more)") and logo.count("<id/") == 2
    assert not (tmp_path / "d" / "site").exists(), "--no-site writes no site"
