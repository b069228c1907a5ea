"""Search over the site's labels, descriptions and source texts: SQLite FTS5 for the server, Pagefind for the
static site.

The server's index (``SearchIndex``) is an in-memory SQLite FTS5 table with the
``trigram`` tokenizer: it matches any substring of three characters or more, so
Japanese, which is written without spaces, is found as German and English are
("北九州" in "北九州市", "Kitakyushu" in "Kitakyushus"). Shorter terms ("日立")
are looked up with LIKE on the same table. The reader's words never reach SQL
as SQL: each term is a bound parameter, quoted as an FTS5 phrase, so ``"``,
``*``, ``NEAR(`` or ``OR`` are words to find, never operators.

Each row is a passage of text that belongs to one resource: its labels, its
other texts, the quotes whose statements describe it (with the anchor of
their mark on the source page, as ``quotes`` names it) and, for an
announcement, the paragraphs of its text. Results are resources, each once
however many announcements describe it, ranked by what matched: a label equal
to the query, a label, another text, a quote, a source paragraph.

The static site has no server: ``site.search_shards.write_index`` indexes
records made from the data with Pagefind, which its search page loads in the browser.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from rit_graph.output.site import Site
from rit_graph.output.site.graph import COMMENT, LABEL, Graph
from rit_graph.output.site.paths import relative, source_path
from rit_graph.output.site.quotes import Quotes
from rit_graph.output.site.search_page import MAX_QUERY
from rit_graph.rdf.namespaces import OA, RDF, RDF_TYPE, RDFS, SKOS

#: Terms of a query at most: each is a condition every row is checked against.
MAX_TERMS = 10
#: Results on one page.
PAGE_SIZE = 20
#: Passages shown under one result.
MAX_PASSAGES = 3
#: Characters of context shown on each side of a match in a long text.
CONTEXT = 80
#: What the trigram tokenizer indexes: shorter terms are searched with LIKE.
TRIGRAM = 3

#: The ranks of what matched, best first.
EXACT, NAME, TEXT, QUOTE, PARAGRAPH = range(5)
#: The predicates that name a resource.
NAMES = frozenset(ox.NamedNode(iri) for iri in (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel"))
#: Literals that are not prose: not searched.
_NOT_TEXT = frozenset({RDF + "langString", "http://www.w3.org/2001/XMLSchema#string"})


class QueryTooLong(ValueError):
    """The query has more than MAX_QUERY characters."""


@dataclass(frozen=True)
class Passage:
    """A matched text: its segments (text, whether it is a match), its language, and where it is quoted from."""

    segments: tuple[tuple[str, bool], ...]
    lang: str | None
    rank: int
    #: The announcement whose source page holds it, and the id of its mark there.
    source: str | None = None
    anchor: str | None = None


@dataclass(frozen=True)
class Hit:
    """A resource that matched (an IRI with a page in the site), what matched best and the passages to show."""

    iri: str
    rank: int
    passages: tuple[Passage, ...]
    #: The announcements that describe it, by folder name.
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    """One page of results: the query as searched, how many resources matched, the page and its hits."""

    query: str
    total: int
    page: int
    hits: tuple[Hit, ...] = field(default=())

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def normalized(query: str) -> str:
    """QUERY as searched: NFKC (full-width "Ｋｉｔａ" is "Kita"), control characters as spaces (SQLite ends a
    pattern at U+0000, so "\0" matched everything), its whitespace collapsed; QueryTooLong past MAX_QUERY."""
    text = unicodedata.normalize("NFKC", query[: MAX_QUERY * 8])
    text = " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())
    if len(text) > MAX_QUERY:
        raise QueryTooLong(f"a search has at most {MAX_QUERY} characters; this one has {len(text)}")
    return text


def terms(query: str) -> list[str]:
    """The words of a normalized QUERY, each once, at most MAX_TERMS."""
    return list(dict.fromkeys(query.split()))[:MAX_TERMS]


def phrase(term: str) -> str:
    """TERM as an FTS5 string: its words are searched as they are, whatever FTS5 syntax they hold."""
    return '"' + term.replace('"', '""') + '"'


def like(term: str) -> str:
    """A LIKE pattern for TERM anywhere, its own % and _ escaped (ESCAPE '\\')."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"


