"""The quotes behind the statements: listed on the page of what they state, shown in their context on the
annotation's own page, marked in the text they quote."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from markupsafe import Markup

from rit_graph.output.site.graph import COMMENT, Graph, Subject, Term
from rit_graph.output.site.paths import Paths, relative, source_path
from rit_graph.output.site.values import PARAGRAPH_BREAK, Terms, Value, attributes, escape, html
from rit_graph.rdf.namespaces import OA, RDF, RDF_TYPE

_HAS_BODY = ox.NamedNode(OA + "hasBody")
_HAS_TARGET = ox.NamedNode(OA + "hasTarget")
#: What a statement's body says: its subject, predicate and object.
_PARTS = tuple(ox.NamedNode(RDF + p) for p in ("subject", "predicate", "object"))
_STATED = (_PARTS[0], _PARTS[2])
#: What a quote's selectors give: its words, their position, the words before and after them.
_SELECTED = tuple(ox.NamedNode(OA + p) for p in ("exact", "start", "end", "prefix", "suffix"))


@dataclass(frozen=True)
class _Quote:
    """One quote of an annotation: its words, source, position, the id of its mark on the source page, and the
    words around it."""

    exact: str
    source: ox.NamedNode | None
    start: int | None
    end: int | None
    anchor: str | None
    prefix: str | None = None
    suffix: str | None = None


#: An annotation's statements (subject, predicate, object; body; whether inferred).
_Statements = list[tuple[tuple[Term, ...], Term, bool]]
#: An annotation's quotes, each with the name of the source it anchors in and the source's language.
_Quoted = list[tuple[_Quote, str | None, str | None]]
#: An annotation, its statements about a resource and its quotes.
_Annotation = tuple[Subject, _Statements, _Quoted]


class Quotes:
    """The annotations of the data (Web Annotation): the statements they make and the words they quote."""

    def __init__(self, paths: Paths, data: Graph, terms: Terms) -> None:
        self.paths = paths
        self.data = data
        self.terms = terms
        self._inferred = ox.NamedNode(paths.vocabulary + "InferredStatement")
        self._text = ox.NamedNode(paths.vocabulary + "text")
        # A resource's pages in every language are rendered one after the other: what they show of its quotes
        # is worked out once (bounded: a server keeps its Site, and renders on several threads).
        self._about = functools.lru_cache(maxsize=4)(self._about_any_language)
        self._own = functools.lru_cache(maxsize=4)(self._own_any_language)
        # An annotation states something of several resources, whose pages are rendered near each other: its
        # statements and quotes are read once for all of them.
        self._statements = functools.lru_cache(maxsize=1 << 12)(self._every_statement)
        self._quoted = functools.lru_cache(maxsize=1 << 12)(self._quotes)

    def about(
        self, node: ox.NamedNode, lang: str, here: str, words: dict[str, str], most: int | None = None
    ) -> tuple[list[Markup], int]:
        """The first MOST annotations whose bodies state something of NODE (all if None), each as a figure of
        its quotes and statements in the words (messages) of LANG; and how many such annotations there are."""
        every = self._about(node)
        return [self._figure(*annotation, lang, here, words) for annotation in every[:most]], len(every)

    def own(
        self, annotation: ox.NamedNode, lang: str, here: str, words: dict[str, str]
    ) -> tuple[Markup | None, tuple[ox.NamedNode, ...]]:
        """What the page of ANNOTATION shows as a quote: its words in their context, where they stand in the
        source, and every statement they back (None if ANNOTATION quotes nothing); and the predicates of
        ANNOTATION the quote shows whole, which the page's rows then leave out."""
        if _HAS_TARGET not in self.data.out.get(annotation, {}):
            return None, ()  # not an annotation: the most common
        statements, quotes, whole = self._own(annotation)
        if not quotes:
            return None, ()
        return self._figure(None, statements, quotes, lang, here, words), whole

    def _own_any_language(self, annotation: ox.NamedNode) -> tuple[_Statements, _Quoted, tuple[ox.NamedNode, ...]]:
        """What ``own`` shows of ANNOTATION in any language, and the predicates it shows whole."""
        bodies = self.data.objects(annotation, _HAS_BODY)
        _, statements, quotes = self._annotation(annotation, set(bodies))
        whole = []
        if len(statements) == len(bodies):  # every body a statement with its subject, predicate and object
            whole.append(_HAS_BODY)
        if len(quotes) == len(self.data.objects(annotation, _HAS_TARGET)):  # every target its words
            whole.append(_HAS_TARGET)
        return statements, quotes, tuple(whole)

    def _figure(
        self,
        annotation: Subject | None,
        statements: _Statements,
        quotes: _Quoted,
        lang: str,
        here: str,
        words: dict[str, str],
    ) -> Markup:
        """One annotation as a page shows it: named by ANNOTATION, or (None) on its own page with the words
        around each quote and the source it is from; its quotes, then its STATEMENTS.

        Written in Python, as ``values`` writes terms: a page lists up to ``MOST_QUOTES`` of these, each with
        tens of terms, and a template loop costs several times as much. Every text is escaped.
        """
        own = annotation is None
        out = ['<figure class="quote">\n']
        for quote, name, text_lang in quotes:
            exact = escape(quote.exact)
            if own and (quote.prefix or quote.suffix):
                before = f'<span class="context">…{escape(quote.prefix)}</span>' if quote.prefix else ""
                after = f'<span class="context">{escape(quote.suffix)}…</span>' if quote.suffix else ""
                exact = f"{before}<mark>{exact}</mark>{after}"
            out.append(f"<blockquote{attributes(text_lang, None)}>{exact}</blockquote>\n")
            where = []
            if name:
                link = relative(f"{source_path(name, lang)}#{quote.anchor}", here)
                where.append(f'<a class="quote-link" href="{escape(link)}">{escape(words["quote_link"])}</a>')
            if own and quote.source is not None:
                where.append(self.terms.html(quote.source, lang, here))
            if where:
                span = ""
                if own and quote.start is not None:
                    span = " (" + escape(words["quote_span"].format(start=quote.start, end=quote.end)) + ")"
                out.append(f"<p>{' · '.join(where)}{span}</p>")
        heading = words["quote_states"] if own else f"{words['annotation']}: "
        named = "" if annotation is None else self.terms.html(annotation, lang, here)
        out.append(f"<figcaption>\n{escape(heading)}{named}\n<ul>\n")
        for parts, body, inferred in statements:
            shown = " — ".join(self.terms.html(p, lang, here) for p in parts)
            if inferred:
                note = self.data.text(body, COMMENT, lang)
                said = f": {html(Value(note.value, lang=note.language))}" if note else ""
                out.append(f'<li class="inferred">{shown} ({escape(words["inferred"])}{said})</li>\n')
            else:
                out.append(f"<li>{shown}</li>\n")
        out.append("</ul>\n</figcaption>\n</figure>\n")
        return Markup("".join(out))

    def _about_any_language(self, node: ox.NamedNode) -> list[_Annotation]:
        """What ``about`` shows of NODE in any language."""
        bodies = {b for p in _STATED for b in self.data.subjects(p, node)}
        annotations = sorted({a for b in bodies for a in self.data.subjects(_HAS_BODY, b)}, key=str)
        return [self._annotation(annotation, bodies) for annotation in annotations]

    def _annotation(self, annotation: Subject, bodies: Collection[Term]) -> _Annotation:
        """ANNOTATION's statements whose bodies are in BODIES, and its quotes."""
        return annotation, [s for s in self._statements(annotation) if s[1] in bodies], self._quoted(annotation)

    def _every_statement(self, annotation: Subject) -> _Statements:
        """ANNOTATION's statements (``_annotation`` picks those about a resource)."""
        statements = []
        for body in self.data.objects(annotation, _HAS_BODY):
            parts = [self.data.one(body, p) for p in _PARTS]
            if any(p is None for p in parts):
                continue
            inferred = self._inferred in self.data.objects(body, RDF_TYPE)
            statements.append((tuple(p for p in parts if p is not None), body, inferred))
        # In the order of their terms, not of their bodies' blank nodes: a subject's statements together.
        statements.sort(key=lambda statement: [str(term) for term in statement[0]])
        return statements

    def _quotes(self, annotation: Subject) -> _Quoted:
        """ANNOTATION's quotes, each with the name of the source page it is marked on and the source's language."""
        quotes = []
        for quote in self._targets(annotation):
            name = self.paths.sources.get(quote.source.value) if quote.source else None
            text = self.data.one(quote.source, self._text) if quote.source else None
            quotes.append(
                (
                    quote,
                    name if quote.anchor else None,
                    text.language if isinstance(text, ox.Literal) else None,
                )
            )
        return quotes

    def marked(self, source: ox.NamedNode, text: str, lang: str, here: str) -> list[dict[str, Any]]:
        """TEXT, the words of SOURCE, in paragraphs of segments that carry the marks of the quotes anchored in it."""
        annotations = {
            a
            for target in self.data.subjects(ox.NamedNode(OA + "hasSource"), source)
            for a in self.data.subjects(ox.NamedNode(OA + "hasTarget"), target)
        }
        spans = [
            (q.start, q.end, q.anchor, self.terms.value(annotation, lang, here))
            for annotation in sorted(annotations, key=str)
            for q in self._targets(annotation)
            if q.source == source and q.start is not None and q.end is not None and q.anchor
        ]
        return paragraphs(text, spans)

    def targets(self, annotation: Subject) -> list[_Quote]:
        """An annotation's quotes with the ids of their marks on the source page, which search results link to."""
        return self._targets(annotation)

    def _targets(self, annotation: Subject) -> list[_Quote]:
        """An annotation's quotes in text order; the first one's mark is quote-NAME, the next quote-NAME-2..."""
        quotes = []
        for target in self.data.objects(annotation, ox.NamedNode(OA + "hasTarget")):
            source = self.data.one(target, ox.NamedNode(OA + "hasSource"))
            # Each of _SELECTED from the first selector that gives it (one gives the words, another the position).
            selected: list[Term | None] = [None] * len(_SELECTED)
            for selector in self.data.objects(target, ox.NamedNode(OA + "hasSelector")):
                selected = [found or self.data.one(selector, p) for found, p in zip(selected, _SELECTED, strict=True)]
            exact, start, end, prefix, suffix = selected
            if exact is not None:
                positioned = start is not None and end is not None
                quotes.append(
                    _Quote(
                        exact.value,
                        source if isinstance(source, ox.NamedNode) else None,
                        int(start.value) if positioned else None,  # type: ignore[union-attr]
                        int(end.value) if positioned else None,  # type: ignore[union-attr]
                        None,
                        prefix.value if prefix is not None else None,
                        suffix.value if suffix is not None else None,
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
                q.prefix,
                q.suffix,
            )
            for i, q in enumerate(quotes)
        ]


