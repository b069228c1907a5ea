"""Dereferenceable IRIs: the site's pages and each resource's data, negotiated per request.

The server answers the same paths the static site has (``id/place/kitakyushu.en.html``,
``id/place/kitakyushu.ttl``, ``ontology.de.html``, ``source/NAME.ja.html``...) so the
pages' relative links work unchanged, plus the extensionless paths of the IRIs
themselves (``id/place/kitakyushu``, ``ontology``, ``shapes``, ``downloads``, ``source/NAME``
and ``/``), which are answered directly, without a redirect: the representation is
chosen from ``Accept`` and ``Accept-Language`` (or ``?lang=``), and ``Content-Location``
names the static path of what was sent. Every answer carries a strong ETag (hash of
the body) and a Last-Modified taken from the project's input files, never the clock,
so caches revalidate with 304.
"""

from __future__ import annotations

import dataclasses
import difflib
import email.utils
import functools
import hashlib
import heapq
import tempfile
import threading
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from rit_graph import schemaorg
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.run import Run
from rit_graph.output import catalog
from rit_graph.output.build import ONTOLOGY_FILE, write_downloads
from rit_graph.output.site import FALLBACK, PAGE_LANGUAGES, RESOURCE_FORMATS, Site, Value, schema_org_blocks, sitemap
from rit_graph.output.site import favicon as icon
from rit_graph.output.site.writer import entries
from rit_graph.rdf.formats import BY_EXTENSION, BY_NAME
from rit_graph.serve import negotiation
from rit_graph.serve.negotiation import negotiate

HTML = ("text/html", "application/xhtml+xml")
#: What a resource IRI offers, in the server's order of preference for equally rated types.
RESOURCE_OFFERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("html", HTML),
    *((name, (BY_NAME[name].media_type, *BY_NAME[name].aliases)) for name in RESOURCE_FORMATS),
)
#: The site's pages with a path of their own (``NAME``, ``NAME.html``, ``NAME.LANG.html``).
PAGES = ("index", "ontology", "shapes", "downloads")
VARY = "Accept, Accept-Language"
#: The site path of the SPARQL endpoint, whose page for browsers is the query editor (``query_page``).
QUERY_EDITOR = "sparql"
#: How much of a requested path the close-IRI search looks at: a typo is seen within it, and a longer
#: path costs no more (comparing all of an 8 KB path with 62 resources took 0.8 s of CPU).
COMPARED = 100
#: How many index entries one search reads at most. Trigrams shared by more paths tell little and
#: would make a 404 cost as much as the corpus, so the rarest are read first and the rest skipped.
POSTINGS = 10_000
#: How many candidates difflib ranks per search.
CANDIDATES = 40
#: How many close IRIs a 404 names.
SHOWN = 8
#: How alike (difflib's ratio) a path's last segment must be to the one asked for to be offered.
ALIKE = 0.6
#: Names this short lose every trigram to one typo ("gpd" for "gdp"), so they are looked up by
#: bigrams too, among the names of up to SHORT_LIKE characters: longer ones are less than ALIKE.
SHORT = 3
SHORT_LIKE = 7


@dataclass(frozen=True)
class Served:
    """A file of /downloads/ (or the sitemap): its bytes and the media type it is sent with."""

    body: bytes
    media_type: str


def _grams(text: str, short: bool = False) -> set[str]:
    """TEXT's trigrams, with its ends marked so that short names have some and ends weigh; its bigrams too if SHORT."""
    marked = f"\0{text}\0"
    grams = {marked[i : i + 3] for i in range(len(marked) - 2)}
    return grams | {marked[i : i + 2] for i in range(len(marked) - 1)} if short else grams


def _index(keys: Iterable[set[str]]) -> dict[str, tuple[int, ...]]:
    """Gram → the positions whose set has it; lists longer than a search reads are left out."""
    postings: dict[str, list[int]] = {}
    for i, grams in enumerate(keys):
        for gram in grams:
            postings.setdefault(gram, []).append(i)
    return {gram: tuple(found) for gram, found in postings.items() if len(found) <= POSTINGS}


