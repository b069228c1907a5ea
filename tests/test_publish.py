"""rit-graph publish: every graph replaced in a real SPARQL store over the Graph Store Protocol, then verified."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result
from helpers import assert_isomorphic
from http_recorder import RecordingStore
from live_server import free_port
from oxigraph_server import OxigraphServer
from projects import ROOT

from rit_graph.cli import cli
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.output.publish import PROGRESS_FROM, progress_for
from rit_graph.runtime.progress import Progress
from rit_graph.stores.remote import (
    PASSWORD_VARIABLE,
    SCHEME_VARIABLE,
    TOKEN_VARIABLE,
    USER_VARIABLE,
)

ANNOUNCEMENT = Path("data") / "announcements" / "mini" / "announcement.ttl"
OLD_LABEL = '"A small test announcement"@en'
NEW_LABEL = '"A renamed test announcement"@en'
NO_CREDENTIALS = {USER_VARIABLE: None, PASSWORD_VARIABLE: None, TOKEN_VARIABLE: None, SCHEME_VARIABLE: None}


def publish(url: str, project: Path = ROOT, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["publish", "--project", str(project), "--to", url], env={**NO_CREDENTIALS, **(env or {})}
    )


def own_base(folder: Path) -> Path:
    """Give a copied project a base IRI of its own, so its graphs in the shared store are its alone."""
    (folder / "rit-graph.toml").write_text(
        f'[project]\nbase_iri = "https://example.org/{folder.parent.name}/"\n', encoding="utf-8"
    )
    return folder


def as_stored(triples: list[ox.Triple]) -> rdflib.Graph:
    """TRIPLES as a store keeps them (typed literals in canonical form, "P12M" as "P1Y"), read by rdflib."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    nt = ox.serialize([q.triple for q in store], format=ox.RdfFormat.N_TRIPLES) or b""
    return rdflib.Graph().parse(data=nt.decode("utf-8"), format="nt")


def in_store(oxigraph: OxigraphServer, iri: str) -> rdflib.Graph:
    text = oxigraph.graph_ntriples(iri)
    assert text is not None, f"the store has no graph <{iri}>"
    return rdflib.Graph().parse(data=text, format="nt")


def dump_graphs(dist: Path, base_iri: str) -> dict[str, list[ox.Triple]]:
    """The named graphs of a build's TriG dump, and graph/ontology from its ontology.ttl."""
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=dist / "rit-graph.trig", format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode)
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    graphs[base_iri + "graph/ontology"] = [
        q.triple for q in ox.parse(path=dist / "ontology.ttl", format=ox.RdfFormat.TURTLE)
    ]
    return graphs


def build(project: Path, out: Path) -> Path:
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_every_graph_of_the_project_is_in_the_store_as_in_the_dump(oxigraph: OxigraphServer, built: Path) -> None:
    result = publish(oxigraph.store_url)
    assert result.exit_code == 0, result.output
    expected = dump_graphs(built, "https://w3id.org/rit-graph/")
    announcements = {
        "https://w3id.org/rit-graph/graph/announcement/" + item.name for item in Project.open(ROOT).announcements()
    }
    assert "https://w3id.org/rit-graph/graph/announcement/bwi-cluster-japan-rit" in announcements
    shared = {"https://w3id.org/rit-graph/graph/reference", "https://w3id.org/rit-graph/graph/ontology"}
    assert set(expected) == shared | announcements
    assert set(expected) <= oxigraph.graphs()
    for iri, triples in expected.items():
        assert_isomorphic(as_stored(triples), in_store(oxigraph, iri), iri)
        assert f"{iri}  " in result.output and "ok" in result.output
    assert f"published {len(expected)} graphs" in result.output
    assert "every graph read back with the same number of triples" in result.output


def test_publishing_twice_leaves_identical_contents(oxigraph: OxigraphServer, mini_folder: Path) -> None:
    project = own_base(mini_folder)
    base = Project.open(project).base_iri
    first = publish(oxigraph.store_url, project)
    assert first.exit_code == 0, first.output
    ours = {g for g in oxigraph.graphs() if g.startswith(base)}
    before = {iri: in_store(oxigraph, iri) for iri in ours}
    again = publish(oxigraph.store_url, project)
    assert again.exit_code == 0, again.output
    assert {g for g in oxigraph.graphs() if g.startswith(base)} == ours
    for iri, graph in before.items():
        after = in_store(oxigraph, iri)
        assert len(after) == len(graph), iri
        assert_isomorphic(graph, after, iri)


