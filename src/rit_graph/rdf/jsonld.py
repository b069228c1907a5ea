"""JSON-LD with contexts that ship with the package: nothing is ever fetched.

pyld is a complete JSON-LD 1.1 processor; rit-graph gives it a document
loader that refuses every URL, so a context named by URL in some input can
never make the tool open a connection.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import orjson
import pyoxigraph as ox
from pyld import jsonld

from rit_graph.rdf.namespaces import DEFAULT_BASE_IRI


class RemoteContextRefused(jsonld.JsonLdError):  # type: ignore[misc]
    pass


def refuse_remote(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that loads nothing."""
    raise RemoteContextRefused(
        f"refusing to fetch {url}: rit-graph uses only contexts that ship with it",
        "jsonld.LoadDocumentError",
        code="loading document failed",
    )


OPTIONS: dict[str, Any] = {"documentLoader": refuse_remote}

#: The context of the dumps, shipped in the package and written beside them.
CONTEXT_FILE = "context.jsonld"


def package_context(name: str, base_iri: str = DEFAULT_BASE_IRI, package: str = __package__) -> dict[str, Any]:
    """A context shipped in PACKAGE, with its IRIs moved to the project's base."""
    text = _shipped(package, name)
    if base_iri != DEFAULT_BASE_IRI:
        text = text.replace(json.dumps(DEFAULT_BASE_IRI)[1:-1], json.dumps(base_iri)[1:-1])
    return json.loads(text)  # type: ignore[no-any-return]


@functools.cache
def _shipped(package: str, name: str) -> str:
    """The text of file NAME of PACKAGE, read once: a site frames thousands of blocks with the same context."""
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def from_triples(triples: list[ox.Triple], native_types: bool = False) -> list[dict[str, Any]]:
    """Expanded JSON-LD for TRIPLES; lexical forms are kept unless NATIVE_TYPES asks for JSON numbers.

    The triples go to pyld as its dataset structure, not as N-Quads text:
    pyld splits N-Quads at U+2028 and U+2029, which a text may hold.
    """
    dataset = {
        "@default": [
            {"subject": rdf_term(t.subject), "predicate": rdf_term(t.predicate), "object": rdf_term(t.object)}
            for t in triples
        ]
    }
    return jsonld.from_rdf(dataset, {"useNativeTypes": native_types, **OPTIONS})  # type: ignore[no-any-return]


def rdf_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, str]:
    """TERM as pyld's RDF dataset structure holds it."""
    if isinstance(term, ox.NamedNode):
        return {"type": "IRI", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "blank node", "value": "_:" + term.value}
    if isinstance(term, ox.Literal):
        described = {"type": "literal", "value": term.value, "datatype": term.datatype.value}
        return described | ({"language": term.language} if term.language else {})
    raise TypeError(f"no JSON-LD form for {term}")


def compact(document: Any, context: dict[str, Any]) -> dict[str, Any]:
    return jsonld.compact(document, context, OPTIONS)  # type: ignore[no-any-return]


def compact_triples(triples: list[ox.Triple], context: dict[str, Any]) -> dict[str, Any]:
    """``compact(from_triples(TRIPLES), CONTEXT)``, fifty times faster for the dumps' kind of context (and the
    resource data files', which use the same).

    pyld takes minutes for a million triples. For a context of prefixes and
    language maps, and data without RDF lists or JSON literals, compaction is
    simple enough to compute directly: nodes in subject order, values in
    triple order, compact IRIs as pyld chooses them (shortest, then first in
    order). Anything else goes to pyld, which the tests hold this to.
    """
    fast = _compactor(json.dumps(context["@context"], sort_keys=True))
    if fast is None or not triples or any(map(_needs_pyld, triples)):
        return compact(from_triples(triples), context)
    nodes = fast.nodes(triples)
    if len(nodes) == 1:  # one node is the document itself, as pyld writes it (a resource's own data file)
        return {"@context": context["@context"], **nodes[0]}
    return {"@context": context["@context"], "@graph": nodes}


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: Characters a prefix's IRI must end with to be used in compact IRIs (JSON-LD 1.1).
_GEN_DELIMS = tuple(":/?#[]@")


