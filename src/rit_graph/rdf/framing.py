"""A resource framed as one JSON-LD tree (``@embed: @once``), as pyld frames it, without pyld's cost.

pyld frames a small tree in about 5 ms, most of it spent expanding, flattening
and compacting again what the triples already say; the site frames one tree
per resource and language, so that cost was 40 % of rendering it. For data
without blank nodes or RDF lists, and a context of ``@vocab``, a default
language and terms that only set ``@type: @id`` or ``@language``, framing is a
depth-first walk: properties in the order of their IRIs, values in triple
order, each resource embedded where it is first reached and referred to by
its ``@id`` after. How each value is compacted (which term, which form) is
asked of pyld once per property and kind of value, so the context's rules
are pyld's own. Anything else goes to pyld, which the tests hold this to.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from pyld import jsonld as pyld

from rit_graph.rdf import jsonld
from rit_graph.rdf.namespaces import RDF

_TYPE = ox.NamedNode(RDF + "type")
_LIST = (ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"))
_JSON = ox.NamedNode(RDF + "JSON")
#: What stands for a value while pyld shows how values of its kind are compacted: no data holds these.
_PROBE_TEXT = "\ue000rit-graph probe\ue000"
_PROBE_SUBJECT = "urn:x-rit-graph:probe:s"
_PROBE_OBJECT = "urn:x-rit-graph:probe:o"
_PROBE_PROPERTY = "urn:x-rit-graph:probe:p"
_RDF_TO_OBJECT = pyld.JsonLdProcessor()._rdf_to_object  # noqa: SLF001  # the one conversion of literals pyld uses


#: A statement as the framer reads it: its subject's and predicate's IRIs, its value in expanded JSON-LD.
Row = tuple[str, str, dict[str, Any]]


def row(subject: object, predicate: ox.NamedNode, term: object) -> Row | None:
    """The statement SUBJECT PREDICATE TERM as the framer reads it; None if only pyld frames it (a blank node,
    a triple term, an RDF list, a JSON literal)."""
    if (
        not isinstance(subject, ox.NamedNode)
        or not isinstance(term, (ox.NamedNode, ox.Literal))
        or _needs_pyld(predicate, term)
    ):
        return None
    # Each value as pyld's conversion from RDF writes it (by JSON equality one value, as pyld: "+012" and
    # "12" as integers are one).
    return subject.value, predicate.value, _expanded(term)


def frame_triples(
    triples: Sequence[ox.Triple], iri: str, context: dict[str, Any], rows: Sequence[Row | None] | None = None
) -> dict[str, Any]:
    """TRIPLES framed at IRI with ``@embed: @once`` and compacted with CONTEXT (a document with ``@context``),
    as ``pyld.frame`` gives it with native types and ``omitGraph``. TRIPLES in the one triple order; ROWS, if
    given, are TRIPLES as ``row`` reads them (read once for the frames of several contexts)."""
    framer = _framer(json.dumps(context, sort_keys=True))
    if framer is not None:
        read = rows if rows is not None else [row(t.subject, t.predicate, t.object) for t in triples]
        if None not in read:
            with contextlib.suppress(_NeedsPyld):
                return framer.frame(read, iri)  # type: ignore[arg-type]  # no None in it
    return _pyld_frame(triples, iri, context)


def _pyld_frame(triples: Sequence[ox.Triple], iri: str, context: dict[str, Any]) -> dict[str, Any]:
    frame = {"@context": context["@context"], "@id": iri, "@embed": "@once"}
    expanded = jsonld.from_triples(list(triples), native_types=True)
    return pyld.frame(expanded, frame, {**jsonld.OPTIONS, "omitGraph": True})  # type: ignore[no-any-return]


class _NeedsPyld(Exception):
    """A value this framer does not know how to compact: pyld frames the tree instead."""


def _needs_pyld(predicate: ox.NamedNode, value: ox.NamedNode | ox.Literal) -> bool:
    """Whether a statement of an IRI holds what only pyld frames: an RDF list, a JSON literal, a literal type."""
    return (
        predicate in _LIST
        or (isinstance(value, ox.Literal) and value.datatype == _JSON)
        or (predicate == _TYPE and not isinstance(value, ox.NamedNode))
    )


@functools.lru_cache(maxsize=8)
def _framer(context: str) -> _Framer | None:
    """The framer of CONTEXT (JSON text), made once per context (a site has one per language), as
    ``jsonld``'s compactors are."""
    return _Framer.of(json.loads(context))


