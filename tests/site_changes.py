"""One change to a synthetic project, and the files of a site, for the tests of what a build after a change
renders again (tests/test_site_incremental.py) and indexes again (tests/test_search_shards.py)."""

from __future__ import annotations

from pathlib import Path

from rit_graph.corpus.project import Project

EVENT = "event/photonics-trade-fair-munich-2015-s00001"
OLD_LABEL, NEW_LABEL = '"Photonics trade fair"@en', '"Photonics trade fair (renamed)"@en'


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def relabel(project: Path) -> None:
    """One announcement gives one resource a new English label."""
    path = project / "data" / "announcements" / "synthetic-00001" / "announcement.nt"
    text = path.read_text(encoding="utf-8")
    subject = f"<{Project.open(project).base_iri}id/{EVENT}>"
    line = f"{subject} <http://www.w3.org/2000/01/rdf-schema#label> {OLD_LABEL} .\n"
    assert line in text
    path.write_text(text.replace(line, line.replace(OLD_LABEL, NEW_LABEL)), encoding="utf-8")