def _needs_pyld(t: ox.Triple) -> bool:
    return (
        t.predicate.value in (_RDF + "first", _RDF + "rest")
        or (isinstance(t.object, ox.Literal) and t.object.datatype.value == _RDF + "JSON")
        or (t.predicate.value == _RDF + "type" and not isinstance(t.object, (ox.NamedNode, ox.BlankNode)))
    )


@functools.lru_cache(maxsize=8)
def _compactor(context: str) -> _Compactor | None:
    """The compactor of CONTEXT (JSON text), made once for the thousands of resources a site compacts with it."""
    return _Compactor.of(json.loads(context))


class _Compactor:
    def __init__(self, prefixes: list[tuple[str, str]], language_maps: dict[str, str]) -> None:
        self._prefixes = prefixes
        self._language_maps = language_maps
        #: The compact form of each IRI, worked out once while it is asked for often, in bounded memory.
        self.iri = functools.lru_cache(maxsize=1 << 16)(self._iri)

    @classmethod
    def of(cls, context: dict[str, Any]) -> _Compactor | None:
        """A compactor for CONTEXT, or None if it defines more than prefixes and language maps."""
        prefixes, maps = [], {}
        for term, definition in context.items():
            if term == "@version":
                continue
            if isinstance(definition, str) and definition.endswith(_GEN_DELIMS) and ":" not in term:
                prefixes.append((term, definition))
            elif (
                isinstance(definition, dict)
                and set(definition) == {"@id", "@container"}
                and definition["@container"] == "@language"
            ):
                maps[definition["@id"]] = term
            else:
                return None
        compactor = cls(prefixes, {})
        compactor._language_maps = {compactor._expand(iri): term for iri, term in maps.items()}
        return compactor

    def _expand(self, iri: str) -> str:
        prefix, _, rest = iri.partition(":")
        return next((namespace + rest for name, namespace in self._prefixes if name == prefix), iri)

    def _iri(self, iri: str, vocab: bool) -> str:
        candidates = [
            f"{name}:{iri[len(namespace) :]}"
            for name, namespace in self._prefixes
            if iri.startswith(namespace) and iri != namespace
        ]
        exact = [name for name, namespace in self._prefixes if vocab and iri == namespace]
        return min(exact or candidates, key=lambda c: (len(c), c), default=iri)

    def nodes(self, triples: list[ox.Triple]) -> list[dict[str, Any]]:
        by_subject: dict[str, dict[str, Any]] = {}
        seen: set[ox.Triple] = set()
        for t in triples:
            if t in seen:
                continue
            seen.add(t)
            subject = node_id(t.subject)
            node = by_subject.setdefault(subject, {"@id": self.iri(subject, False)})
            predicate, value = t.predicate.value, t.object
            if predicate == _RDF + "type":
                node.setdefault("@type", []).append(self.iri(node_id(value), True))
            elif isinstance(value, ox.Literal) and value.language and predicate in self._language_maps:
                texts = node.setdefault(self._language_maps[predicate], {})
                texts.setdefault(value.language, []).append(value.value)
            else:
                node.setdefault(self.iri(predicate, True), []).append(self._value(value))
        return [_single(by_subject[s]) for s in sorted(by_subject)]

    def _value(self, value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Any:
        if isinstance(value, (ox.NamedNode, ox.BlankNode)):
            return {"@id": self.iri(node_id(value), False)}
        assert isinstance(value, ox.Literal)
        if value.language:
            return {"@language": value.language, "@value": value.value}
        if value.datatype.value == _XSD_STRING:
            return value.value
        return {"@type": self.iri(value.datatype.value, True), "@value": value.value}


def node_id(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return term.value if isinstance(term, ox.NamedNode) else "_:" + term.value  # type: ignore[union-attr]


def _single(node: dict[str, Any]) -> dict[str, Any]:
    """Arrays of one value as that value, as pyld's compactArrays does, in language maps too."""
    for name, values in node.items():
        if isinstance(values, list) and len(values) == 1:
            node[name] = values[0]
        elif isinstance(values, dict) and name != "@id":
            node[name] = {k: v[0] if len(v) == 1 else v for k, v in values.items()}
    return node


def dumps(document: Any) -> str:
    """Stable, readable JSON: the same document always gives the same bytes."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def dumps_texts(document: Any) -> bytes:
    """``dumps`` without its final line break, for a document that holds no numbers (as ``compact_triples``
    makes them): orjson writes it ten times faster, with the same bytes for texts."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
