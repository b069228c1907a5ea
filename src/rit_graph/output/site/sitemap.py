"""The sitemap: every page of the site for search engines, which read the schema.org block each page embeds.

A sitemap lists absolute URLs (sitemaps.org), so it is made only where the
site's public address is known: the project's ``site_url`` for the static
site, the base IRI where ``rit-graph serve`` publishes. A file lists at most
50,000 URLs: a larger site gets a sitemap index in ``sitemap.xml`` and its URLs
in ``sitemap-1.xml``, ``sitemap-2.xml``, ... Each page names its other
languages itself (``<link rel="alternate" hreflang>``), so the sitemap lists
every language's page once and does not repeat them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape

from rit_graph.output.site.languages import PAGE_LANGUAGES
from rit_graph.output.site.search_page import search_path

#: The sitemap, or the sitemap index of a larger site: where search engines and robots.txt look for it.
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
#: URLs in one sitemap file at most (sitemaps.org).
MOST_URLS = 50_000
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: Pages that are not listed: the home page is listed as the site's address, and search results are no content.
_UNLISTED = frozenset({"index.html", *(search_path(lang) for lang in PAGE_LANGUAGES)})


def listed(paths: Iterable[str]) -> list[str]:
    """The pages of the site's PATHS that a sitemap lists, in one order: every HTML page but the search pages
    and ``index.html`` (the site's own address stands for it)."""
    return sorted(p for p in paths if p.endswith(".html") and p not in _UNLISTED)


def files(root: str, pages: Sequence[str], most: int = MOST_URLS) -> dict[str, str]:
    """What tells search engines of the site at ROOT (an http(s) URL ending in ``/``) with PAGES (``listed``), by
    file name: the sitemap, and robots.txt naming it where crawlers read one (``robots``)."""
    found = sitemaps(root, pages, most)
    text = robots(root)
    return {**found, ROBOTS: text} if text else found


def sitemaps(root: str, pages: Sequence[str], most: int = MOST_URLS) -> dict[str, str]:
    """The sitemap files, by name, of the site at ROOT with PAGES: ``sitemap.xml`` alone up to MOST URLs (the
    site's address is one), else an index of files of MOST URLs each."""
    urls = [root, *(root + _url_path(p) for p in pages)]
    if len(urls) <= most:
        return {SITEMAP: _urlset(urls)}
    parts = {
        f"sitemap-{n}.xml": _urlset(urls[start : start + most]) for n, start in enumerate(range(0, len(urls), most), 1)
    }
    index = "".join(f"<sitemap><loc>{escape(root + name)}</loc></sitemap>\n" for name in parts)
    return {SITEMAP: _document("sitemapindex", index), **parts}


def robots(root: str) -> str | None:
    """robots.txt naming the sitemap of the site at ROOT; None for a site below its host's root, whose
    robots.txt crawlers would not read (they read it at the root only)."""
    if urlsplit(root).path not in ("", "/"):
        return None
    return f"# Where crawlers find every page of this site (written by rit-graph).\nSitemap: {root}{SITEMAP}\n"


def _url_path(path: str) -> str:
    """A site path as it goes into a URL: a page made from an IRI may hold characters a URL has only
    percent-encoded (RFC 3987, 3.1)."""
    return quote(path, safe="/:@!$&'()*+,;=%")


def _urlset(urls: Iterable[str]) -> str:
    return _document("urlset", "".join(f"<url><loc>{escape(url)}</loc></url>\n" for url in urls))


def _document(element: str, content: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{element} xmlns="{_NAMESPACE}">\n{content}</{element}>\n'
