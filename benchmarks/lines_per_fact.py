"""Lines per fact of announcements in the authoring form, beside the classic form of the same graph.

Facts are the asserted triples (an annotation's own triples are not facts).
The classic form is what ``authoring.expand`` makes of the file (every fact
written again as a statement of a Web Annotation), written by rdflib with the
file's prefixes: for the bw-i announcement that is 878 lines where a person
wrote 502 (tests/authoring/bwi-classic.ttl).

    python -m benchmarks.lines_per_fact            # this repository and tests/fixtures/corpus
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
import rdflib

from rit_graph.corpus.authoring import REIFIES, expand
from rit_graph.corpus.project import Project
from rit_graph.rdf.reading import parse_file
from rit_graph.rdf.terms import term

ROOT = Path(__file__).resolve().parent.parent


def count(project: Project, path: Path, name: str) -> tuple[int, int, int]:
    """The facts of announcement NAME's file PATH, its lines, and the lines of its classic form."""
    triples = parse_file(path, project.base_iri, path.relative_to(project.root).as_posix())
    reifiers = {t.subject for t in triples if t.predicate == REIFIES}
    facts = [t for t in triples if t.predicate != REIFIES and t.subject not in reifiers]
    classic = rdflib.Graph()
    for t in expand(triples, ox.NamedNode(project.announcement_iri(name)), project.vocabulary, path):
        classic.add((term(t.subject), term(t.predicate), term(t.object)))
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("@prefix"):
            prefix, iri = line.split()[1].rstrip(":"), line.split()[2].strip("<>")
            classic.bind(prefix, rdflib.URIRef(iri if "://" in iri else project.base_iri + iri), override=True)
    written = classic.serialize(format="turtle", base=project.base_iri)
    return len(facts), len(text.splitlines()), len(written.splitlines())


def report(project: Project, names: list[str]) -> None:
    for name in names:
        path = project.root / "data" / "announcements" / name / "announcement.ttl"
        facts, lines, classic = count(project, path, name)
        print(
            f"{name}: {facts} facts, {lines} lines ({lines / facts:.2f} per fact); "
            f"classic form as rdflib writes it: {classic} lines ({classic / facts:.2f} per fact)"
        )


def main() -> None:
    report(Project.open(ROOT), sorted(p.name for p in (ROOT / "data" / "announcements").iterdir()))
    with tempfile.TemporaryDirectory() as folder:
        fixtures = Path(folder) / "corpus"
        shutil.copytree(ROOT / "tests" / "fixtures" / "corpus", fixtures)
        for part in ("ontology", "shapes"):
            shutil.copytree(ROOT / part, fixtures / part)
        report(Project.open(fixtures), sorted(p.name for p in (fixtures / "data" / "announcements").iterdir()))


if __name__ == "__main__":
    main()
