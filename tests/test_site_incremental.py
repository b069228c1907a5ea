"""The static site is built incrementally: a file is rendered again only when what it shows changed.

Each file of the site is kept in the cache under a key of what it shows
(``output/site/shown.py``). These tests change one thing and count which
files were rendered, never time: the pages of what changed and the pages
that show it, in every language, and the pages that sum up the whole corpus;
no other. A site put together from the cache must be byte for byte the site
built from nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from site_changes import EVENT, files, relabel

from benchmarks.synthetic import make_project
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.output.build import SITE_FOLDER, build
from rit_graph.output.site import PAGE_LANGUAGES, write_site
from rit_graph.output.site.incremental import Entry, write_entries
from rit_graph.output.site.search_page import BUNDLE
from rit_graph.output.site.search_shards import CACHE_KIND
from rit_graph.runtime.cache import CACHE_FOLDER, Cache

#: The resource whose label the tests change, in synthetic announcement 00001, and its English label there.
#: Pages that sum up the whole corpus: rendered again after any change.
CORPUS_PAGES = ("index.", "browse/", "ontology.", "shapes.", "downloads.")


def pages(folder: Path) -> dict[str, bytes]:
    """The files of the site in FOLDER but the search index, which Pagefind writes from them after."""
    return {p: content for p, content in files(folder).items() if not p.startswith(BUNDLE + "/")}


def site(project: Path, folder: Path, cache: Cache | None) -> list[str]:
    """Write PROJECT's site into FOLDER on two workers; the files rendered rather than taken from CACHE."""
    return write_site(load(Project.open(project)), folder, cache=cache, workers=2).rendered


@pytest.fixture(scope="module")
def relabelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes], list[str]]:
    """Three synthetic announcements: the site before the change, after it (from the cache of the build
    before), and what the second build rendered; checked against a site built from nothing."""
    folder = tmp_path_factory.mktemp("relabelled")
    project = make_project(folder / "project", 3).root
    cache = Cache(folder / "cache")
    first = site(project, folder / "before", cache)
    assert len(first) == len(pages(folder / "before")), "a build with an empty cache renders every file"
    relabel(project)
    rendered = site(project, folder / "after", cache)
    site(project, folder / "scratch", None)
    after = files(folder / "after")
    assert after == files(folder / "scratch"), "the site from the cache differs from the site built from nothing"
    return pages(folder / "before"), pages(folder / "after"), rendered


def test_only_the_pages_that_show_a_change_are_rendered(
    relabelled: tuple[dict[str, bytes], dict[str, bytes], list[str]],
) -> None:
    before, after, rendered = relabelled
    changed = {p for p in after if before.get(p) != after[p]}
    assert changed <= set(rendered), "a file the change made different was taken from the cache"

    def in_every_language(path: str) -> set[str]:
        for lang in PAGE_LANGUAGES:
            if path.endswith(f".{lang}.html"):
                stem = path.removesuffix(f".{lang}.html")
                return {f"{stem}.{other}.html" for other in PAGE_LANGUAGES}
        return {path}

    # A label in one language is a change of the pages in each language: the key says what a page may show.
    allowed = {p for path in changed for p in in_every_language(path)}
    allowed |= {p for p in after if p.startswith(CORPUS_PAGES)}
    assert set(rendered) <= allowed, sorted(set(rendered) - allowed)
    # The resource's own pages and data, and the pages of what it links to and what links to it.
    assert {f"id/{EVENT}.{lang}.html" for lang in PAGE_LANGUAGES} <= set(rendered)
    assert {f"id/{EVENT}{ext}" for ext in (".ttl", ".nt", ".jsonld", ".rdf")} <= set(rendered)
    assert any(p.startswith("id/event/") and EVENT not in p for p in rendered), "the pages that link to it"
    # The lists that name it (its class's); the home page names no trade fair, so it is kept.
    assert {f"browse/class/TradeFair/1.{lang}.html" for lang in PAGE_LANGUAGES} <= set(rendered)
    assert "index.en.html" not in rendered and "browse/class/City/1.en.html" not in rendered
    # And nothing else: far fewer files than the site has.
    assert len(rendered) < len(after) / 10, len(rendered)


def test_a_page_that_does_not_show_the_change_is_kept(
    relabelled: tuple[dict[str, bytes], dict[str, bytes], list[str]],
) -> None:
    before, after, rendered = relabelled
    unrelated = [p for p in after if p.startswith("id/") and "s00002" in p and p.endswith(".html")]
    assert unrelated, "announcement 00002's resources have pages"
    kept = [p for p in unrelated if p not in rendered]
    # Announcement 00002 describes resources of its own; only those that link to shared ones may show the label.
    assert len(kept) > len(unrelated) / 2
    assert all(before[p] == after[p] for p in kept)


def test_a_build_with_a_warm_cache_writes_what_a_build_without_cache_writes(tmp_path: Path) -> None:
    """``rit-graph build`` twice with its cache, once after a change, against ``--no-cache``."""
    project = make_project(tmp_path / "project", 2).root
    cache = Cache(project / CACHE_FOLDER)
    build(Run(load(Project.open(project), cache), cache, workers=2), tmp_path / "warm")
    relabel(project)
    cache = Cache(project / CACHE_FOLDER)
    build(Run(load(Project.open(project), cache), cache, workers=2), tmp_path / "warm")
    assert cache.counts["site hits"] > cache.counts["site misses"] > 0
    build(Run(load(Project.open(project)), Cache(None), workers=1), tmp_path / "cold")
    warm, cold = files(tmp_path / "warm"), files(tmp_path / "cold")
    assert any(p.startswith(SITE_FOLDER + "/id/") for p in warm)
    assert warm == cold


