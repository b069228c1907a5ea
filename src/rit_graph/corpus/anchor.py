"""Anchor each quote of an announcement in its source text.

Authors write a quote as an ``oa:TextQuoteSelector`` with ``oa:exact`` (and
``oa:prefix``/``oa:suffix`` where the words occur more than once). Counting
characters by hand is error-prone, so rit-graph adds what can be computed:
the announcement's full text (``rit:text``), an equivalent
``oa:TextPositionSelector`` (start and end in Unicode code points, as the Web
Annotation model counts), and the prefix and suffix where the author gave
none. A quote that does not occur exactly once gets no position; the SHACL
shapes then report it.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from rit_graph.corpus.project import Announcement, Project
from rit_graph.errors import InputError
from rit_graph.rdf.namespaces import OA, RDF_TYPE, XSD
from rit_graph.rdf.reading import read_text

HAS_SELECTOR = ox.NamedNode(OA + "hasSelector")
HAS_SOURCE = ox.NamedNode(OA + "hasSource")
QUOTE_SELECTOR = ox.NamedNode(OA + "TextQuoteSelector")
POSITION_SELECTOR = ox.NamedNode(OA + "TextPositionSelector")
EXACT, PREFIX, SUFFIX = (ox.NamedNode(OA + n) for n in ("exact", "prefix", "suffix"))
START, END = ox.NamedNode(OA + "start"), ox.NamedNode(OA + "end")

#: Characters of context kept as oa:prefix and oa:suffix.
CONTEXT = 32


def anchor_quotes(
    project: Project, item: Announcement, triples: list[ox.Triple], graph: ox.NamedNode
) -> list[ox.Triple]:
    """The triples to add to announcement ITEM, whose named graph is GRAPH: its text and the positions of its quotes."""
    announcement = ox.NamedNode(project.announcement_iri(item.name))
    vocab = project.vocabulary
    if ox.Triple(announcement, RDF_TYPE, ox.NamedNode(vocab + "Announcement")) not in set(triples):
        raise InputError(
            item.folder,
            f"no announcement described: expected <{announcement.value}> a rit:Announcement",
            "each announcement folder describes one rit:Announcement named id/announcement/<folder name>",
        )
    if not item.source_text.exists():
        raise InputError(
            item.source_text,
            "missing source text",
            "copy the announcement's text into source.txt: every quote is checked against it",
        )
    text = read_text(item.source_text)
    language = next(
        (
            q.object.value
            for q in triples
            if q.subject == announcement
            and q.predicate.value == vocab + "inLanguage"
            and isinstance(q.object, ox.Literal)
        ),
        None,
    )
    added = [ox.Triple(announcement, ox.NamedNode(vocab + "text"), ox.Literal(text, language=language))]

    values: dict[tuple[object, ox.NamedNode], str] = {
        (q.subject, q.predicate): q.object.value
        for q in triples
        if q.predicate in (EXACT, PREFIX, SUFFIX) and isinstance(q.object, ox.Literal)
    }
    selectors = {q.subject for q in triples if q.predicate == RDF_TYPE and q.object == QUOTE_SELECTOR}
    sources = {q.subject: q.object for q in triples if q.predicate == HAS_SOURCE}
    for q in triples:
        selector = q.object
        if q.predicate != HAS_SELECTOR or selector not in selectors or sources.get(q.subject) != announcement:
            continue
        exact = values.get((selector, EXACT))
        if not exact:
            continue
        prefix = values.get((selector, PREFIX))
        suffix = values.get((selector, SUFFIX))
        start = locate(text, exact, prefix, suffix)
        if start is None:
            continue
        end = start + len(exact)
        position = ox.BlankNode("p" + hashlib.sha1(f"{graph.value} {start} {end}".encode()).hexdigest()[:16])
        added += [
            ox.Triple(q.subject, HAS_SELECTOR, position),
            ox.Triple(position, RDF_TYPE, POSITION_SELECTOR),
            ox.Triple(position, START, _integer(start)),
            ox.Triple(position, END, _integer(end)),
        ]
        if prefix is None:
            added.append(ox.Triple(selector, PREFIX, ox.Literal(text[max(0, start - CONTEXT) : start])))  # type: ignore[arg-type]
        if suffix is None:
            added.append(ox.Triple(selector, SUFFIX, ox.Literal(text[end : end + CONTEXT])))  # type: ignore[arg-type]
    return added


def locate(text: str, exact: str, prefix: str | None = None, suffix: str | None = None) -> int | None:
    """Where EXACT occurs in TEXT, if exactly once once PREFIX and SUFFIX are taken into account."""
    found = []
    start = text.find(exact)
    while start != -1:
        before_ok = prefix is None or text[:start].endswith(prefix)
        after_ok = suffix is None or text[start + len(exact) :].startswith(suffix)
        if before_ok and after_ok:
            found.append(start)
        start = text.find(exact, start + 1)
    return found[0] if len(found) == 1 else None


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "nonNegativeInteger"))
