"""Render the graph as a linked-data site: one HTML page per resource and language.

The same pages serve the static site (``write_site``) and the server. Every
page lives at a path derived from its IRI (``id/place/kitakyushu.en.html``
beside ``kitakyushu.ttl`` and the other formats) and links to other pages
with relative links, so the written folder works on any web server. Jinja2
autoescapes everything that comes from the data, and only http(s) IRIs ever
become links, so hostile text in the data is shown, never run.
"""

from __future__ import annotations

import calendar
import io
import itertools
import posixpath
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pyoxigraph as ox
from markupsafe import Markup

from rit_graph import schemaorg
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.run import Run
from rit_graph.output.catalog import Download
from rit_graph.rdf import embed, jsonld
from rit_graph.rdf.formats import BY_NAME, for_path
from rit_graph.rdf.namespaces import DCTERMS, OA, OWL, RDF, RDF_TYPE, RDFS, SH, SKOS, prefixes
from rit_graph.rdf.ntriples import triple_order

#: The languages of the pages: every page is written in each.
PAGE_LANGUAGES = ("de", "en", "ja")
#: Languages tried, in order, after the reader's own.
FALLBACK = ("en", "de")
#: Formats of each resource's data, linked from its page.
RESOURCE_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")

LABEL = ox.NamedNode(RDFS + "label")
COMMENT = ox.NamedNode(RDFS + "comment")
DEFINITION = ox.NamedNode(SKOS + "definition")
SHACL_PATH = ox.NamedNode(SH + "path")

#: What the ontology page shows of each term, besides label and definition.
ALIGNMENTS = tuple(
    ox.NamedNode(iri)
    for iri in (
        RDF + "type",
        RDFS + "subClassOf",
        RDFS + "subPropertyOf",
        RDFS + "domain",
        RDFS + "range",
        OWL + "equivalentClass",
        OWL + "equivalentProperty",
        SKOS + "inScheme",
        SKOS + "exactMatch",
        SKOS + "closeMatch",
        SKOS + "broadMatch",
        SKOS + "narrowMatch",
        SKOS + "relatedMatch",
    )
)
#: Sections of the ontology page: the term's type and the message naming it.
TERM_KINDS = (
    ("Class", OWL + "Class"),
    ("ObjectProperty", OWL + "ObjectProperty"),
    ("DatatypeProperty", OWL + "DatatypeProperty"),
)
#: Shape statements the shapes page shows in their own place rather than as constraints.
SHAPE_FRAME = tuple(ox.NamedNode(SH + n) for n in ("targetClass", "property", "message", "path")) + (RDF_TYPE, COMMENT)

Subject = ox.NamedNode | ox.BlankNode
SchemaBlock = Callable[[str, str], str | None]
Term = ox.NamedNode | ox.BlankNode | ox.Literal


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
    predicate: Value
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Box:
    """A labelled, linked rectangle of an SVG diagram."""

    x: float
    y: float
    width: float
    height: float
    value: Value
    kind: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str


@dataclass(frozen=True)
class TimelineEvent:
    value: Value
    x: float
    width: float
    y: float
    #: Where the label starts: above the bar, moved left where it would leave the picture.
    label_x: float
    month_precision: bool
    inferred: bool
    when: str


@dataclass(frozen=True)
class _Quote:
    """One quote of an annotation: its words, source, position, and the id of its mark on the source page."""

    exact: str
    source: ox.NamedNode | None
    start: int | None
    end: int | None
    anchor: str | None