def paragraphs(text: str, spans: list[tuple[int, int, str, Value]]) -> list[dict[str, Any]]:
    """TEXT in its paragraphs (split at blank lines), each cut at every quote boundary inside it.

    A page shows each paragraph as a ``<p>``, and a mark cannot span two of them: a quote that runs on
    into the next paragraph is marked in each, its anchor on the first part only. The blank lines
    between paragraphs are kept as each paragraph's ``after``, so the page's text is still the source's,
    and every anchor sits at the position the quote's selector gives.
    """
    found: list[dict[str, Any]] = []
    start, since = 0, 0
    for gap in [*PARAGRAPH_BREAK.finditer(text), None]:
        end, after = (gap.start(), gap.end()) if gap else (len(text), len(text))
        if end > start:
            found.append({"segments": _segments(text, since, start, end, spans), "after": text[end:after]})
            since = end
        else:  # blank lines before the first paragraph
            found.append({"segments": [], "after": text[end:after]})
        start = after
    return found


def _segments(
    text: str, since: int, first: int, last: int, spans: list[tuple[int, int, str, Value]]
) -> list[dict[str, Any]]:
    """TEXT[FIRST:LAST] cut at every quote boundary, so that overlapping quotes can all be marked; a quote
    that starts in the blank lines before it (after SINCE, where the paragraph before ends) has its anchor
    at its start."""
    bounds = {b for s, e, _, _ in spans for b in (s, e) if first < b < last}
    cuts = sorted({first, last, *bounds})
    segments = []
    for start, end in itertools.pairwise(cuts):
        covering = [s for s in spans if s[0] <= start and end <= s[1]]
        low = min(since + 1, start) if start == first else start
        segments.append(
            {
                "text": text[start:end],
                "ids": [s[2] for s in sorted(spans, key=lambda s: (-s[1], s[2])) if low <= s[0] <= start],
                "quotes": [s[3] for s in covering],
                "depth": len(covering),
            }
        )
    return segments