def test_a_build_with_nothing_changed_renders_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", 1).root
    cache = Cache(tmp_path / "cache")
    site(project, tmp_path / "first", cache)
    assert site(project, tmp_path / "second", cache) == []
    assert files(tmp_path / "first") == files(tmp_path / "second")


def test_the_cache_keeps_only_the_files_of_the_last_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", 1).root
    cache = Cache(tmp_path / "cache")
    site(project, tmp_path / "first", cache)
    relabel_any = project / "data" / "announcements" / "synthetic-00000" / "announcement.nt"
    relabel_any.write_text(
        relabel_any.read_text(encoding="utf-8").replace("for the first time", "for the first time again"),
        encoding="utf-8",
    )
    site(project, tmp_path / "second", cache)
    # The search index's shards are kept in a folder of their own (see test_search_shards.py).
    kept = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and CACHE_KIND not in p.parts]
    # Every file of the site has a key, one file each in the cache; the first build's are gone.
    assert len(kept) == len(pages(tmp_path / "second"))


def test_entries_without_key_are_rendered_every_time(tmp_path: Path) -> None:
    renders: list[str] = []

    def render(name: str) -> str:
        renders.append(name)
        return f"<p>{name}</p>"

    entries = [
        Entry("kept.html", lambda: "same", lambda: render("kept")),
        Entry("always.html", lambda: None, lambda: render("always")),
        Entry("deep/data.ttl", lambda: "data", lambda: b"<a> <b> <c> .\n"),
    ]
    cache = Cache(tmp_path / "cache")
    first = write_entries(entries, tmp_path / "one", cache, workers=1)
    second = write_entries(entries, tmp_path / "two", cache, workers=1)
    assert first.rendered == ["kept.html", "always.html", "deep/data.ttl"]
    assert second.rendered == ["always.html"]
    assert renders == ["kept", "always", "always"]
    assert files(tmp_path / "one") == files(tmp_path / "two")
    assert (tmp_path / "two" / "kept.html").read_text(encoding="utf-8") == "<p>kept</p>"
    with pytest.raises(ValueError, match="same path"):
        write_entries([*entries, entries[0]], tmp_path / "three", cache, workers=1)
    for outside in ("../escaped.html", "/etc/escaped.html", "id/./x.html", "id//x.html"):
        with pytest.raises(ValueError, match="outside"):
            write_entries([Entry(outside, lambda: None, lambda: "x")], tmp_path / "four", cache, workers=1)
    assert not (tmp_path / "escaped.html").exists()


def test_the_parents_work_meanwhile_runs_between_chunks_not_after_the_last(tmp_path: Path) -> None:
    """What the parent has to do while the files are written (the search's shards) is done as they are
    written, a chunk at a time, rather than left to one core at the end."""
    entries = [Entry(f"page-{n:03}.html", lambda: None, lambda n=n: f"<p>{n}</p>") for n in range(100)]
    seen: list[int] = []
    write_entries(
        entries, tmp_path / "site", Cache(None), workers=1, meanwhile=lambda: seen.append(len(files(tmp_path / "site")))
    )
    assert len(seen) > 1
    assert seen == sorted(set(seen)), "each call comes after one more chunk is written"
    assert seen[0] < len(entries) == seen[-1]


def test_a_new_title_renders_the_source_page_that_shows_it(tmp_path: Path) -> None:
    """An announcement's title heads its source page: that page is rendered again, the other source's is not."""
    project = make_project(tmp_path / "project", 2).root
    cache = Cache(tmp_path / "cache")
    site(project, tmp_path / "before", cache)
    path = project / "data" / "announcements" / "synthetic-00001" / "announcement.nt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('for the first time"@en', 'for the first time (retitled)"@en', 1), encoding="utf-8")
    rendered = set(site(project, tmp_path / "after", cache))
    assert {f"source/synthetic-00001.{lang}.html" for lang in PAGE_LANGUAGES} <= rendered
    assert not {p for p in rendered if p.startswith("source/synthetic-00000.")}
    assert b"(retitled)" in (tmp_path / "after" / "source" / "synthetic-00001.en.html").read_bytes()


def test_a_source_in_another_language_renders_the_pages_of_its_quotes(tmp_path: Path) -> None:
    """A quote's page marks its words with the language of the text they are from: when an announcement is
    said to be in another language, each of its quotes' pages is rendered again, not only the page of the
    quote that says so."""
    project = make_project(tmp_path / "project", 2).root
    cache = Cache(tmp_path / "cache")
    site(project, tmp_path / "before", cache)
    path = project / "data" / "announcements" / "synthetic-00001" / "announcement.nt"
    text = path.read_text(encoding="utf-8")
    german, english = (f'"{c}"^^<http://www.w3.org/2001/XMLSchema#language>' for c in ("de", "en"))
    assert german in text
    path.write_text(text.replace(german, english), encoding="utf-8")
    rendered = set(site(project, tmp_path / "after", cache))
    site(project, tmp_path / "scratch", None)
    assert pages(tmp_path / "after") == pages(tmp_path / "scratch")
    quote = "id/announcement/synthetic-00001/quote/gdp.en.html"
    assert quote in rendered
    assert '<blockquote lang="en">' in (tmp_path / "after" / quote).read_text(encoding="utf-8")
