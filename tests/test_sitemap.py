"""The sitemap: every page of the site, at the address it is published at, for search engines."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

import httpx
import pytest
from live_server import live_server
from projects import MINI, TESTS, copy_project

from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.errors import InputError
from rit_graph.output.build import build
from rit_graph.output.site import sitemap
from rit_graph.runtime.cache import Cache

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ROOT = "https://example.org/"
RESTATING = TESTS / "fixtures" / "restating"


def locations(xml: str | bytes, element: str = "url") -> list[str]:
    """The <loc> of every ELEMENT (url, or sitemap in an index) of a sitemap file, which must be well-formed."""
    tree = ElementTree.fromstring(xml)
    return [e.findtext(NS + "loc") or "" for e in tree.iter(NS + element)]


def with_site_url(folder: Path, url: str) -> Path:
    settings = folder / "rit-graph.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + f'site_url = "{url}"\n', encoding="utf-8")
    return folder


def test_a_site_with_a_public_address_lists_every_page_once_in_its_sitemap(tmp_path: Path) -> None:
    # Two announcements that restate each other: the resources both describe have one page each, listed once.
    folder = with_site_url(copy_project(RESTATING, tmp_path / "project"), ROOT)
    site = build(Run(load(Project.open(folder))), tmp_path / "dist").out / "site"
    pages = {str(p.relative_to(site)) for p in site.rglob("*.html")}
    expected = {ROOT} | {ROOT + p for p in pages - {"index.html", "search.de.html", "search.en.html", "search.ja.html"}}
    found = locations((site / "sitemap.xml").read_bytes())
    assert len(found) == len(set(found)), "each page once"
    assert set(found) == expected
    assert any(p.startswith("id/") for p in pages)
    assert len([p for p in pages if p.startswith("source/")]) == 2 * 3, "both announcements' sources, 3 languages"
    assert (site / "robots.txt").read_text(encoding="utf-8").splitlines()[-1] == f"Sitemap: {ROOT}sitemap.xml"


def test_a_site_without_one_has_neither_sitemap_nor_robots_txt(built: Path) -> None:
    assert (built / "site" / "index.html").is_file()
    assert not (built / "site" / "sitemap.xml").exists()
    assert not (built / "site" / "robots.txt").exists()


def test_past_50000_pages_the_sitemap_is_an_index_of_files_of_50000_urls() -> None:
    pages = [f"id/thing/{n}.en.html" for n in range(5)]
    files = sitemap.sitemaps(ROOT, pages, most=2)
    assert list(files) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    assert locations(files["sitemap.xml"], "sitemap") == [ROOT + f"sitemap-{n}.xml" for n in (1, 2, 3)]
    parts = [locations(files[f"sitemap-{n}.xml"]) for n in (1, 2, 3)]
    assert [len(p) for p in parts] == [2, 2, 2]
    assert [u for p in parts for u in p] == [ROOT, *(ROOT + p for p in pages)]
    assert list(sitemap.sitemaps(ROOT, pages[:1], most=2)) == ["sitemap.xml"], "the address and a page fit one"
    assert list(sitemap.sitemaps(ROOT, pages[:2], most=2)) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]


def test_page_paths_become_urls_escaped_for_xml() -> None:
    pages = ["id/place/北九州.ja.html", "id/thing/a&b<c>.en.html", "id/thing/x y.en.html"]
    found = locations(sitemap.sitemaps(ROOT, pages)["sitemap.xml"])
    assert found[1:] == [
        ROOT + "id/place/%E5%8C%97%E4%B9%9D%E5%B7%9E.ja.html",
        ROOT + "id/thing/a&b%3Cc%3E.en.html",
        ROOT + "id/thing/x%20y.en.html",
    ]
    assert [unquote(u) for u in found[1:]] == [ROOT + p for p in pages]


def test_robots_txt_only_at_the_root_of_a_host() -> None:
    assert sitemap.robots("https://example.org/") == (
        "# Where crawlers find every page of this site (written by rit-graph).\nSitemap: https://example.org/sitemap.xml\n"
    )
    assert sitemap.robots("https://example.github.io/kb/") is None, "crawlers read robots.txt at the root only"


@pytest.mark.parametrize("url", ["javascript:alert(1)//", "https://example.org/kb", "/kb/"])
def test_a_site_url_must_be_an_http_url_ending_in_a_slash(tmp_path: Path, url: str) -> None:
    folder = with_site_url(copy_project(MINI, tmp_path / "project"), url)
    with pytest.raises(InputError, match="site_url must be an http:// or https:// URL ending in '/'"):
        Project.open(folder)


def test_the_server_has_the_sitemap_of_the_pages_at_its_base(tmp_path: Path) -> None:
    folder = copy_project(MINI, tmp_path / "project")
    base = Project.open(folder).base_iri
    with (
        live_server("--project", str(folder)) as running,
        httpx.Client(base_url=f"http://127.0.0.1:{running.port}/") as client,
    ):
        response = client.get("sitemap.xml")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/xml"
        found = locations(response.content)
        assert found[0] == base and len(found) > 1
        for url in found[1:]:
            assert client.get(url.removeprefix(base)).status_code == 200, url
        # The base is below its host's root (/kb/): a robots.txt there would not be read.
        assert client.get("robots.txt").status_code == 404
        assert client.get("sitemap-1.xml").status_code == 404, "one file up to 50,000 pages"


def test_a_new_address_makes_a_new_sitemap_from_the_same_cache(tmp_path: Path) -> None:
    folder = with_site_url(copy_project(MINI, tmp_path / "project"), ROOT)
    cache = Cache(tmp_path / "cache")
    build(Run(load(Project.open(folder)), cache=cache), tmp_path / "dist")
    settings = folder / "rit-graph.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(ROOT, "https://example.net/kb/"), encoding="utf-8")
    site = build(Run(load(Project.open(folder)), cache=cache), tmp_path / "dist").out / "site"
    found = locations((site / "sitemap.xml").read_bytes())
    assert found[0] == "https://example.net/kb/" and all(u.startswith("https://example.net/kb/") for u in found)
    assert not (site / "robots.txt").exists(), "the new address is below its host's root"
