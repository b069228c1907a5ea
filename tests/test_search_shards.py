"""The static search's index in shards: a change re-indexes only the shard of the announcement it is in.

Records are made from the data (``output/site/search_shards.py``), a resource's
from its own values, and go to the shard of the first announcement that
describes it. These tests change one announcement and count the shards
Pagefind indexed again, never time; the bundle put together from the cache
must be, byte for byte, the bundle indexed from nothing.
"""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import orjson
import pyoxigraph as ox
import pytest
from site_changes import NEW_LABEL, files, relabel

from benchmarks.synthetic import make_project
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.output import build as build_module
from rit_graph.output.site import PAGE_LANGUAGES, Site, write_site
from rit_graph.output.site.pages import Pages
from rit_graph.output.site.search_shards import (
    BUNDLE,
    CACHE_KIND,
    ONTOLOGY_SHARD,
    SHARDS,
    pagefind_started,
    shard_of,
    shards,
    start_index,
    write_index,
)
from rit_graph.rdf.namespaces import OA, RDF_TYPE
from rit_graph.runtime.cache import Cache

#: The announcement whose label ``relabel`` changes.
RELABELLED = "synthetic-00001"


def bundle(folder: Path) -> dict[str, bytes]:
    return {p: content for p, content in files(folder).items() if p.startswith(BUNDLE + "/")}


def contents(folder: Path) -> list[str]:
    """The text of every record Pagefind indexed in the shards of the site in FOLDER."""
    return [
        orjson.loads(gzip.decompress(p.read_bytes()).removeprefix(b"pagefind_dcd"))["content"]
        for p in sorted((folder / BUNDLE).glob("*/fragment/*.pf_fragment"))
    ]


def site_of(project: Path) -> Site:
    return Site(load(Project.open(project)))


@pytest.fixture(scope="module")
def relabelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Cache, Cache]:
    """Four synthetic announcements built into FOLDER/before with a cache, one label changed, built again
    into FOLDER/after from that cache, and into FOLDER/scratch with none; FOLDER and the two builds' caches."""
    folder = tmp_path_factory.mktemp("shards")
    project = make_project(folder / "project", 4).root
    first = Cache(folder / "cache")
    write_site(load(Project.open(project)), folder / "before", cache=first, workers=2)
    relabel(project)
    second = Cache(folder / "cache")
    write_site(load(Project.open(project)), folder / "after", cache=second, workers=2)
    write_site(load(Project.open(project)), folder / "scratch", workers=1)
    return folder, first, second