def test_republishing_after_an_edit_replaces_the_graph_without_stale_triples(
    oxigraph: OxigraphServer, mini_folder: Path, tmp_path: Path
) -> None:
    project = own_base(mini_folder)
    assert publish(oxigraph.store_url, project).exit_code == 0
    announcement = project / ANNOUNCEMENT
    announcement.write_text(announcement.read_text(encoding="utf-8").replace(OLD_LABEL, NEW_LABEL), encoding="utf-8")
    result = publish(oxigraph.store_url, project)
    assert result.exit_code == 0, result.output
    base = Project.open(project).base_iri
    for iri, triples in dump_graphs(build(project, tmp_path / "dist"), base).items():
        assert_isomorphic(as_stored(triples), in_store(oxigraph, iri), iri)
    ask = f"ASK {{ GRAPH ?g {{ <{base}id/announcement/mini> ?p {OLD_LABEL} }} }}"
    answer = httpx.post(oxigraph.query_url, data={"query": ask}, headers={"Accept": "application/sparql-results+json"})
    assert answer.json()["boolean"] is False, "the old label is still in the store"


def test_data_that_does_not_conform_is_not_sent(mini_folder: Path) -> None:
    announcement = mini_folder / ANNOUNCEMENT
    text = announcement.read_text(encoding="utf-8")
    announcement.write_text(text.replace(f", {OLD_LABEL}", ""), encoding="utf-8")
    with RecordingStore() as store:
        result = publish(store.url + "/store", mini_folder)
    assert result.exit_code == 1, result.output
    assert "nothing was published" in result.output
    assert store.requests == []


def test_a_wrong_url_gives_a_clear_message_and_exit_status_3(oxigraph: OxigraphServer, bwi_only: Project) -> None:
    nobody = publish(f"http://127.0.0.1:{free_port()}/store", bwi_only.root)
    assert nobody.exit_code == 3, nobody.output
    assert "cannot connect to the store" in nobody.output and "check the URL" in nobody.output
    wrong_path = publish(oxigraph.url + "/not-the-store", bwi_only.root)
    assert wrong_path.exit_code == 3, wrong_path.output
    assert "404" in wrong_path.output and "graph/announcement/bwi-cluster-japan-rit" in wrong_path.output
    assert (
        "Graph Store Protocol endpoint" in wrong_path.output
        and "Oxigraph server: http://HOST:7878/store" in wrong_path.output
    )
    query_endpoint = publish(oxigraph.query_url, bwi_only.root)
    assert query_endpoint.exit_code == 3, query_endpoint.output
    assert "Traceback" not in nobody.output + wrong_path.output + query_endpoint.output
    not_http = publish("ftp://127.0.0.1/store", bwi_only.root)
    assert not_http.exit_code == 2
    assert "not an http:// or https:// URL" in not_http.output


def test_a_refusal_names_the_graph_the_status_and_what_to_do(bwi_only: Project) -> None:
    with RecordingStore() as store:
        store.put_status = 401
        result = publish(store.url + "/store", bwi_only.root)
    assert result.exit_code == 3, result.output
    assert "graph/announcement/bwi-cluster-japan-rit" in result.output and "401" in result.output
    assert USER_VARIABLE in result.output and TOKEN_VARIABLE in result.output
    assert "0 of 3 graphs were published before" in result.output


@pytest.mark.parametrize(
    "env, header",
    [
        (
            {USER_VARIABLE: "publisher", PASSWORD_VARIABLE: "s3cret-pw"},
            "Basic " + base64.b64encode(b"publisher:s3cret-pw").decode(),
        ),
        ({TOKEN_VARIABLE: "s3cret-token"}, "Bearer s3cret-token"),
        ({}, None),
    ],
    ids=["basic", "bearer", "none"],
)
def test_credentials_from_the_environment_are_sent_and_never_printed(
    env: dict[str, str | None], header: str | None
) -> None:
    with RecordingStore() as store:
        result = publish(store.url + "/store", env=env)
    assert result.exit_code == 0, result.output
    assert {r.method for r in store.requests} == {"PUT", "GET"}
    assert [r.headers.get("authorization") for r in store.requests] == [header] * len(store.requests)
    assert "s3cret" not in result.output