@dataclass
class _Graph:
    """Triples indexed by subject and by object, for pages that walk the graph both ways."""

    out: dict[Term, dict[ox.NamedNode, list[Term]]] = field(default_factory=lambda: defaultdict(dict))
    into: dict[Term, list[tuple[Subject, ox.NamedNode]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, triples: Iterable[ox.Triple]) -> _Graph:
        graph = cls()
        for t in sorted(set(triples), key=triple_order):
            subject, obj = t.subject, t.object
            if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
                continue  # RDF-star statements have no page of their own
            graph.out[subject].setdefault(t.predicate, []).append(obj)
            graph.into[obj].append((subject, t.predicate))
        return graph

    def objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term]:
        return self.out.get(subject, {}).get(predicate, [])

    def one(self, subject: Term, predicate: ox.NamedNode) -> Term | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: ox.NamedNode, obj: Term) -> list[Subject]:
        return [s for s, p in self.into.get(obj, []) if p == predicate]

    def items(self, node: Term) -> list[Term] | None:
        """The members of an RDF list, or None if NODE does not start one."""
        members: list[Term] = []
        seen: set[Term] = set()
        while node != ox.NamedNode(RDF + "nil"):
            first = self.one(node, ox.NamedNode(RDF + "first"))
            rest = self.one(node, ox.NamedNode(RDF + "rest"))
            if first is None or rest is None or node in seen:
                return None
            seen.add(node)
            members.append(first)
            node = rest
        return members


