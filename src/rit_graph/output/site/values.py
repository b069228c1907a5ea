"""Terms as the templates show them: compact names, labels in the reader's language, links, nested statements."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox
from markupsafe import Markup

from rit_graph.output.site.graph import LABEL, Graph, Term
from rit_graph.output.site.paths import Paths, folder, page_in, relative
from rit_graph.rdf import dates
from rit_graph.rdf.dates import Interval
from rit_graph.rdf.namespaces import RDF, RDF_TYPE, SH

SHACL_PATH = ox.NamedNode(SH + "path")
#: Shape statements whose values are code, which a page shows unbroken (scrolled where too wide).
SHACL_CODE = (ox.NamedNode(SH + "pattern"), ox.NamedNode(SH + "select"), ox.NamedNode(SH + "ask"))
#: Where one paragraph of a text ends and the next begins: a blank line (spaces on it allowed).
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
#: The months by name in the languages that write them out; Japanese counts them (9月).
MONTHS = {
    "de": (
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Value:
    """A term as a page shows it: text, a link where it has one, nested statements for blank nodes, the
    members of an RDF list."""

    text: str
    href: str | None = None
    lang: str | None = None
    title: str | None = None
    rows: tuple[Row, ...] = ()
    items: tuple[Value, ...] = ()
    #: Code, such as a regular expression: shown as written, never broken across lines.
    code: bool = False

    @property
    def paragraphs(self) -> list[str]:
        """The text's paragraphs, as blank lines part them: a page shows a text of several as paragraphs."""
        if "\n" not in self.text:
            return [self.text]
        return [p for p in PARAGRAPH_BREAK.split(self.text) if p]


@dataclass(frozen=True)
class Row:
    """The values of one predicate, shown together on one line."""

    predicate: Value
    values: tuple[Value, ...]