class SearchIndex:
    """The FTS5 index of one site; build it once, search it from any thread."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.resources: list[str] = []
        self._ids: dict[str, int] = {}
        self.sources: list[str] = sorted(site.sources.values())
        self._source_ids = {name: i for i, name in enumerate(self.sources)}
        #: The announcements describing each resource (ids into ``sources``).
        self.described_by: dict[int, tuple[int, ...]] = {}
        #: Each source text's quote marks: (start, end, anchor), for the anchor of a matched paragraph.
        self.marks: dict[int, list[tuple[int, int, str]]] = {}
        self._lock = threading.Lock()
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute(
            "CREATE VIRTUAL TABLE passages USING fts5(text, resource UNINDEXED, kind UNINDEXED, lang UNINDEXED,"
            " source UNINDEXED, anchor UNINDEXED, start UNINDEXED, folded UNINDEXED, tokenize='trigram')"
        )
        self.db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self._rows())
        self.db.commit()
        self._describers()

    def __len__(self) -> int:
        """How many passages are indexed."""
        return int(self.db.execute("SELECT COUNT(*) FROM passages").fetchone()[0])

    def _id(self, iri: str) -> int:
        if iri not in self._ids:
            self._ids[iri] = len(self.resources)
            self.resources.append(iri)
        return self._ids[iri]

    def _rows(self) -> Iterator[tuple[str, int, int, str | None, int | None, str | None, int | None, str | None]]:
        """Every passage: (text, resource, rank, language, source, anchor, start, casefolded name)."""
        site, paths = self.site, self.site.paths
        data, ontology = site.terms.data, site.terms.ontology
        text_of = ox.NamedNode(paths.vocabulary + "text")
        annotation = ox.NamedNode(OA + "Annotation")
        for iri in site.resources:
            node = ox.NamedNode(iri)
            if annotation in data.objects(node, RDF_TYPE):
                continue  # its quote is found under the resources its statements describe
            resource = self._id(iri)
            for predicate, objects in data.out.get(node, {}).items():
                for value in objects:
                    if not isinstance(value, ox.Literal) or value.datatype.value not in _NOT_TEXT:
                        continue
                    if predicate == text_of:
                        yield from self._paragraphs(resource, value, site.sources.get(iri))
                    elif predicate in NAMES:
                        yield value.value, resource, NAME, value.language, None, None, None, value.value.casefold()
                    else:
                        yield value.value, resource, TEXT, value.language, None, None, None, None
        yield from self._terms(ontology)
        yield from self._quotes(data, annotation)

    def _paragraphs(
        self, resource: int, text: ox.Literal, name: str | None
    ) -> Iterator[tuple[str, int, int, str | None, int | None, None, int, None]]:
        """The paragraphs of an announcement's text, each with where it starts, for the quote mark it lies in."""
        source = self._source_ids.get(name) if name else None
        for match in re.finditer(r"[^\n]+", text.value):
            if match.group().strip():
                yield match.group(), resource, PARAGRAPH, text.language, source, None, match.start(), None

    def _terms(self, ontology: Graph) -> Iterator[tuple[str, int, int, str | None, None, None, None, str | None]]:
        """The ontology's classes and properties, by their labels and definitions: each is a section of its page."""
        for node in sorted((s for s in ontology.out if isinstance(s, ox.NamedNode)), key=lambda s: s.value):
            if self.site.paths.resource_path(node.value, "en") is None or self.site.paths.has_page(node.value):
                continue
            resource = None
            for predicate, rank in ((LABEL, NAME), (COMMENT, TEXT)):
                for value in ontology.objects(node, predicate):
                    if isinstance(value, ox.Literal):
                        resource = self._id(node.value) if resource is None else resource
                        folded = value.value.casefold() if rank == NAME else None
                        yield value.value, resource, rank, value.language, None, None, None, folded

    def _quotes(
        self, data: Graph, annotation: ox.NamedNode
    ) -> Iterator[tuple[str, int, int, str | None, int | None, str | None, int | None, None]]:
        """Each quote, under every resource its annotation's statements describe, with its mark's anchor."""
        quotes = Quotes(self.site.paths, data, self.site.terms)
        text_of = ox.NamedNode(self.site.paths.vocabulary + "text")
        for node in sorted(data.subjects(RDF_TYPE, annotation), key=str):
            described = sorted(
                {
                    s.value
                    for body in data.objects(node, ox.NamedNode(OA + "hasBody"))
                    for s in data.objects(body, ox.NamedNode(RDF + "subject"))
                    if isinstance(s, ox.NamedNode) and self.site.paths.has_page(s.value)
                }
            )
            for quote in quotes.targets(node):
                name = self.site.sources.get(quote.source.value) if quote.source else None
                source = self._source_ids.get(name) if name else None
                text = data.one(quote.source, text_of) if quote.source else None
                lang = text.language if isinstance(text, ox.Literal) else None
                if source is not None and quote.anchor and quote.start is not None and quote.end is not None:
                    self.marks.setdefault(source, []).append((quote.start, quote.end, quote.anchor))
                for iri in described:
                    yield quote.exact, self._id(iri), QUOTE, lang, source, quote.anchor, quote.start, None

    def _describers(self) -> None:
        """Which announcements describe each resource: its page lists each of them, and so does its result."""
        by_term = {str(ox.NamedNode(iri)): resource for iri, resource in self._ids.items()}
        for unit in self.site.corpus.units:
            source = self._source_ids.get(unit.announcement) if unit.announcement else None
            if source is None:
                continue
            for subject in unit.summary.subjects:
                resource = by_term.get(subject)
                if resource is not None:
                    self.described_by[resource] = (*self.described_by.get(resource, ()), source)
        for spans in self.marks.values():
            spans.sort()

    def search(self, query: str, page: int = 1) -> Found:
        """The resources matching every word of QUERY (normalized), best first, PAGE_SIZE a page."""
        query = normalized(query)
        words = terms(query)
        if not words:
            return Found(query, 0, 1)
        conditions, params = [], []
        long_words = [w for w in words if len(w) >= TRIGRAM]
        if long_words:
            conditions.append("passages MATCH ?")
            params.append(" ".join(phrase(w) for w in long_words))
        for word in words:
            if len(word) < TRIGRAM:
                conditions.append("text LIKE ? ESCAPE '\\'")
                params.append(like(word))
        where = " AND ".join(conditions)
        score = "bm25(passages)" if long_words else "0.0"
        folded = query.casefold()
        page = max(1, page)
        # One scan of the matches ranks the resources, counts them (a window over the groups) and names the rows
        # of each; the rows of the page's resources are then read by rowid. Materialized: bm25() must run in the
        # scan of the FTS table, not in a query flattened into the grouping.
        with self._lock:
            ranked = self.db.execute(
                "WITH matched AS MATERIALIZED (SELECT rowid AS row, resource,"
                f" CASE WHEN folded = ? THEN {EXACT} ELSE kind END AS best, {score} AS score"
                f" FROM passages WHERE {where})"
                " SELECT resource, MIN(best) AS top, MIN(score) AS least, group_concat(row), COUNT(*) OVER ()"
                " FROM matched GROUP BY resource ORDER BY top, least, resource LIMIT ? OFFSET ?",
                [folded, *params, PAGE_SIZE, (page - 1) * PAGE_SIZE],
            ).fetchall()
            if ranked:
                total = ranked[0][4]
            else:
                counted = f"SELECT COUNT(DISTINCT resource) FROM passages WHERE {where}"
                total = self.db.execute(counted, params).fetchone()[0] if page > 1 else 0
            rowids = [int(row) for found in ranked for row in found[3].split(",")]
            rows = self.db.execute(
                "SELECT resource, kind, folded, text, lang, source, anchor, start FROM passages"
                f" WHERE rowid IN ({', '.join('?' * len(rowids))})",
                rowids,
            ).fetchall()
        rows.sort(key=lambda r: (r[0], EXACT if r[2] == folded else r[1], r[5] is None, r[5] or 0, r[7] or 0, r[3]))
        passages: dict[int, list[Passage]] = {}
        for resource, kind, name_folded, text, lang, source, anchor, start in rows:
            best = EXACT if name_folded == folded else kind
            found = passages.setdefault(resource, [])
            if len(found) >= MAX_PASSAGES:
                continue
            segments = _marked(text, words)
            if any(p.segments == segments for p in found):
                continue
            if best == PARAGRAPH and source is not None:
                anchor = self._mark_at(source, start + _first_match(text, words))
                if anchor and any(p.anchor == anchor and p.source == self.sources[source] for p in found):
                    continue  # the quote it lies in is shown already
            found.append(Passage(segments, lang, best, self.sources[source] if source is not None else None, anchor))
        hits = tuple(
            Hit(
                self.resources[resource],
                top,
                tuple(passages.get(resource, ())),
                tuple(self.sources[s] for s in self.described_by.get(resource, ())),
            )
            for resource, top, *_ in ranked
        )
        return Found(query, int(total), page, hits)

    def _mark_at(self, source: int, position: int) -> str | None:
        """The anchor of the innermost quote mark of SOURCE's text around POSITION, if any."""
        around = [(end - start, anchor) for start, end, anchor in self.marks.get(source, ()) if start <= position < end]
        return min(around)[1] if around else None


