"""Synthetic projects for benchmarks: N announcements shaped like the bw-i one.

Each synthetic announcement is the real announcement with its own IRIs: its
own events, partnerships, selection and quotes, and its own clusters, company
and Japanese cities and prefectures, whose reference descriptions (types, labels in German,
English and Japanese, containment, cited sources) are copied into a reference
file of its own, so the reference data grows with the corpus as it would.
The agencies, the programme, the states and the countries stay shared,
as they recur in real announcements. Classes, languages, provenance (every
fact annotated with a quote of source.txt, in the authoring form of RDF 1.2
annotations, written as N-Triples) and dates are those of the real
announcement, so every synthetic project is valid under the shapes.

    .venv/bin/python -m benchmarks.synthetic /tmp/corpus 900   # about 1 million triples
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pyoxigraph as ox

from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.rdf.reading import parse_file

ROOT = Path(__file__).resolve().parent.parent
SEED_NAME = "bwi-cluster-japan-rit"
SEED = ROOT / "data" / "announcements" / SEED_NAME
#: Reference resources each synthetic announcement has its own copy of.
OWN_REFERENCE = (
    "organisation/automotive-bw",
    "organisation/photonics-bw",
    "organisation/hitachi-ltd",
    "place/kitakyushu",
    "place/hitachi",
    "place/hitachi-region",
    "place/fukuoka-prefecture",
    "place/ibaraki-prefecture",
)
SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")


def make_project(folder: Path, announcements: int) -> Project:
    """A project in FOLDER (which must not exist) holding ANNOUNCEMENTS synthetic announcements."""
    for part in ("ontology", "shapes", "data/reference", "queries"):
        shutil.copytree(ROOT / part, folder / part)
    seed = load(Project.open(ROOT))
    base = seed.project.base_iri
    reference_graph = ox.NamedNode(seed.project.graph_iri("reference"))
    reference = [q.triple for q in seed.quads if q.graph_name == reference_graph]
    # As the editor wrote it: rit-graph adds the source text and quote positions when it loads a folder.
    written = parse_file(SEED / "announcement.ttl", base)
    announcement = seed.graph(seed.announcement_graphs[SEED_NAME])
    reference_subjects = {t.subject for t in reference}
    own = {ox.NamedNode(base + "id/" + path) for path in OWN_REFERENCE}
    local = {t.subject for t in announcement if isinstance(t.subject, ox.NamedNode)} - reference_subjects
    # A copy is not the Wikidata item its original is.
    copied = [t for t in reference if t.subject in own and t.predicate != SAME_AS]
    for n in range(announcements):
        name = f"synthetic-{n:05d}"
        rename = _Renamer(base, SEED_NAME, name, local | own, f"s{n:05d}")
        target = folder / "data" / "announcements" / name
        target.mkdir(parents=True)
        ox.serialize([rename.triple(t) for t in written], str(target / "announcement.nt"), ox.RdfFormat.N_TRIPLES)
        shutil.copy(SEED / "source.txt", target / "source.txt")
        ox.serialize(
            [rename.triple(t) for t in copied],
            str(folder / "data" / "reference" / f"{name}.nt"),
            ox.RdfFormat.N_TRIPLES,
        )
    return Project.open(folder)


class _Renamer:
    """Give the announcement's own resources IRIs of the synthetic one."""

    def __init__(self, base: str, seed: str, name: str, own: set[ox.NamedNode], suffix: str) -> None:
        self._announcement = (base + "id/announcement/" + seed, base + "id/announcement/" + name)
        self._own = own
        self._suffix = suffix

    def term(
        self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
    ) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
        if isinstance(term, ox.Triple):  # a fact its annotation reifies (the authoring form)
            return self.triple(term)
        if isinstance(term, ox.NamedNode):
            old, new = self._announcement
            if term.value.startswith(old):
                return ox.NamedNode(new + term.value[len(old) :])
            if term in self._own:
                return ox.NamedNode(f"{term.value}-{self._suffix}")
        return term

    def triple(self, t: ox.Triple) -> ox.Triple:
        return ox.Triple(self.term(t.subject), t.predicate, self.term(t.object))  # type: ignore[arg-type]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="project folder to create")
    parser.add_argument("announcements", type=int, help="number of synthetic announcements")
    arguments = parser.parse_args()
    project = make_project(arguments.folder, arguments.announcements)
    print(f"{arguments.announcements} announcements in {project.root}")
