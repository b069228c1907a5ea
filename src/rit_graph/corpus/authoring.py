"""Facts written once, beside their words: RDF 1.2 annotations turned into the published model.

An editor writes each fact once in Turtle 1.2, with the words of the source
that state it as an annotation (the fact stays asserted)::

    ev:visit rit:destination place:kitakyushu ~ q:visit {| rit:quote "Für November ist ein Besuch …" |} ;
        rit:eventStatus rit:Planned ~ q:visit ;
        rit:startDate "2015-11"^^xsd:gYearMonth {| rit:because "Die Quelle sagt nur „Für November“ …"@de |} ~ q:visit .

A reifier with ``rit:quote`` (named, as ``q:visit``, or a blank node; blank
ones with the same quotes are one) becomes the ``oa:Annotation`` that the
model has always had: one ``rdf:Statement`` body per fact it reifies, one
target per quote, each a ``oa:TextQuoteSelector`` on the announcement (whose
positions, prefix and suffix ``anchor`` then adds). A reifier with
``rit:because`` marks the facts it reifies as inferred: their bodies are
``rit:InferredStatement`` with the reasons as ``rdfs:comment``. A fact that a
cited page states rather than the announcement's text (its publication date,
say) takes ``{| dcterms:source <https://…> |}``: a statement record citing the
page, as reference data's facts have (``partition.reference_records``). Words
that name a resource only by pointing back to it ("der Präfektur", "Dieses
Programm") say so with ``rit:refersBackTo`` beside the quote: the annotation
keeps it, so that a reader (and the provenance rule) sees which resource the
words mean. Nothing else of the authoring form is published; a file without
annotations is read as before.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from rit_graph.errors import InputError
from rit_graph.rdf.namespaces import DCTERMS, OA, RDF, RDF_TYPE, RDFS

REIFIES = ox.NamedNode(RDF + "reifies")
_STATEMENT = ox.NamedNode(RDF + "Statement")
_SUBJECT, _PREDICATE, _OBJECT = (ox.NamedNode(RDF + n) for n in ("subject", "predicate", "object"))
_COMMENT = ox.NamedNode(RDFS + "comment")
_ANNOTATION = ox.NamedNode(OA + "Annotation")
_MOTIVATED_BY, _DESCRIBING = ox.NamedNode(OA + "motivatedBy"), ox.NamedNode(OA + "describing")
_HAS_BODY, _HAS_TARGET = ox.NamedNode(OA + "hasBody"), ox.NamedNode(OA + "hasTarget")
_HAS_SOURCE, _HAS_SELECTOR = ox.NamedNode(OA + "hasSource"), ox.NamedNode(OA + "hasSelector")
_QUOTE_SELECTOR, _EXACT = ox.NamedNode(OA + "TextQuoteSelector"), ox.NamedNode(OA + "exact")
_CITED = ox.NamedNode(DCTERMS + "source")

Reifier = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal


def uses_annotations(triples: list[ox.Triple]) -> bool:
    """Whether TRIPLES are written in the authoring form (they reify facts)."""
    return any(t.predicate == REIFIES for t in triples)


def expand(triples: list[ox.Triple], announcement: ox.NamedNode, vocabulary: str, path: Path) -> list[ox.Triple]:
    """TRIPLES of the announcement file PATH with their annotations turned into Web Annotations on ANNOUNCEMENT.

    Raises InputError for an annotation that says neither where the fact is
    stated nor why it is inferred, for a quoted fact that is not asserted, for
    a cited page that is no http(s) IRI, and for anything else said of an annotation.
    """
    quote, because = ox.NamedNode(vocabulary + "quote"), ox.NamedNode(vocabulary + "because")
    refers = ox.NamedNode(vocabulary + "refersBackTo")
    inferred_class = ox.NamedNode(vocabulary + "InferredStatement")
    reified: dict[Reifier, list[ox.Triple]] = defaultdict(list)
    said: dict[Reifier, dict[ox.NamedNode, list[Object]]] = defaultdict(lambda: defaultdict(list))
    facts: list[ox.Triple] = []
    for t in triples:
        if t.predicate == REIFIES and isinstance(t.object, ox.Triple):
            reified[t.subject].append(t.object)  # type: ignore[index]
        elif isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple):
            raise InputError(path, f"a triple term outside an annotation: {t}", "annotate a fact with ~ or {| … |}")
        else:
            facts.append(t)
    for t in facts:
        if isinstance(t.subject, ox.NamedNode | ox.BlankNode) and t.subject in reified:
            said[t.subject][t.predicate].append(t.object)  # type: ignore[arg-type]
    asserted = set(facts)
    reasons: dict[ox.Triple, list[Object]] = defaultdict(list)
    cited: dict[ox.Triple, list[ox.NamedNode]] = defaultdict(list)
    groups: dict[Reifier | tuple[str, ...], tuple[list[str], list[ox.Triple], list[Object]]] = {}
    for reifier, stated in reified.items():
        properties = said[reifier]
        unknown = sorted(p.value for p in properties if p not in (quote, because, _CITED, refers))
        where = _name(reifier, stated)
        if unknown:
            raise InputError(
                path,
                f"{where}: an annotation says only rit:quote, rit:because, rit:refersBackTo and dcterms:source, "
                f"not {', '.join(unknown)}",
                "state other facts of the resource itself, outside {| … |}",
            )
        pages = properties.get(_CITED, [])
        if not all(isinstance(page, ox.NamedNode) and page.value.startswith(("https://", "http://")) for page in pages):
            raise InputError(
                path,
                f"{where}: dcterms:source takes the address of the page that states the fact",
                "write it as an IRI: {| dcterms:source <https://…> |}",
            )
        missing = [f for f in stated if f not in asserted]
        if missing:
            raise InputError(
                path,
                f"{where}: the fact {missing[0]} is annotated but not stated",
                "write it as a fact with its annotation after it (s p o {| … |}), not as a quoted triple << … >>",
            )
        for fact in stated:
            reasons[fact] += properties.get(because, [])
            if pages:
                cited[fact] += [p for p in pages if isinstance(p, ox.NamedNode) and p not in cited[fact]]
        if not all(isinstance(q, ox.Literal) for q in properties.get(quote, [])):
            raise InputError(path, f"{where}: rit:quote takes the words themselves", 'write them as a string: "…"')
        quotes = [q.value for q in properties.get(quote, [])]
        if refers in properties and (not quotes or not all(isinstance(r, ox.NamedNode) for r in properties[refers])):
            raise InputError(
                path,
                f"{where}: rit:refersBackTo names the resource that quoted words point back to",
                'give its IRI beside the words: {| rit:quote "…" ; rit:refersBackTo <resource> |}',
            )
        if not quotes:
            if because not in properties and not pages:
                raise InputError(
                    path,
                    f"{where}: an annotation without rit:quote",
                    'give the words of source.txt that state the fact: {| rit:quote "…" |}, '
                    "or the page that does: {| dcterms:source <https://…> |}",
                )
            continue
        group: Reifier | tuple[str, ...] = reifier if isinstance(reifier, ox.NamedNode) else tuple(sorted(quotes))
        known, members, back = groups.setdefault(group, ([], [], []))
        known += [q for q in quotes if q not in known]
        members += [f for f in stated if f not in members]
        back += [r for r in properties.get(refers, []) if r not in back]
    quoted = {f for _, members, _ in groups.values() for f in members}
    for fact in reasons:
        if fact not in quoted and fact not in cited:
            raise InputError(
                path,
                f"the inferred fact {fact} has no rit:quote",
                'give the words it is inferred from: add ~ and the quote\'s name, or {| rit:quote "…" |}',
            )
    kept = [t for t in facts if t.subject not in reified]
    for group, (quotes, members, back) in groups.items():
        kept += _annotation(group, quotes, members, reasons, announcement, inferred_class)
        kept += [ox.Triple(_node(group, quotes, announcement), refers, resource) for resource in back]
    for fact, citing in cited.items():
        kept += _citation(fact, citing, reasons.get(fact, []), inferred_class)
    return kept


def _citation(
    fact: ox.Triple, pages: list[ox.NamedNode], reasons: list[Object], inferred_class: ox.NamedNode
) -> list[ox.Triple]:
    """The statement record of FACT citing PAGES, as reference data's facts have, inferred if REASONS are given."""
    record = ox.BlankNode("c" + _digest(str(fact)))
    return [
        ox.Triple(record, RDF_TYPE, inferred_class if reasons else _STATEMENT),
        ox.Triple(record, _SUBJECT, fact.subject),
        ox.Triple(record, _PREDICATE, fact.predicate),
        ox.Triple(record, _OBJECT, fact.object),
        *(ox.Triple(record, _CITED, page) for page in pages),
        *(ox.Triple(record, _COMMENT, reason) for reason in dict.fromkeys(reasons)),
    ]