class Terms:
    """Turns the terms of the data, the ontology and the shapes into Values, linked relative to one page."""

    def __init__(self, paths: Paths, data: Graph, ontology: Graph, shapes: Graph, names: dict[str, str]) -> None:
        self.paths = paths
        self.data = data
        self.ontology = ontology
        self.shapes = shapes
        self.names = names
        #: The longest namespace first, so that an IRI gets the most specific prefix.
        self._longest_first = sorted(names.items(), key=lambda kv: -len(kv[1]))
        self.known = known_labels()
        #: What a link to a resource shows in a language (its label, page, IRI), asked for by every page that
        #: links to it: worked out once while it is asked for often, in bounded memory (a server keeps its Site).
        self._link = functools.lru_cache(maxsize=1 << 16)(self._linked)
        #: Every page sorts its predicates by their compact names, the same few hundred names.
        self.compact = functools.lru_cache(maxsize=1 << 14)(self._compact)
        self._html_in = functools.lru_cache(maxsize=1 << 16)(self._html_in_folder)

    def _compact(self, iri: str) -> str:
        for prefix, namespace in self._longest_first:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def label(self, iri: ox.NamedNode, lang: str) -> tuple[str, str | None]:
        """IRI's label in LANG (else in the fallback languages) from the data, the ontology or the names the
        pages know of other vocabularies' terms; else its compact form or, for a resource, its last segment."""
        for graph in (self.data, self.ontology, self.known):
            found = graph.text(iri, LABEL, lang)
            if found is not None:
                return found.value, found.language
        return (
            self.compact(iri.value)
            if not iri.value.startswith(self.paths.base + "id/")
            else iri.value.rsplit("/", 1)[-1]
        ), None

    def value(self, term: Term, lang: str, here: str | None, graph: Graph | None = None, depth: int = 0) -> Value:
        """TERM as shown on the page at HERE: linked if it has a page or an http(s) IRI."""
        if isinstance(term, ox.NamedNode):  # the most common, first
            page, text, text_lang, href = self._link(term, lang)
            return _link_value(text, relative(page, here) if page is not None else href, text_lang, term.value)
        if isinstance(term, ox.Literal):
            when = dates.interval(term)
            if when is not None:
                return Value(date_text(when, lang), title=f"{term.value}^^{self.compact(term.datatype.value)}")
            datatype = term.datatype.value
            shown = None if datatype in (RDF + "langString", "http://www.w3.org/2001/XMLSchema#string") else datatype
            return Value(term.value, lang=term.language, title=self.compact(shown) if shown else None)
        graph = graph or self.data  # a blank node
        items = graph.items(term)
        if items is not None:
            return Value("", items=tuple(self.value(i, lang, here, graph, depth) for i in items))
        return Value("", rows=self.rows(graph, term, lang, here, depth=depth + 1) if depth < 4 else ())

    def html(self, term: Term, lang: str, here: str | None) -> str:
        """``html(value(TERM, LANG, HERE))``; for a named node, made once for every page in HERE's folder (the
        quotes on a page name the same resources and properties again and again)."""
        if type(term) is ox.NamedNode and here is not None:
            found = self._html_in(term, lang, folder(here))
            if found is not None:
                return found
        return html(self.value(term, lang, here))

    def _html_in_folder(self, iri: ox.NamedNode, lang: str, page_folder: str) -> str | None:
        """``html`` of IRI on any page in PAGE_FOLDER; None if its page has a fragment, whose link from that
        page itself is the fragment alone."""
        page = self._link(iri, lang)[0]
        if page is not None and "#" in page:
            return None
        return html(self.value(iri, lang, page_in(page_folder)))

    def _linked(self, iri: ox.NamedNode, lang: str) -> tuple[str | None, str, str | None, str | None]:
        """What a link to IRI shows in LANG: its page (site path) or else its http(s) IRI, its text and the
        text's language."""
        page = self.paths.resource_path(iri.value, lang)
        text, text_lang = self.label(iri, lang)
        if page is not None:
            return page, text, text_lang, None
        scheme = iri.value.split(":", 1)[0].lower()
        href = iri.value if scheme in ("http", "https") else None
        return None, self.compact(iri.value) if text_lang is None else text, text_lang, href

    def rows(
        self,
        graph: Graph,
        subject: Term,
        lang: str,
        here: str | None,
        only: tuple[ox.NamedNode, ...] = (),
        skip: tuple[ox.NamedNode, ...] = (),
        depth: int = 0,
    ) -> tuple[Row, ...]:
        """SUBJECT's statements in GRAPH, one row per predicate."""
        statements = graph.out.get(subject, {})
        order = only or tuple(sorted(statements, key=lambda p: (p != RDF_TYPE, self.compact(p.value))))
        return tuple(
            Row(
                self.value(p, lang, here),
                tuple(self._shown(p, o, lang, here, graph, depth) for o in statements[p]),
            )
            for p in order
            if p in statements and p not in skip
        )

    def _shown(
        self, predicate: ox.NamedNode, term: Term, lang: str, here: str | None, graph: Graph, depth: int
    ) -> Value:
        """TERM as the value of PREDICATE: a SHACL path in SPARQL's notation, code as code, else as ``value``."""
        if predicate == SHACL_PATH:
            return Value(self.path_text(term))
        if predicate in SHACL_CODE and isinstance(term, ox.Literal):
            return Value(term.value, code=True)
        return self.value(term, lang, here, graph, depth)

    def path_text(self, path: Term) -> str:
        """A SHACL property path in the notation of SPARQL property paths."""
        if isinstance(path, ox.NamedNode):
            return self.compact(path.value)
        items = self.shapes.items(path)
        if items is not None:
            return " / ".join(self.path_text(i) for i in items)
        for operator, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
            inner = self.shapes.one(path, ox.NamedNode(SH + operator))
            if inner is not None:
                return f"({self.path_text(inner)}){mark}"
        inverse = self.shapes.one(path, ox.NamedNode(SH + "inversePath"))
        if inverse is not None:
            return f"^{self.path_text(inverse)}"
        alternatives = self.shapes.one(path, ox.NamedNode(SH + "alternativePath"))
        if alternatives is not None:
            return "(" + " | ".join(self.path_text(i) for i in self.shapes.items(alternatives) or []) + ")"
        return str(path)


@functools.cache
def known_labels() -> Graph:
    """The names of other vocabularies' terms in the pages' languages (``templates/labels.ttl``), read once."""
    text = resources.files("rit_graph").joinpath("templates").joinpath("labels.ttl").read_bytes()
    return Graph.of(q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE))


