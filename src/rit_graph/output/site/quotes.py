"""The quotes behind the statements: listed on the page of what they state, marked in the text they quote."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from rit_graph.output.site.graph import COMMENT, Graph, Subject, Term
from rit_graph.output.site.paths import Paths, relative, source_path
from rit_graph.output.site.values import PARAGRAPH_BREAK, Terms, Value, value_html
from rit_graph.rdf.namespaces import OA, RDF, RDF_TYPE

_HAS_BODY = ox.NamedNode(OA + "hasBody")
#: What a statement's body says: its subject, predicate and object.
_PARTS = tuple(ox.NamedNode(RDF + p) for p in ("subject", "predicate", "object"))
_STATED = (_PARTS[0], _PARTS[2])


@dataclass(frozen=True)
class _Quote:
    """One quote of an annotation: its words, source, position, and the id of its mark on the source page."""

    exact: str
    source: ox.NamedNode | None
    start: int | None
    end: int | None
    anchor: str | None


#: An annotation, its statements about a resource (subject, predicate, object; body; whether inferred) and its
#: quotes (with the name of the source they anchor in, and the source's language).
_Annotation = tuple[Subject, list[tuple[tuple[Term, ...], Term, bool]], list[tuple[_Quote, str | None, str | None]]]


class Quotes:
    """The annotations of the data (Web Annotation): the statements they make and the words they quote."""

    def __init__(self, paths: Paths, data: Graph, terms: Terms) -> None:
        self.paths = paths
        self.data = data
        self.terms = terms
        self._inferred = ox.NamedNode(paths.vocabulary + "InferredStatement")
        self._text = ox.NamedNode(paths.vocabulary + "text")
        #: The last resource's annotations: its pages in every language are rendered one after the other.
        self._last: tuple[ox.NamedNode, list[_Annotation]] | None = None

    def about(
        self, node: ox.NamedNode, lang: str, here: str, most: int | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """The first MOST annotations whose bodies state something of NODE (all if None): their statements and
        quotes, the terms as HTML (one call of a template's costs more than making the HTML); and how many
        such annotations there are."""
        found = []
        every = self._about(node)
        for annotation, statements, quotes in every[:most]:
            shown = []
            for parts, body, inferred in statements:
                note = self.data.text(body, COMMENT, lang) if inferred else None
                shown.append(
                    {
                        "parts": [value_html(self.terms.value(p, lang, here)) for p in parts],
                        "inferred": inferred,
                        "note": value_html(Value(note.value, lang=note.language)) if note else None,
                    }
                )
            found.append(
                {
                    "annotation": value_html(self.terms.value(annotation, lang, here)),
                    "quotes": [
                        {
                            "exact": quote.exact,
                            "link": relative(f"{source_path(name, lang)}#{quote.anchor}", here) if name else None,
                            "lang": text_lang,
                        }
                        for quote, name, text_lang in quotes
                    ],
                    "statements": shown,
                }
            )
        return found, len(every)

    def _about(self, node: ox.NamedNode) -> list[_Annotation]:
        """What ``about`` shows of NODE in any language: worked out once for the pages in every language."""
        last = self._last  # read once: a server renders pages on several threads
        if last is not None and last[0] == node:
            return last[1]
        bodies = [b for p in _STATED for b in self.data.subjects(p, node)]
        annotations = sorted({a for b in bodies for a in self.data.subjects(_HAS_BODY, b)}, key=str)
        found: list[_Annotation] = []
        for annotation in annotations:
            statements = []
            for body in self.data.objects(annotation, _HAS_BODY):
                parts = [self.data.one(body, p) for p in _PARTS]
                if body not in bodies or any(p is None for p in parts):
                    continue
                inferred = self._inferred in self.data.objects(body, RDF_TYPE)
                statements.append((tuple(p for p in parts if p is not None), body, inferred))
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
            found.append((annotation, statements, quotes))
        self._last = (node, found)
        return found

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