def _pattern(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)


def _first_match(text: str, words: list[str]) -> int:
    found = _pattern(words).search(text)
    return found.start() if found else 0


def _marked(text: str, words: list[str]) -> tuple[tuple[str, bool], ...]:
    """TEXT around its first match, at most CONTEXT characters on either side, cut in matched and other segments."""
    pattern = _pattern(words)
    first = pattern.search(text)
    start = max(0, first.start() - CONTEXT) if first else 0
    end = min(len(text), (first.end() if first else 0) + CONTEXT)
    # Cut at a space, so that no word is shown in part.
    if start > 0:
        space = text.find(" ", start, first.start() if first else start)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", first.end() if first else start, end)
        end = space if space > 0 else end
    segments = (("…", False),) if start > 0 else ()
    return segments + split(text[start:end], words) + ((("…", False),) if end < len(text) else ())


def split(text: str, words: list[str]) -> tuple[tuple[str, bool], ...]:
    """TEXT in segments, each (its text, whether it is one of WORDS in any case)."""
    segments: list[tuple[str, bool]] = []
    at = 0
    for match in _pattern(words).finditer(text):
        if match.start() > at:
            segments.append((text[at : match.start()], False))
        segments.append((match.group(), True))
        at = match.end()
    if at < len(text):
        segments.append((text[at:], False))
    return tuple(segments)