def _count(index: dict[str, tuple[int, ...]], grams: set[str]) -> Counter[int]:
    """How many of GRAMS each position has, reading the rarest grams first and at most POSTINGS entries."""
    counts: Counter[int] = Counter()
    left = POSTINGS
    for postings in sorted((index.get(g, ()) for g in grams), key=len):
        if len(postings) > left:
            break
        counts.update(postings)
        left -= len(postings)
    return counts


class ClosePaths:
    """The resource paths most like a requested one, in bounded time.

    Comparing the request with every path cost its length times the number of resources (34-66 s
    of CPU for an 8 KB path and 4,773 resources). A trigram index of the paths' last segments
    (bigrams too for short ones), built once, narrows them to CANDIDATES; ties there go to the
    paths whose folders share most trigrams, then to those of the closest length; difflib ranks
    the candidates as it ranked every path before.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        lowered = [_lowered(p) for p in self.paths]
        names = [p.rpartition("/")[2] for p in lowered]
        self._names = _index(_grams(name, len(name) <= SHORT_LIKE) for name in names)
        self._folders = _index(_grams(p.rpartition("/")[0]) for p in lowered)
        self._lengths = [len(p) for p in lowered]

    def candidates(self, path: str) -> list[str]:
        """The paths difflib ranks for PATH: at most CANDIDATES, found reading at most 2 × POSTINGS entries."""
        asked = _lowered(path)
        folder, _, name = asked.rpartition("/")
        by_name = _count(self._names, _grams(name, len(name) <= SHORT))
        best = by_name.most_common(CANDIDATES)
        if len(best) < CANDIDATES:
            return [self.paths[i] for i, _ in best]
        last = best[-1][1]
        chosen = [i for i, shared in best if shared > last]
        tied = [i for i, shared in by_name.items() if shared == last]
        by_folder = _count(self._folders, _grams(folder))
        chosen += heapq.nsmallest(
            CANDIDATES - len(chosen), tied, key=lambda i: (-by_folder.get(i, 0), abs(self._lengths[i] - len(asked)))
        )
        return [self.paths[i] for i in chosen]

    def close_to(self, path: str) -> list[str]:
        """Up to SHOWN paths whose last segment is like PATH's (a typo, or the wrong kind), best first."""
        asked = _lowered(path)
        by_name = difflib.SequenceMatcher(None, asked.rpartition("/")[2], "")
        alike = []
        for candidate in self.candidates(path):
            by_name.set_seq2(_lowered(candidate).rpartition("/")[2])
            # Cheap upper bounds first: a 100-character name like nothing here stops at them,
            # where ratio() took up to 40 ms for 40 candidates.
            if by_name.real_quick_ratio() >= ALIKE and by_name.quick_ratio() >= ALIKE:
                ratio = by_name.ratio()
                if ratio >= ALIKE:
                    alike.append((ratio, candidate))
        if not alike:
            return []
        # The whole paths only order equally alike names: compared for those that can be shown.
        least = sorted((ratio for ratio, _ in alike), reverse=True)[:SHOWN][-1]
        by_path = difflib.SequenceMatcher(None, asked, "")
        rated = []
        for ratio, candidate in alike:
            if ratio >= least:
                by_path.set_seq2(_lowered(candidate))
                rated.append((-ratio, -by_path.ratio(), candidate))
        rated.sort()
        return [p for _, _, p in rated[:SHOWN]]


def _lowered(path: str) -> str:
    """What the search compares of PATH: its first COMPARED characters, in lower case."""
    return path[:COMPARED].lower()


def negotiate_language(accept_language: str | None) -> str:
    """The page language for an Accept-Language header: the reader's best-rated language we have, else English."""
    return negotiation.language(accept_language, PAGE_LANGUAGES, FALLBACK[0])