def value_html(v: Value) -> Markup:
    """V as a page shows it: a link, nested rows, code, a list, paragraphs or a text with its language.

    Written in Python rather than as a template macro: every page shows hundreds of values, and a macro
    call costs ten times as much. Every text is escaped, as the templates' autoescaping would.
    """
    return Markup(html(v))


def rows_html(rows: tuple[Row, ...]) -> Markup:
    """ROWS as a description list: each predicate, then its one value or a list of its values."""
    return Markup(_rows(rows))


# The HTML is built as plain text, each piece escaped by ``escape``, and made Markup once for the template.


def html(v: Value) -> str:
    """V as ``value_html`` shows it, as plain text: for HTML built in Python, piece by piece."""
    if v.href:
        return _link_html(v.href, v.text, v.lang, v.title)
    shown_as = attributes(v.lang, v.title)
    tag = f' <span class="lang-tag">@{escape(v.lang)}</span>' if v.lang else ""
    if v.rows:
        return _rows(v.rows)
    if v.code:
        return f'<code class="code">{escape(v.text)}</code>'
    if v.items:
        return '<ol class="rdf-list">' + "".join(f"<li>{html(i)}</li>" for i in v.items) + "</ol>"
    paragraphs = v.paragraphs
    if len(paragraphs) > 1:
        shown = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        return f'<div class="paragraphs"{shown_as}>{shown}</div>{tag}'
    return f"<span{shown_as}>{escape(v.text)}</span>{tag}"


def _rows(rows: tuple[Row, ...]) -> str:
    lines = ['<dl class="rows">\n']
    for row in rows:
        if len(row.values) == 1:
            shown = html(row.values[0])
        else:
            shown = "<ul>" + "".join(f"<li>{html(v)}</li>" for v in row.values) + "</ul>"
        lines.append(f"<dt>{html(row.predicate)}</dt>\n<dd>{shown}</dd>\n")
    return "".join(lines) + "</dl>"


def escape(text: str) -> str:
    """TEXT escaped as ``markupsafe.escape`` escapes it, without making each piece a Markup object."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
    )


def attributes(lang: str | None, title: str | None) -> str:
    """The ``lang`` and ``title`` attributes of an element that shows a text (none for None)."""
    return (f' lang="{escape(lang)}"' if lang else "") + (f' title="{escape(title)}"' if title else "")


# A page links to the same predicates, classes and resources as the pages beside it: each link's Value and
# HTML is made once while it is often asked for (bounded: a server keeps them for its life).
_link_value = functools.lru_cache(maxsize=1 << 16)(Value)


@functools.lru_cache(maxsize=1 << 16)
def _link_html(href: str, text: str, lang: str | None, title: str | None) -> str:
    return f'<a href="{escape(href)}"{attributes(lang, title)}>{escape(text)}</a>'


def date_text(when: Interval, lang: str) -> str:
    """WHEN as a page in LANG writes a date, as precisely as the source gave it: "2015", "September 2015",
    "22. Juni 2015", "2015年6月22日 10:00 UTC+09:00"; ISO 8601 in a language without words for it here."""
    day, precision = when.first, when.precision
    if lang == "ja":
        text = f"{day.year}年" + (f"{day.month}月" if precision != "year" else "")
        text += f"{day.day}日" if precision in ("day", "time") else ""
    elif lang in MONTHS:
        month = MONTHS[lang][day.month - 1]
        text = {"year": f"{day.year}", "month": f"{month} {day.year}"}.get(precision) or (
            f"{day.day}. {month} {day.year}" if lang == "de" else f"{day.day} {month} {day.year}"
        )
    else:
        text = day.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)]
    if when.time is None:
        return text
    time = when.time.removesuffix(":00") if len(when.time) == 8 else when.time  # 10:00, 10:00:30, 10:00:00.5
    zone = {None: "", "Z": " UTC"}.get(when.zone, f" UTC{when.zone}")
    return f"{text}{' ' if lang == 'ja' else ', '}{time}{zone}"


def dates_text(start: Interval, end: Interval | None, lang: str) -> str:
    """From START to END (if any) as a page in LANG writes it."""
    return date_text(start, lang) + (f" – {date_text(end, lang)}" if end is not None else "")