def test_a_changed_label_re_indexes_exactly_one_shard(relabelled: tuple[Path, Cache, Cache]) -> None:
    folder, first, second = relabelled
    assert first.counts["pagefind shards indexed"] >= 4, "an empty cache indexes every shard with records"
    assert second.counts["pagefind shards indexed"] == 1
    before, after = bundle(folder / "before"), bundle(folder / "after")
    changed = {p.split("/")[1] for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed == {str(shard_of(RELABELLED))}
    assert not any(NEW_LABEL.split('"')[1] in text for text in contents(folder / "before"))
    assert any(text.startswith(NEW_LABEL.split('"')[1]) for text in contents(folder / "after"))


def test_the_bundle_from_the_cache_is_the_bundle_from_nothing(relabelled: tuple[Path, Cache, Cache]) -> None:
    folder, _, _ = relabelled
    assert bundle(folder / "after") == bundle(folder / "scratch")
    assert sorted(p for p in bundle(folder / "after") if p.count("/") == 1) == [
        f"{BUNDLE}/pagefind-ui.css",
        f"{BUNDLE}/pagefind-ui.js",
    ], "Pagefind's interface lies once beside the shards"


def test_the_cache_keeps_only_the_shards_of_the_last_build(relabelled: tuple[Path, Cache, Cache]) -> None:
    folder, _, _ = relabelled
    kept = folder / "cache" / CACHE_KIND
    manifests = [orjson.loads(p.read_bytes()) for p in kept.rglob("*.json")]
    assert 0 < len(manifests) <= SHARDS
    listed = {file_key for manifest in manifests for _, file_key in manifest}
    assert {p.name.split(".")[0] for p in kept.rglob("*.pf")} == listed
    # Each shard's files in the site are the ones kept: linked, or copied where links cannot be made.
    site = files(folder / "after")
    for manifest in manifests:
        assert all(any(path.endswith("/" + name) for path in site) for name, _ in manifest)


def test_two_builds_from_nothing_write_the_same_bytes(tmp_path: Path) -> None:
    site = site_of(make_project(tmp_path / "project", 2).root)
    assert write_index(site, tmp_path / "one", Cache(None)) == write_index(site, tmp_path / "two", Cache(None))
    one = bundle(tmp_path / "one")
    assert one == bundle(tmp_path / "two")
    assert len(one) > 3 * SHARDS


def test_shards_are_written_as_pagefind_gives_them_before_the_index_is_finished(tmp_path: Path) -> None:
    """``step``, called while the pages are written, writes every shard Pagefind has answered without waiting
    for the others, so that no shard is left to the end; the index is the one written at once."""
    site = site_of(make_project(tmp_path / "project", 2).root)
    indexing = start_index(site, tmp_path / "stepped", Cache(None))
    try:
        indexing.step()  # Pagefind has only just been handed the records: nothing to write yet, and no wait
        deadline = time.monotonic() + 120
        while len(indexing.indexed) < len(indexing.started) and time.monotonic() < deadline:
            time.sleep(0.05)
            indexing.step()
        assert indexing.indexed == list(range(SHARDS))
        written = {p.name for p in (tmp_path / "stepped" / BUNDLE).iterdir()}
        assert written == {str(shard) for shard in range(SHARDS)}, "the shards are written before finish"
        assert indexing.finish() == list(range(SHARDS))
    finally:
        indexing.close()
    assert write_index(site, tmp_path / "at-once", Cache(None)) == list(range(SHARDS))
    assert bundle(tmp_path / "stepped") == bundle(tmp_path / "at-once")


def test_pagefind_started_before_the_project_is_read_writes_the_same_index(tmp_path: Path) -> None:
    """The command line starts Pagefind before it reads the project, and has it load its Japanese dictionary
    then (in an index of its own, never written): the index it writes is the one a service started for it
    writes, and the service stops with the index, or with the block where no index took it."""
    site = site_of(make_project(tmp_path / "project", 2).root)
    with pagefind_started() as pagefind:
        assert pagefind is not None
        indexing = start_index(site, tmp_path / "started-before", Cache(None), pagefind)
        assert indexing.service is pagefind
        assert indexing.finish() == list(range(SHARDS))
        assert pagefind.process.returncode is not None
    assert write_index(site, tmp_path / "started-for-it", Cache(None)) == list(range(SHARDS))
    assert bundle(tmp_path / "started-before") == bundle(tmp_path / "started-for-it")
    with pagefind_started() as unused:
        assert unused is not None
    assert unused.process.returncode is not None
    kept = Cache(tmp_path / "cache")
    write_index(site, tmp_path / "cached", kept)
    with pagefind_started() as not_needed:
        assert not_needed is not None
        assert start_index(site, tmp_path / "from-the-cache", kept, not_needed).finish() == []
        assert not_needed.process.returncode is not None, "every shard kept: stopped at once"


def test_a_resource_goes_to_the_shard_of_the_first_announcement_that_describes_it(tmp_path: Path) -> None:
    site = site_of(make_project(tmp_path / "project", 3).root)
    found = shards(site)
    assert len(found) == SHARDS
    by_url = {record.url: n for n, records in enumerate(found) for record in records}
    annotation = ox.NamedNode(OA + "Annotation")
    for iri in site.resources:
        first = next(
            (u.announcement for u in site.corpus.units if u.announcement and f"<{iri}>" in u.summary.subjects), None
        )
        expected = shard_of(first) if first is not None else shard_of(iri)
        is_annotation = annotation in site.terms.data.objects(ox.NamedNode(iri), RDF_TYPE)
        for lang in PAGE_LANGUAGES:
            url = "/" + site.paths.page_path(iri, lang)
            assert by_url.get(url) == (None if is_annotation else expected), url
    for name in site.sources.values():
        assert by_url[f"/source/{name}.en.html"] == shard_of(name)
    assert {n for url, n in by_url.items() if url.startswith("/ontology.")} == {ONTOLOGY_SHARD}


def test_pagefind_indexes_while_the_pages_render_and_stops_when_they_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is started before the pages and finished after them; a page that cannot be rendered stops the
    build and leaves no Pagefind service running."""
    corpus = load(Project.open(make_project(tmp_path / "project", 2).root))

    def broken(self: Pages, iri: str, lang: str) -> str:
        assert _pagefind_children(), "Pagefind is not indexing while the pages render"
        raise RuntimeError("a page that cannot be rendered")

    monkeypatch.setattr(Pages, "resource", broken)
    with pytest.raises(RuntimeError, match="cannot be rendered"):
        write_site(corpus, tmp_path / "site")
    assert _pagefind_children() == []


def test_a_build_starts_pagefind_before_the_dumps_and_stops_it_when_they_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind indexes while the dumps are written too (it takes the core they leave idle at times); dumps that
    cannot be written stop the build, leave no Pagefind service running and no output."""
    corpus = load(Project.open(make_project(tmp_path / "project", 2).root))

    def broken(*args: object) -> None:
        assert _pagefind_children(), "Pagefind is not indexing while the dumps are written"
        raise RuntimeError("dumps that cannot be written")

    monkeypatch.setattr(build_module, "write_downloads", broken)
    with pytest.raises(RuntimeError, match="cannot be written"):
        build_module.build(Run(corpus), tmp_path / "dist")
    assert _pagefind_children() == []
    assert not (tmp_path / "dist").exists()


def _pagefind_children() -> list[int]:
    """The processes this one started that still run Pagefind's service."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        if fields.get("PPid", "").strip() == str(os.getpid()) and b"--service" in command:
            found.append(int(status.parent.name))
    return found