def test_digest_credentials_answer_the_stores_challenge(bwi_only: Project) -> None:
    with RecordingStore() as store:
        store.digest = ("publisher", "s3cret-pw")
        result = publish(
            store.url + "/store",
            bwi_only.root,
            env={SCHEME_VARIABLE: "digest", USER_VARIABLE: "publisher", PASSWORD_VARIABLE: "s3cret-pw"},
        )
        assert result.exit_code == 0, result.output
        assert len(store.graphs) == 4
        wrong = publish(
            store.url + "/store",
            bwi_only.root,
            env={SCHEME_VARIABLE: "digest", USER_VARIABLE: "publisher", PASSWORD_VARIABLE: "n0t-the-pw"},
        )
    assert wrong.exit_code == 3
    assert "401" in wrong.output and USER_VARIABLE in wrong.output
    assert "s3cret" not in result.output and "n0t-the-pw" not in wrong.output


def test_credentials_that_contradict_each_other_are_refused_before_anything_is_sent() -> None:
    with RecordingStore() as store:
        result = publish(store.url + "/store", env={TOKEN_VARIABLE: "s3cret-token", USER_VARIABLE: "publisher"})
    assert result.exit_code == 2
    assert TOKEN_VARIABLE in result.output and "s3cret" not in result.output
    assert store.requests == []


def test_a_store_that_holds_fewer_triples_than_were_sent_fails_naming_the_graphs(bwi_only: Project) -> None:
    with RecordingStore() as store:
        store.drop_lines = 1
        result = publish(store.url + "/store", bwi_only.root)
    assert result.exit_code == 3, result.output
    assert "does not hold what was sent" in result.output
    assert "graph/reference: sent 134 triples, the store holds 133" in result.output
    assert "MISMATCH" in result.output


def test_the_triples_are_sent_as_written_sorted_and_once(bwi_only: Project) -> None:
    with RecordingStore() as store:
        assert publish(store.url + "/store", bwi_only.root).exit_code == 0
        first = dict(store.graphs)
        assert publish(store.url + "/store", bwi_only.root).exit_code == 0
    assert store.graphs == first, "the same project gives the same bytes"
    for iri, body in first.items():
        triples = [q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
        assert triples == sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))), iri
    announcement = first["https://w3id.org/rit-graph/graph/announcement/bwi-cluster-japan-rit"].decode("utf-8")
    assert '"P12M"^^<http://www.w3.org/2001/XMLSchema#duration>' in announcement, "literals go out as written"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_for_many_graphs_only() -> None:
    terminal = Terminal()
    progress = progress_for(Progress.on_terminal(terminal), PROGRESS_FROM)
    progress.start("publishing", PROGRESS_FROM)
    for _ in range(PROGRESS_FROM):
        progress.advance()
    progress.finish()
    assert f"publishing: {PROGRESS_FROM}/{PROGRESS_FROM}, " in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\x1b[K"), "the line is cleared for the summary"
    for stream, graphs in ((Terminal(), PROGRESS_FROM - 1), (io.StringIO(), PROGRESS_FROM)):
        quiet = progress_for(Progress.on_terminal(stream), graphs)
        quiet.start("publishing", graphs)
        quiet.advance()
        quiet.finish()
        assert stream.getvalue() == ""


def test_publish_loads_the_project_it_is_given(mini_folder: Path) -> None:
    """The minimal project goes out as its own three graphs and their union, under its own base IRI."""
    with RecordingStore() as store:
        result = publish(store.url + "/store", mini_folder)
    assert result.exit_code == 0, result.output
    corpus = load(Project.open(mini_folder))
    assert sorted(store.graphs) == sorted(
        [
            corpus.project.graph_iri("announcement", "mini"),
            corpus.project.graph_iri("reference"),
            corpus.project.graph_iri("ontology"),
            corpus.project.graph_iri("union"),
        ]
    )
