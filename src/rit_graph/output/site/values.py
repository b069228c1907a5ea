"""Terms as the templates show them: compact names, labels in the reader's language, links, nested statements."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from rit_graph.output.site.graph import LABEL, Graph, Term
from rit_graph.output.site.paths import Paths, relative
from rit_graph.rdf import dates
from rit_graph.rdf.dates import Interval
from rit_graph.rdf.namespaces import RDF, RDF_TYPE, SH

SHACL_PATH = ox.NamedNode(SH + "path")
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
    """A term as a page shows it: text, a link where it has one, nested statements for blank nodes."""

    text: str
    href: str | None = None
    lang: str | None = None
    title: str | None = None
    rows: tuple[Row, ...] = ()


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

    def compact(self, iri: str) -> str:
        for prefix, namespace in self._longest_first:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def label(self, iri: ox.NamedNode, lang: str) -> tuple[str, str | None]:
        for graph in (self.data, self.ontology):
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
        if isinstance(term, ox.Literal):
            when = dates.interval(term)
            if when is not None:
                return Value(date_text(when, lang), title=f"{term.value}^^{self.compact(term.datatype.value)}")
            datatype = term.datatype.value
            shown = None if datatype in (RDF + "langString", "http://www.w3.org/2001/XMLSchema#string") else datatype
            return Value(term.value, lang=term.language, title=self.compact(shown) if shown else None)
        if isinstance(term, ox.BlankNode):
            graph = graph or self.data
            items = graph.items(term)
            if items is not None:
                return Value(
                    "", rows=(Row(Value("( )"), tuple(self.value(i, lang, here, graph, depth) for i in items)),)
                )
            return Value("", rows=self.rows(graph, term, lang, here, depth=depth + 1) if depth < 4 else ())
        page = self.paths.resource_path(term.value, lang)
        text, text_lang = self.label(term, lang)
        if page is not None:
            return Value(text, relative(page, here), text_lang, term.value)
        scheme = term.value.split(":", 1)[0].lower()
        href = term.value if scheme in ("http", "https") else None
        return Value(self.compact(term.value) if text_lang is None else text, href, text_lang, term.value)

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
                tuple(
                    Value(self.path_text(o)) if p == SHACL_PATH else self.value(o, lang, here, graph, depth)
                    for o in statements[p]
                ),
            )
            for p in order
            if p in statements and p not in skip
        )

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