def _annotation(
    group: Reifier | tuple[str, ...],
    quotes: list[str],
    members: list[ox.Triple],
    reasons: dict[ox.Triple, list[Object]],
    announcement: ox.NamedNode,
    inferred_class: ox.NamedNode,
) -> list[ox.Triple]:
    """The Web Annotation of MEMBERS, stated in QUOTES of ANNOUNCEMENT, as the classic form writes it."""
    node = _node(group, quotes, announcement)
    out = [ox.Triple(node, RDF_TYPE, _ANNOTATION), ox.Triple(node, _MOTIVATED_BY, _DESCRIBING)]
    for fact in members:
        body = ox.BlankNode("b" + _digest(node.value, str(fact)))
        out += [
            ox.Triple(node, _HAS_BODY, body),
            ox.Triple(body, RDF_TYPE, inferred_class if reasons.get(fact) else _STATEMENT),
            ox.Triple(body, _SUBJECT, fact.subject),
            ox.Triple(body, _PREDICATE, fact.predicate),
            ox.Triple(body, _OBJECT, fact.object),
            *(ox.Triple(body, _COMMENT, reason) for reason in dict.fromkeys(reasons.get(fact, []))),
        ]
    for exact in quotes:
        target, selector = (ox.BlankNode(kind + _digest(node.value, exact)) for kind in ("t", "s"))
        out += [
            ox.Triple(node, _HAS_TARGET, target),
            ox.Triple(target, _HAS_SOURCE, announcement),
            ox.Triple(target, _HAS_SELECTOR, selector),
            ox.Triple(selector, RDF_TYPE, _QUOTE_SELECTOR),
            ox.Triple(selector, _EXACT, ox.Literal(exact)),
        ]
    return out


def _node(group: Reifier | tuple[str, ...], quotes: list[str], announcement: ox.NamedNode) -> Reifier:
    """The annotation of GROUP: its own name, or one made from its QUOTES."""
    if isinstance(group, ox.NamedNode | ox.BlankNode):
        return group
    return ox.NamedNode(f"{announcement.value}/quote/{_digest(*quotes)}")


def _name(reifier: Reifier, stated: list[ox.Triple]) -> str:
    """How an error names an annotation: its IRI, or the first fact it annotates."""
    return f"<{reifier.value}>" if isinstance(reifier, ox.NamedNode) else f"the annotation of {stated[0]}"


def _digest(*parts: str) -> str:
    """A short stable name from PARTS, so that the same file gives the same IRIs and blank nodes."""
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:16]