def last_modified(corpus: Corpus) -> float:
    """The newest modification time of the project's input files, in whole seconds as HTTP dates have."""
    project = corpus.project
    files = [
        *project.ontology_files(),
        *project.shapes_files(),
        *project.reference_files(),
        project.root / "rit-graph.toml",
    ]
    for item in project.announcements():
        files += [*item.rdf_files, item.source_text]
    return float(int(max(f.stat().st_mtime for f in files if f.exists())))


def downloads_in_memory(run: Run, projection: schemaorg.Projection) -> tuple[dict[str, Served], list[catalog.Download]]:
    """The dumps, their gzip versions and catalog.ttl, as ``rit-graph build`` writes them, kept in memory."""
    with tempfile.TemporaryDirectory() as name:
        files, described = write_downloads(run, Path(name), projection)
        served = {
            path.name: Served(
                path.read_bytes(), "application/gzip" if path.suffix == ".gz" else catalog.media_type(path)
            )
            for path in files
        }
    return served, described


class LinkedData:
    """The request handlers of the site and the resource IRIs; the Site is built once, here."""

    def __init__(self, corpus: Corpus) -> None:
        self._run = Run(corpus)
        self._projection = schemaorg.projections(self._run)
        # Every page's header links to this server's query editor, /sparql.
        self.site = Site(corpus, schema_org_blocks(self._projection.facts), query_editor=QUERY_EDITOR)
        self.base = corpus.project.base_iri
        self.modified = last_modified(corpus)
        self._written: tuple[dict[str, Served], list[catalog.Download]] | None = None
        self._writing = threading.Lock()
        words = (
            resources.files("rit_graph").joinpath("templates").joinpath("linkeddata.toml").read_text(encoding="utf-8")
        )
        self.words: dict[str, dict[str, str]] = tomllib.loads(words)
        self.close_paths = ClosePaths([iri[len(self.base) :] for iri in self.site.resources])

    @property
    def downloads(self) -> dict[str, Served]:
        return self._downloads()[0]

    @property
    def described(self) -> list[catalog.Download]:
        return self._downloads()[1]

    def _downloads(self) -> tuple[dict[str, Served], list[catalog.Download]]:
        """The dumps, written on first request: for a large corpus that takes what a build's
        writing takes, which starting the server should not wait for."""
        with self._writing:
            if self._written is None:
                # With one worker, so in this process: the server has threads by now (this runs in one of
                # anyio's), and a process forked from it could hang on a lock another thread held. Writing
                # them before the server starts would make it wait minutes at 1M triples (RESULTS.md).
                self._written = downloads_in_memory(dataclasses.replace(self._run, workers=1), self._projection)
            return self._written

    # Handlers -------------------------------------------------------------

    def page(self, request: Request) -> Response:
        """/, /index.html, /ontology, /shapes.en.html, ...: the site's own pages."""
        stem, lang, extension = _split(request.path_params.get("name", "index"))
        if stem not in PAGES or extension not in ("", ".html"):
            return self.not_found(request)
        if stem == "ontology" and not lang and extension == "":
            # The ontology's IRI: its page for browsers, its Turtle for RDF clients.
            chosen = negotiate(request.headers.get("accept"), (("html", HTML), ("turtle", ("text/turtle",))))
            if chosen == "turtle":
                return self._send(
                    request,
                    self.downloads[ONTOLOGY_FILE].body,
                    "text/turtle",
                    location="/downloads/" + ONTOLOGY_FILE,
                    vary=True,
                )
        render: dict[str, Callable[[str], str]] = {
            "index": self.site.home,
            "ontology": self.site.ontology_page,
            "shapes": self.site.shapes_page,
            "downloads": lambda language: self.site.downloads_page(self.described, language, prefix="downloads/"),
        }
        return self._html(
            request, render[stem], lang, lambda chosen: f"/{stem}.{chosen}.html", explicit=bool(extension)
        )

    def source(self, request: Request) -> Response:
        """/source/NAME and /source/NAME.LANG.html: an announcement's text with its quotes marked."""
        name, lang, extension = _split(request.path_params["name"])
        if name not in self.site.sources.values() or extension not in ("", ".html"):
            return self.not_found(request)
        return self._html(
            request,
            lambda language: self.site.source(name, language),
            lang,
            lambda chosen: "/" + self.site.source_path(name, chosen),
            explicit=bool(extension),
        )

    def browse(self, request: Request) -> Response:
        """/browse/class/City/2.en.html, /browse/timeline/2015/1, ...: the lists the home page sums up; 404 for
        a list or a page past the end that the site has not."""
        stem, lang, extension = _split("browse/" + request.path_params["path"])
        if stem not in self.site.browse_pages() or extension not in ("", ".html"):
            return self.not_found(request)
        return self._html(
            request,
            lambda language: self.site.browse(stem, language),
            lang,
            lambda chosen: f"/{stem}.{chosen}.html",
            explicit=bool(extension),
        )

    def download(self, request: Request) -> Response:
        """/downloads/FILE: a dump, its gzip version or the catalog."""
        found = self.downloads.get(request.path_params["name"])
        if found is None:
            return self.not_found(request)
        return self._send(request, found.body, found.media_type)

    def sitemap(self, request: Request) -> Response:
        """/sitemap.xml (an index of /sitemap-N.xml past 50,000 pages) and /robots.txt naming it: the pages at the
        base IRI, where the server publishes them."""
        found = self._sitemaps.get(request.url.path.removeprefix("/"))
        if found is None:
            return self.not_found(request)
        return self._send(request, found.body, found.media_type)

    @functools.cached_property
    def _sitemaps(self) -> dict[str, Served]:
        """The sitemap's files and robots.txt, made on the first request for one: the pages the static site has."""
        made = sitemap.files(self.base, sitemap.listed(e.path for e in entries(self.site)))
        return {
            name: Served(text.encode(), "text/plain" if name == sitemap.ROBOTS else "application/xml")
            for name, text in made.items()
        }

    def resource(self, request: Request) -> Response:
        """/id/...: a resource's page or data; the extensionless IRI negotiates which."""
        stem, lang, extension = _split("id/" + request.path_params["path"])
        iri = self.base + stem
        if iri not in self.site.resources:
            return self.not_found(request)
        if extension in ("", ".html"):
            chosen = negotiate(request.headers.get("accept"), RESOURCE_OFFERS) if not extension and not lang else "html"
            if chosen is None:
                return self._not_acceptable(RESOURCE_OFFERS)
            if chosen == "html":
                return self._html(
                    request,
                    lambda language: self.site.resource(iri, language),
                    lang,
                    lambda language: f"/{stem}.{language}.html",
                    explicit=bool(extension or lang),
                )
            return self._send(
                request,
                self.site.resource_data(iri, chosen),
                BY_NAME[chosen].media_type,
                location="/" + self.site.data_path(stem, chosen),
                vary=True,
            )
        named = BY_EXTENSION.get(extension)
        if named is None or named.name not in RESOURCE_FORMATS or lang:
            return self.not_found(request)
        return self._send(request, self.site.resource_data(iri, named.name), named.media_type)

    def not_found(self, request: Request) -> Response:
        """A 404 that names the IRI asked for and the closest IRIs that exist: a page for browsers, text otherwise.

        The path asked for is shown as text only. Every link is a root-relative link to one of the
        site's own pages, the language switch included: built from the request, a path such as
        ``/javascript:alert(1)`` made ``href="javascript:alert(1)?lang=de"``.
        """
        asked = request.url.path.lstrip("/")
        iri = self.base + asked
        close = self.close_to(asked)
        if negotiate(request.headers.get("accept"), RESOURCE_OFFERS) == "html":
            lang = self._language(request, None)
            words = self.words[lang]
            page = self.site.page(
                "not-found.html",
                None,
                lang,
                words["not_found"],
                lambda other: f"index.{other}.html",
                words=words,
                iri=iri,
                close=[self.site.value(ox.NamedNode(self.base + path), lang, None) for path in close],
                home=Value(self.site.messages[lang]["index"], self.site.relative(f"index.{lang}.html", None)),
            )
            return HTMLResponse(page, status_code=404, headers={"Vary": VARY, "Content-Language": lang})
        lines = [f"{iri} is not described here."]
        lines += ["Close IRIs:", *(f"  {self.base}{path}" for path in close)] if close else []
        lines += [f"Home: {self.base}"]
        return PlainTextResponse("\n".join(lines) + "\n", status_code=404, headers={"Vary": VARY})

    def close_to(self, path: str) -> list[str]:
        """Resource paths whose last segment is like PATH's (a typo, or the wrong kind), best first."""
        return self.close_paths.close_to(path)

    # Representations --------------------------------------------------------

    def _language(self, request: Request, explicit: str | None) -> str:
        """The path's language, else ?lang=, else the best of Accept-Language."""
        asked = request.query_params.get("lang")
        return explicit or (
            asked if asked in PAGE_LANGUAGES else negotiate_language(request.headers.get("accept-language"))
        )

    def _html(
        self,
        request: Request,
        render: Callable[[str], str],
        lang: str | None,
        location: Callable[[str], str],
        explicit: bool,
    ) -> Response:
        """A page: in the path's language if it names one, else negotiated and labelled with Content-Location."""
        if not explicit and negotiate(request.headers.get("accept"), (("html", HTML),)) is None:
            return self._not_acceptable((("html", HTML),))
        chosen = self._language(request, lang)
        return self._send(
            request,
            render(chosen).encode("utf-8"),
            "text/html",
            location=None if lang else location(chosen),
            vary=not lang,
            language=chosen,
        )

    def _send(
        self,
        request: Request,
        body: bytes,
        media_type: str,
        location: str | None = None,
        vary: bool = False,
        language: str | None = None,
    ) -> Response:
        """BODY with its validators, or 304 if the client's copy is current; LANGUAGE is a page's, for
        Content-Language (the data formats carry every language, so they name none)."""
        headers = {
            "ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            "Last-Modified": email.utils.formatdate(self.modified, usegmt=True),
        }
        if language:
            headers["Content-Language"] = language
        if vary:
            headers["Vary"] = VARY
        if location:
            # The site's own path, mapped from IRI to URI (RFC 3987, 3.1): a header carries ASCII only,
            # and a resource IRI such as id/place/北九州 made this a 500.
            headers["Content-Location"] = quote(location, safe="/:@!$&'()*+,;=%")
        if _not_modified(request, headers["ETag"], self.modified):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    @staticmethod
    def _not_acceptable(offers: Sequence[tuple[str, Sequence[str]]]) -> Response:
        available = ", ".join(t for _, types in offers for t in types[:1])
        return PlainTextResponse(
            f"No acceptable representation; this resource is available as {available}.\n",
            status_code=406,
            headers={"Vary": VARY},
        )


def favicon(request: Request) -> Response:
    """/favicon.ico and /favicon.svg: the site's icon, with or without a project to serve, since browsers ask
    for /favicon.ico whatever a page links; it changes only with rit-graph, so caches may keep it a day."""
    media_type, make = icon.MADE[request.url.path.lstrip("/")]
    body = make()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    if etag in {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _split(name: str) -> tuple[str, str | None, str]:
    """``kitakyushu.en.html`` → (kitakyushu, en, .html); ``kitakyushu.ttl`` → (kitakyushu, None, .ttl)."""
    stem, dot, extension = name.rpartition(".")
    if not dot or "/" in extension:
        return name, None, ""
    head, dot, lang = stem.rpartition(".")
    if extension == "html" and dot and lang in PAGE_LANGUAGES:
        return head, lang, ".html"
    return stem, None, "." + extension


def _not_modified(request: Request, etag: str, modified: float) -> bool:
    """RFC 9110: If-None-Match (weak comparison) decides; If-Modified-Since counts only without it."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        when = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        return False
    return modified <= when.timestamp() and when <= datetime.now(when.tzinfo)