def presented(site: Site, found: Found, lang: str, here: str | None) -> list[dict[str, Any]]:
    """FOUND's hits as the search page and its JSON show them, in LANG, linked from the page at HERE (None: from
    the root): label, class, page, passages with their place in the source text, and the announcements."""
    shown = []
    words = terms(found.query)
    for hit in found.hits:
        node = ox.NamedNode(hit.iri)
        label, label_lang = site.terms.label(node, lang)
        graph = site.terms.data if site.paths.has_page(hit.iri) else site.terms.ontology
        classes = sorted((t for t in graph.objects(node, RDF_TYPE) if isinstance(t, ox.NamedNode)), key=str)
        kind = site.value(classes[0], lang, here) if classes else None
        named = split(label, words)
        passages = []
        for passage in hit.passages:
            if passage.rank in (EXACT, NAME) and any(matched for _, matched in named):
                continue  # the name shown matches: its names in other languages say nothing more
            link = None
            if passage.source is not None:
                link = relative(source_path(passage.source, lang), here) + (
                    f"#{passage.anchor}" if passage.anchor else ""
                )
            passages.append(
                {
                    "segments": passage.segments,
                    "text": "".join(text for text, _ in passage.segments),
                    "lang": passage.lang,
                    "source": passage.source,
                    "href": link,
                }
            )
        sources = []
        for name in hit.sources:
            title, title_lang = site.terms.label(ox.NamedNode(site.corpus.project.announcement_iri(name)), lang)
            sources.append(
                {"name": name, "label": title, "lang": title_lang, "href": relative(source_path(name, lang), here)}
            )
        shown.append(
            {
                "iri": hit.iri,
                "label": label,
                "label_segments": named,
                "lang": label_lang,
                "href": relative(site.paths.resource_path(hit.iri, lang) or "", here),
                "kind": {"iri": classes[0].value, "label": kind.text, "lang": kind.lang} if kind and classes else None,
                "matched": _MATCHED[hit.rank],
                "passages": passages,
                "sources": sources,
            }
        )
    return shown


#: What matched best, as the JSON names it.
_MATCHED = {EXACT: "name", NAME: "name", TEXT: "text", QUOTE: "quote", PARAGRAPH: "source text"}