class _Framer:
    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        self._values: dict[tuple[str, Any], tuple[str, Any]] = {}
        self._types: dict[str, str] = {}

    @classmethod
    def of(cls, context: dict[str, Any]) -> _Framer | None:
        """A framer for CONTEXT, or None if it has more than ``@vocab``, ``@language`` and terms that set only
        ``@type: @id`` or ``@language`` (prefixes, say, would change how every ``@id`` is written)."""
        for term, definition in context["@context"].items():
            if term in ("@vocab", "@language", "@version"):
                continue
            if not isinstance(definition, dict) or not (
                definition in ({"@type": "@id"},) or set(definition) == {"@language"}
            ):
                return None
        return cls(context)

    def frame(self, rows: Sequence[Row], iri: str) -> dict[str, Any]:
        nodes: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for subject, predicate, value in rows:
            values = nodes.setdefault(subject, {}).setdefault(predicate, [])
            if value not in values:
                values.append(value)
        return {"@context": self.context["@context"], **self._node(iri, nodes, set())}

    def _node(self, iri: str, nodes: dict[str, dict[str, list[dict[str, Any]]]], embedded: set[str]) -> Any:
        embedded.add(iri)
        out: dict[str, Any] = {"@id": iri}
        for predicate, values in sorted(nodes.get(iri, {}).items()):
            for value in values:
                target = value.get("@id")
                if target is None:
                    _add(out, *self._literal(predicate, value))
                elif predicate == _TYPE.value:
                    _add(out, "@type", self._type(target))
                elif target in embedded or not nodes.get(target):
                    term, shown = self._value(predicate, ("reference",), {"@id": _PROBE_OBJECT})
                    _add(out, term, _filled(shown, _PROBE_OBJECT, target))
                else:
                    term, shown = self._value(predicate, ("node",), {"@id": _PROBE_OBJECT, _PROBE_PROPERTY: "x"})
                    if not (isinstance(shown, dict) and shown.get("@id") == _PROBE_OBJECT):
                        raise _NeedsPyld(f"<{predicate}> holds a node in a form the framer does not write")
                    _add(out, term, self._node(target, nodes, embedded))
        return out

    def _literal(self, predicate: str, expanded: dict[str, Any]) -> tuple[str, Any]:
        value = expanded["@value"]
        if isinstance(value, str):
            term, shown = self._value(
                predicate,
                ("text", expanded.get("@language"), expanded.get("@type")),
                {**expanded, "@value": _PROBE_TEXT},
            )
            return term, _filled(shown, _PROBE_TEXT, value)
        # A JSON boolean or number: its kind decides how it is compacted, so the probe is the value itself.
        return self._value(predicate, ("native", type(value).__name__, repr(value)), expanded)

    def _value(self, predicate: str, kind: tuple[Any, ...], probe: dict[str, Any]) -> tuple[str, Any]:
        """The term a value of KIND under PREDICATE is compacted to, and its form, shown by pyld with PROBE."""
        found = self._values.get((predicate, kind))
        if found is None:
            probe = {k: [{"@value": v}] if k == _PROBE_PROPERTY else v for k, v in probe.items()}
            compacted = jsonld.compact({"@id": _PROBE_SUBJECT, predicate: [probe]}, self.context)
            (term,) = (k for k in compacted if k not in ("@context", "@id"))
            shown = compacted[term]
            if isinstance(shown, list):
                raise _NeedsPyld(f"<{predicate}> is compacted as a set")
            found = self._values[(predicate, kind)] = (term, shown)
        return found

    def _type(self, iri: str) -> str:
        found = self._types.get(iri)
        if found is None:
            compacted = jsonld.compact({"@id": _PROBE_SUBJECT, "@type": [iri]}, self.context)
            found = self._types[iri] = compacted["@type"]
        return found


def _expanded(term: ox.NamedNode | ox.Literal) -> dict[str, Any]:
    """TERM in expanded JSON-LD, as ``pyld.from_rdf`` writes it with native types."""
    return _RDF_TO_OBJECT(jsonld.rdf_term(term), True, None)  # type: ignore[no-any-return]


def _filled(shown: Any, probe: str, value: str) -> Any:
    """SHOWN, the compacted form of a probe, with the real VALUE in place of PROBE."""
    if shown == probe:
        return value
    if isinstance(shown, dict):
        return {k: value if v == probe else v for k, v in shown.items()}
    raise _NeedsPyld(f"a value compacted as {shown!r}")


def _add(node: dict[str, Any], term: str, value: Any) -> None:
    """Add VALUE under TERM: one value as itself, more as an array, as pyld's compactArrays writes them."""
    if term not in node:
        node[term] = value
    elif isinstance(node[term], list):
        node[term].append(value)
    else:
        node[term] = [node[term], value]