def _query(name: str) -> str:
    return (
        resources.files("rit_graph")
        .joinpath("templates")
        .joinpath("queries")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


class Site:
    """The pages of one corpus; build it once and render as many pages as needed.

    SCHEMA_BLOCK returns for a resource IRI and a language the ready-to-embed
    ``<script type="application/ld+json">`` block of its schema.org markup, or
    None; it must escape the JSON for a script element, as ``embed`` does.
    By default the blocks come from the schema.org projection.
    """

    def __init__(self, corpus: Corpus, schema_block: SchemaBlock | None = None) -> None:
        self.corpus = corpus
        self.base = corpus.project.base_iri
        self.vocabulary = corpus.project.vocabulary
        self.schema_block = schema_block or schema_org_blocks(schemaorg.project(Run(corpus)))
        triples = [q.triple for q in corpus.quads]
        self.data = _Graph.of(triples)
        self.ontology = _Graph.of(corpus.ontology)
        self.shapes = _Graph.of(corpus.shapes)
        self.names = {**prefixes(self.base, triples), "sh": SH, "shape": self.base + "shapes#"}
        self.resources = sorted(
            {s.value for s in self.data.out if isinstance(s, ox.NamedNode) and s.value.startswith(self.base + "id/")}
        )
        self._has_page = frozenset(self.resources)
        self.sources = {self.corpus.project.announcement_iri(name): name for name in sorted(corpus.announcement_graphs)}
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("rit_graph", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.messages: dict[str, dict[str, str]] = tomllib.loads(
            resources.files("rit_graph").joinpath("templates").joinpath("messages.toml").read_text(encoding="utf-8")
        )

    # Where pages live -------------------------------------------------

    def resource_path(self, iri: str, lang: str) -> str | None:
        """The site path of IRI's page, or None if IRI has no page here."""
        if iri in self._has_page:
            return iri[len(self.base) :] + f".{lang}.html"
        if iri.startswith(self.vocabulary) and ox.NamedNode(iri) in self.ontology.out:
            return f"ontology.{lang}.html#{iri[len(self.vocabulary) :]}"
        if iri == self.corpus.project.ontology_iri:
            return f"ontology.{lang}.html"
        if iri.startswith(self.base + "shapes#") and ox.NamedNode(iri) in self.shapes.out:
            return f"shapes.{lang}.html#{iri.rsplit('#', 1)[-1]}"
        return None

    @staticmethod
    def data_path(iri_path: str, rdf_format: str) -> str:
        return iri_path + BY_NAME[rdf_format].extension

    @staticmethod
    def source_path(name: str, lang: str) -> str:
        return f"source/{name}.{lang}.html"

    @staticmethod
    def relative(target: str, here: str | None) -> str:
        """TARGET's link from the page at HERE; from the root if HERE is None (a page served at any path,
        such as the 404, whose links must not depend on the path asked for)."""
        if here is None:
            return "/" + target
        path, _, fragment = target.partition("#")
        if path == here and fragment:
            return "#" + fragment
        return posixpath.relpath(path, posixpath.dirname(here) or ".") + ("#" + fragment if fragment else "")

    # Terms as text and links ------------------------------------------

    def compact(self, iri: str) -> str:
        for prefix, namespace in sorted(self.names.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def _text(self, graph: _Graph, subject: Term, predicate: ox.NamedNode, lang: str) -> ox.Literal | None:
        """The value of PREDICATE in the reader's language, else in the fallback languages."""
        literals = [o for o in graph.objects(subject, predicate) if isinstance(o, ox.Literal)]
        for wanted in (lang, *FALLBACK):
            for literal in literals:
                if literal.language == wanted:
                    return literal
        return literals[0] if literals else None

    def label(self, iri: ox.NamedNode, lang: str) -> tuple[str, str | None]:
        for graph in (self.data, self.ontology):
            found = self._text(graph, iri, LABEL, lang)
            if found is not None:
                return found.value, found.language
        return (
            self.compact(iri.value) if not iri.value.startswith(self.base + "id/") else iri.value.rsplit("/", 1)[-1]
        ), None

    def value(self, term: Term, lang: str, here: str | None, graph: _Graph | None = None, depth: int = 0) -> Value:
        """TERM as shown on the page at HERE: linked if it has a page or an http(s) IRI."""
        if isinstance(term, ox.Literal):
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
        page = self.resource_path(term.value, lang)
        text, text_lang = self.label(term, lang)
        if page is not None:
            return Value(text, self.relative(page, here), text_lang, term.value)
        scheme = term.value.split(":", 1)[0].lower()
        href = term.value if scheme in ("http", "https") else None
        return Value(self.compact(term.value) if text_lang is None else text, href, text_lang, term.value)

    def rows(
        self,
        graph: _Graph,
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

    # Pages --------------------------------------------------------------

    def page(
        self, template: str, here: str | None, lang: str, title: str, alternates: Callable[[str], str], **context: Any
    ) -> str:
        """Render TEMPLATE as the page at HERE (None: at any path, linked from the root), with navigation and
        the language switch."""
        nav = [
            (self.messages[lang][key], self.relative(f"{key}.{lang}.html", here))
            for key in ("index", "ontology", "shapes", "downloads")
        ]
        switch = [
            (other, self.messages[other]["language_name"], self.relative(alternates(other), here), other == lang)
            for other in PAGE_LANGUAGES
        ]
        return self.env.get_template(template).render(
            lang=lang,
            title=title,
            msg=self.messages[lang],
            nav=nav,
            switch=switch,
            **context,
        )

    def resource(self, iri: str, lang: str) -> str:
        """The page of the resource IRI; KeyError if the graph does not describe IRI."""
        if iri not in self._has_page:
            raise KeyError(iri)
        node = ox.NamedNode(iri)
        here = iri[len(self.base) :] + f".{lang}.html"
        title, title_lang = self.label(node, lang)
        description = self._text(self.data, node, ox.NamedNode(self.vocabulary + "description"), lang)
        incoming: dict[ox.NamedNode, list[Term]] = defaultdict(list)
        for subject, predicate in self.data.into.get(node, []):
            if isinstance(subject, ox.NamedNode):
                incoming[predicate].append(subject)
        base_name = posixpath.basename(iri[len(self.base) :])
        downloads = [
            (BY_NAME[f].name, BY_NAME[f].media_type, base_name + BY_NAME[f].extension) for f in RESOURCE_FORMATS
        ]
        block = self.schema_block(iri, lang)
        return self.page(
            "resource.html",
            here,
            lang,
            title,
            lambda other: self.resource_path(iri, other) or "",
            iri=iri,
            title_lang=title_lang,
            description=Value(description.value, lang=description.language) if description else None,
            properties=self.rows(self.data, node, lang, here, skip=(LABEL,)),
            incoming=[
                Row(self.value(p, lang, here), tuple(self.value(s, lang, here) for s in subjects))
                for p, subjects in sorted(incoming.items(), key=lambda kv: self.compact(kv[0].value))
            ],
            quotes=self._quotes(node, lang, here),
            formats=downloads,
            schema_block=Markup(block) if block else None,
        )

    def _quotes(self, node: ox.NamedNode, lang: str, here: str) -> list[dict[str, Any]]:
        """The annotations whose bodies state something of NODE: their statements and quotes."""
        bodies = [b for p in ("subject", "object") for b in self.data.subjects(ox.NamedNode(RDF + p), node)]
        annotations = sorted({a for b in bodies for a in self.data.subjects(ox.NamedNode(OA + "hasBody"), b)}, key=str)
        found = []
        for annotation in annotations:
            statements = []
            for body in self.data.objects(annotation, ox.NamedNode(OA + "hasBody")):
                parts = [self.data.one(body, ox.NamedNode(RDF + p)) for p in ("subject", "predicate", "object")]
                if body not in bodies or any(p is None for p in parts):
                    continue
                inferred = ox.NamedNode(self.vocabulary + "InferredStatement") in self.data.objects(body, RDF_TYPE)
                note = self._text(self.data, body, COMMENT, lang) if inferred else None
                statements.append(
                    {
                        "parts": [self.value(p, lang, here) for p in parts],  # type: ignore[arg-type]
                        "inferred": inferred,
                        "note": Value(note.value, lang=note.language) if note else None,
                    }
                )
            quotes = []
            for quote in self._targets(annotation):
                name = self.sources.get(quote.source.value) if quote.source else None
                link = f"{self.source_path(name, lang)}#{quote.anchor}" if name and quote.anchor else None
                text = self.data.one(quote.source, ox.NamedNode(self.vocabulary + "text")) if quote.source else None
                quotes.append(
                    {
                        "exact": quote.exact,
                        "link": self.relative(link, here) if link else None,
                        "lang": text.language if isinstance(text, ox.Literal) else None,
                    }
                )
            found.append({"annotation": self.value(annotation, lang, here), "quotes": quotes, "statements": statements})
        return found

    def _targets(self, annotation: Subject) -> list[_Quote]:
        """An annotation's quotes in text order; the first one's mark is quote-NAME, the next quote-NAME-2..."""
        quotes = []
        for target in self.data.objects(annotation, ox.NamedNode(OA + "hasTarget")):
            source = self.data.one(target, ox.NamedNode(OA + "hasSource"))
            exact, start, end = None, None, None
            for selector in self.data.objects(target, ox.NamedNode(OA + "hasSelector")):
                exact = exact or self.data.one(selector, ox.NamedNode(OA + "exact"))
                start = start or self.data.one(selector, ox.NamedNode(OA + "start"))
                end = end or self.data.one(selector, ox.NamedNode(OA + "end"))
            if exact is not None:
                positioned = start is not None and end is not None
                quotes.append(
                    _Quote(
                        exact.value,
                        source if isinstance(source, ox.NamedNode) else None,
                        int(start.value) if positioned else None,  # type: ignore[union-attr]
                        int(end.value) if positioned else None,  # type: ignore[union-attr]
                        None,
                    )
                )
        quotes.sort(key=lambda q: (q.start is None, q.start or 0, q.exact))
        name = "quote-" + annotation.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return [
            _Quote(
                q.exact,
                q.source,
                q.start,
                q.end,
                (name if i == 0 else f"{name}-{i + 1}") if q.start is not None else None,
            )
            for i, q in enumerate(quotes)
        ]

    def source(self, name: str, lang: str) -> str:
        """The text of announcement NAME with every anchored quote marked."""
        iri = self.corpus.project.announcement_iri(name)
        here = self.source_path(name, lang)
        node = ox.NamedNode(iri)
        text = self.data.one(node, ox.NamedNode(self.vocabulary + "text"))
        annotations = {
            a
            for target in self.data.subjects(ox.NamedNode(OA + "hasSource"), node)
            for a in self.data.subjects(ox.NamedNode(OA + "hasTarget"), target)
        }
        spans = [
            (q.start, q.end, q.anchor, self.value(annotation, lang, here))
            for annotation in sorted(annotations, key=str)
            for q in self._targets(annotation)
            if q.source == node and q.start is not None and q.end is not None and q.anchor
        ]
        title, _ = self.label(node, lang)
        return self.page(
            "source.html",
            here,
            lang,
            title,
            lambda other: self.source_path(name, other),
            resource=self.value(node, lang, here),
            text_lang=text.language if isinstance(text, ox.Literal) else None,
            segments=_segments(text.value if text is not None else "", spans),
        )

    def home(self, lang: str) -> str:
        """The home page: the partnerships diagram, the events timeline and every resource."""
        here = f"index.{lang}.html"
        groups: dict[str, list[Value]] = defaultdict(list)
        for iri in self.resources:
            groups[posixpath.dirname(iri[len(self.base) + len("id/") :])].append(
                self.value(ox.NamedNode(iri), lang, here)
            )
        return self.page(
            "home.html",
            here,
            lang,
            self.corpus.project.setting("title"),
            lambda other: f"index.{other}.html",
            diagram=self._partnerships(lang, here),
            timeline=self._timeline(lang, here),
            groups=sorted((k, sorted(v, key=lambda x: x.text.lower())) for k, v in groups.items()),
        )

    def _select(self, name: str) -> list[dict[str, Term]]:
        query = f"PREFIX rit: <{self.vocabulary}>\n" + _query(name)
        solutions = self.corpus.data.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        variables = [v.value for v in solutions.variables]
        return [{v: s[v] for v in variables if s[v] is not None} for s in solutions]

    def _partnerships(self, lang: str, here: str) -> dict[str, Any]:
        """Organisations left, places right, a line per partnership, the programmes and operators below."""
        rows = self._select("partnerships.rq")
        width, box_w, box_h, gap = 760.0, 220.0, 40.0, 24.0

        def column(key: str) -> list[Term]:
            return list(dict.fromkeys(r[key] for r in rows if key in r))

        left, right, programmes, operators = (column(k) for k in ("organisation", "place", "programme", "operator"))
        boxes: dict[tuple[str, Term], Box] = {}
        top = 36.0
        for kind, items, x in (("organisation", left, 10.0), ("place", right, width - box_w - 10)):
            for i, item in enumerate(items):
                boxes[kind, item] = Box(x, top + i * (box_h + gap), box_w, box_h, self.value(item, lang, here), kind)
        y = top + max(len(left), len(right), 1) * (box_h + gap) + gap
        for kind, items in (("programme", programmes), ("operator", operators)):
            values = [self.value(item, lang, here) for item in items]
            wide = min(max([box_w, *(_text_width(v.text) + 24 for v in values)]), (width - 20) / max(len(items), 1))
            for i, (item, value) in enumerate(zip(items, values, strict=True)):
                x = (width - wide * len(items) - gap * (len(items) - 1)) / 2 + i * (wide + gap)
                boxes[kind, item] = Box(x, y, wide, box_h, value, kind)
            y += box_h + 2 * gap
        lines, links = [], []
        for r in rows:
            a, b = boxes["organisation", r["organisation"]], boxes["place", r["place"]]
            lines.append(Line(a.x + a.width, a.y + a.height / 2, b.x, b.y + b.height / 2, "partnership"))
            mid = ((a.x + a.width + b.x) / 2, (a.y + b.y + a.height) / 2)
            links.append((mid, self.value(r["partnership"], lang, here)))
            if "programme" in r:
                p = boxes["programme", r["programme"]]
                lines.append(Line(mid[0], mid[1], p.x + p.width / 2, p.y, "funding"))
                if "operator" in r:
                    o = boxes["operator", r["operator"]]
                    lines.append(Line(p.x + p.width / 2, p.y + p.height, o.x + o.width / 2, o.y, "operator"))
        return {
            "width": width,
            "height": y - gap,
            "boxes": list(boxes.values()),
            "lines": list(dict.fromkeys(lines)),
            "links": links,
        }

    def _timeline(self, lang: str, here: str) -> dict[str, Any]:
        """Events placed by date on a month axis; a month-precision date fills its month."""
        events = []
        for r in self._select("timeline.rq"):
            start, end = _interval(r["start"].value, r["end"].value if "end" in r else None)
            inferred = isinstance(r.get("inferred"), ox.Literal) and r["inferred"].value == "true"
            when = r["start"].value + (f" – {r['end'].value}" if "end" in r else "")
            events.append((start, end, len(r["start"].value) == 7, inferred, when, r["event"]))
        if not events:
            return {"width": 760.0, "height": 0.0, "months": [], "events": []}
        events.sort(key=lambda e: (e[0], str(e[5])))
        first = min(e[0] for e in events).replace(day=1)
        last = max(e[1] for e in events)
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        width, left, axis_y, row = 760.0, 10.0, 30.0, 44.0
        month_w = (width - 2 * left) / months

        def x(day: date) -> float:
            index = (day.year - first.year) * 12 + day.month - first.month
            return left + (index + (day.day - 1) / calendar.monthrange(day.year, day.month)[1]) * month_w

        ticks = []
        for i in range(months):
            year, month = divmod(first.month - 1 + i, 12)
            ticks.append((left + i * month_w, f"{first.year + year}-{month + 1:02d}"))
        placed = []
        for i, (start, end, month, inferred, when, event) in enumerate(events):
            value = self.value(event, lang, here)
            label = _text_width(value.text + (f" ({self.messages[lang]['inferred']})" if inferred else ""))
            placed.append(
                TimelineEvent(
                    value,
                    x(start),
                    max(x(end + timedelta(days=1)) - x(start), 4.0),
                    axis_y + 30 + i * row,
                    max(left, min(x(start), width - left - label)),
                    month,
                    inferred,
                    when,
                )
            )
        return {
            "width": width,
            "height": axis_y + 10 + len(placed) * row,
            "months": ticks,
            "month_width": month_w,
            "axis_y": axis_y,
            "events": placed,
        }

    def ontology_page(self, lang: str) -> str:
        """Every class and property of the ontology with labels, definitions and alignments."""
        here = f"ontology.{lang}.html"
        ontology = ox.NamedNode(self.corpus.project.ontology_iri)
        terms = sorted(
            (s for s in self.ontology.out if isinstance(s, ox.NamedNode) and s.value.startswith(self.vocabulary)),
            key=lambda s: s.value.lower(),
        )
        sections: list[tuple[str, list[dict[str, Any]]]] = []
        placed: set[Term] = set()
        for key, type_iri in (*TERM_KINDS, ("other_terms", "")):
            members = [
                t
                for t in terms
                if t not in placed and (not type_iri or ox.NamedNode(type_iri) in self.ontology.objects(t, RDF_TYPE))
            ]
            placed.update(members)
            sections.append((key, [self._term(t, lang, here) for t in members]))
        title = self._text(self.ontology, ontology, ox.NamedNode(DCTERMS + "title"), lang)
        description = self._text(self.ontology, ontology, ox.NamedNode(DCTERMS + "description"), lang)
        return self.page(
            "ontology.html",
            here,
            lang,
            title.value if title else self.messages[lang]["ontology"],
            lambda other: f"ontology.{other}.html",
            ontology=ontology.value,
            description=description.value if description else None,
            header=self.rows(
                self.ontology,
                ontology,
                lang,
                here,
                skip=(ox.NamedNode(DCTERMS + "title"), ox.NamedNode(DCTERMS + "description")),
            ),
            sections=sections,
        )

    def _term(self, term: ox.NamedNode, lang: str, here: str) -> dict[str, Any]:
        label = self._text(self.ontology, term, LABEL, lang)
        definition = self._text(self.ontology, term, DEFINITION, lang)
        return {
            "id": term.value[len(self.vocabulary) :],
            "iri": term.value,
            "compact": self.compact(term.value),
            "label": Value(label.value, lang=label.language) if label else Value(self.compact(term.value)),
            "definition": Value(definition.value, lang=definition.language) if definition else None,
            "rows": self.rows(self.ontology, term, lang, here, only=ALIGNMENTS),
        }

    def shapes_page(self, lang: str) -> str:
        """What the shapes require of each class: targets, paths, constraints and messages."""
        here = f"shapes.{lang}.html"
        shapes = sorted(
            {
                s
                for s in self.shapes.out
                if isinstance(s, ox.NamedNode)
                and (
                    ox.NamedNode(SH + "NodeShape") in self.shapes.objects(s, RDF_TYPE)
                    or self.shapes.objects(s, ox.NamedNode(SH + "targetClass"))
                )
            },
            key=lambda s: s.value,
        )
        described = []
        for shape in shapes:
            properties = []
            for prop in self.shapes.objects(shape, ox.NamedNode(SH + "property")):
                path = self.shapes.one(prop, ox.NamedNode(SH + "path"))
                properties.append(
                    {
                        "path": self.path_text(path) if path is not None else "",
                        "rows": self.rows(self.shapes, prop, lang, here, skip=SHAPE_FRAME),
                        "messages": self._messages(prop, lang),
                    }
                )
            comment = self._text(self.shapes, shape, COMMENT, lang)
            described.append(
                {
                    "id": shape.value.rsplit("#", 1)[-1],
                    "name": self.compact(shape.value),
                    "comment": Value(comment.value, lang=comment.language) if comment else None,
                    "targets": [
                        self.value(t, lang, here) for t in self.shapes.objects(shape, ox.NamedNode(SH + "targetClass"))
                    ],
                    "rows": self.rows(self.shapes, shape, lang, here, skip=SHAPE_FRAME),
                    "messages": self._messages(shape, lang),
                    "properties": properties,
                }
            )
        return self.page(
            "shapes.html",
            here,
            lang,
            self.messages[lang]["shapes"],
            lambda other: f"shapes.{other}.html",
            shapes=described,
        )

    def _messages(self, shape: Term, lang: str) -> list[Value]:
        found = self._text(self.shapes, shape, ox.NamedNode(SH + "message"), lang)
        return [Value(found.value, lang=found.language)] if found else []

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

    def downloads_page(self, downloads: Sequence[Download], lang: str, prefix: str = "../") -> str:
        """Every dump with its format, size, SHA-256, media type and licence; PREFIX leads from the site
        to the dumps."""
        here = f"downloads.{lang}.html"
        licence = self.value(ox.NamedNode(self.corpus.project.setting("license")), lang, here)
        files = []
        for item in downloads:
            rdf_format = for_path(Path(item.name[:-3] if item.compressed else item.name))
            files.append(
                {
                    "name": item.name,
                    "href": prefix + item.name,
                    "format": rdf_format.name if rdf_format else "",
                    "media_type": item.media_type,
                    "size": item.size,
                    "sha256": item.sha256,
                    "compressed": item.compressed,
                }
            )
        return self.page(
            "downloads.html",
            here,
            lang,
            self.messages[lang]["downloads"],
            lambda other: f"downloads.{other}.html",
            files=files,
            licence=licence,
        )

    def resource_data(self, iri: str, rdf_format: str) -> bytes:
        """IRI's concise bounded description in one format: its statements and those of its blank nodes."""
        triples: list[ox.Triple] = []
        todo: list[Term] = [ox.NamedNode(iri)]
        seen: set[Term] = set()
        while todo:
            subject = todo.pop()
            if subject in seen:
                continue
            seen.add(subject)
            for predicate, objects in self.data.out.get(subject, {}).items():
                for obj in objects:
                    triples.append(ox.Triple(subject, predicate, obj))  # type: ignore[arg-type]
                    if isinstance(obj, ox.BlankNode):
                        todo.append(obj)
        triples.sort(key=triple_order)
        if rdf_format == "jsonld":
            context = jsonld.package_context(jsonld.CONTEXT_FILE, self.base)
            return jsonld.dumps(jsonld.compact(jsonld.from_triples(triples), context)).encode("utf-8")
        return _serialize(triples, BY_NAME[rdf_format].oxigraph, self.names)

    def write(self, folder: Path, downloads: Sequence[Download] = ()) -> list[Path]:
        """Write every page and every resource's data into FOLDER; the paths written."""
        pages: dict[str, str | bytes] = {}
        for lang in PAGE_LANGUAGES:
            pages[f"index.{lang}.html"] = self.home(lang)
            pages[f"ontology.{lang}.html"] = self.ontology_page(lang)
            pages[f"shapes.{lang}.html"] = self.shapes_page(lang)
            pages[f"downloads.{lang}.html"] = self.downloads_page(downloads, lang)
            for name in self.sources.values():
                pages[self.source_path(name, lang)] = self.source(name, lang)
            for iri in self.resources:
                pages[iri[len(self.base) :] + f".{lang}.html"] = self.resource(iri, lang)
        pages["index.html"] = pages["index.en.html"]
        for iri in self.resources:
            for rdf_format in RESOURCE_FORMATS:
                pages[self.data_path(iri[len(self.base) :], rdf_format)] = self.resource_data(iri, rdf_format)
        written = []
        for name, content in pages.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
            written.append(path)
        return written


def schema_org_blocks(facts: list[ox.Triple]) -> SchemaBlock:
    """The schema.org markup block of each resource the projection's FACTS describe, in the page's language
    or English."""
    by_subject = schemaorg.index(facts)

    def block(iri: str, lang: str) -> str | None:
        triples = schemaorg.subgraph(by_subject, iri)
        try:
            document = schemaorg.markup(triples, iri, lang if lang in schemaorg.MARKUP_LANGUAGES else FALLBACK[0])
        except schemaorg.UnknownResource:
            return None
        return embed.script_element(document)

    return block


def _serialize(triples: list[ox.Triple], rdf_format: ox.RdfFormat, names: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    ox.serialize(triples, buffer, rdf_format, prefixes=names)
    if rdf_format == ox.RdfFormat.RDF_XML:
        # XML parsers read every CR as LF; only a character reference keeps it.
        # pyoxigraph writes CR raw only inside literals, never in its own markup.
        return buffer.getvalue().replace(b"\r", b"&#13;")
    return buffer.getvalue()


def _text_width(text: str) -> float:
    """Roughly how wide TEXT is at the diagrams' 13px font: CJK characters are twice as wide."""
    return sum(13.0 if ord(c) > 0x2E80 else 7.2 for c in text)


def _segments(text: str, spans: list[tuple[int, int, str, Value]]) -> list[dict[str, Any]]:
    """TEXT cut at every quote boundary, so that overlapping quotes can all be marked."""
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    segments = []
    for start, end in itertools.pairwise(cuts):
        covering = [s for s in spans if s[0] <= start and end <= s[1]]
        segments.append(
            {
                "text": text[start:end],
                "ids": [s[2] for s in sorted(spans, key=lambda s: (-s[1], s[2])) if s[0] == start],
                "quotes": [s[3] for s in covering],
                "depth": len(covering),
            }
        )
    return segments


def _interval(start: str, end: str | None) -> tuple[date, date]:
    """The first and last day an xsd:date or xsd:gYearMonth (START, optional END) covers."""

    def bounds(value: str) -> tuple[date, date]:
        if len(value) == 7:
            year, month = int(value[:4]), int(value[5:7])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        day = date.fromisoformat(value[:10])
        return day, day

    first, last = bounds(start)
    return first, bounds(end)[1] if end else last


def render_resource(corpus: Corpus, iri: str, lang: str) -> str:
    return Site(corpus).resource(iri, lang)


def write_site(
    corpus: Corpus, folder: Path, downloads: Sequence[Download] = (), schema_block: SchemaBlock | None = None
) -> list[Path]:
    """Write the whole static site of CORPUS into FOLDER (``DIR/site`` beside the dumps in ``DIR``)."""
    return Site(corpus, schema_block).write(folder, downloads)
