"""The benchmarks' synthetic corpora are valid under the shapes and shaped like the real announcement."""

from __future__ import annotations

from pathlib import Path

from helpers import whole_graph_projection
from projects import bwi_project

from benchmarks.synthetic import make_project
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.corpus.stats import stats
from rit_graph.validation.validate import validate


def test_synthetic_announcements_conform_and_have_the_real_ones_classes(tmp_path: Path) -> None:
    synthetic = load(make_project(tmp_path / "project", 3))
    # The seed (the bw-i announcement) with the repository's reference data, which the generator copies whole.
    corpus = load(Project.open(bwi_project(tmp_path / "seed", all_reference=True)))
    assert sorted(synthetic.announcement_graphs) == ["synthetic-00000", "synthetic-00001", "synthetic-00002"]
    report = validate(Run(synthetic, workers=1))
    assert report.conforms, report.to_text()
    real, made = dict(stats(corpus).by_class), dict(stats(synthetic).by_class)
    assert set(made) == set(real)
    provenance = ("Annotation", "Statement", "InferredStatement")
    assert {c: n // 3 for c, n in made.items() if c.endswith(provenance)} == {
        c: n for c, n in real.items() if c.endswith(provenance)
    }, "each copy has the real announcement's quotes and statement records"


def test_the_units_projections_add_up_to_the_projection_of_the_whole_graph(tmp_path: Path) -> None:
    """Announcements that share resources (the agencies, the programme) with each other and the reference data."""
    from rit_graph import schemaorg

    synthetic = load(make_project(tmp_path / "project", 3))
    assert set(schemaorg.project(Run(synthetic))) == whole_graph_projection(synthetic)
