"""JSON-LD with contexts that ship with the package: nothing is ever fetched.

pyld is a complete JSON-LD 1.1 processor; rit-graph gives it a document
loader that refuses every URL, so a context named by URL in some input can
never make the tool open a connection.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pyoxigraph as ox
from pyld import jsonld

from .project import DEFAULT_BASE_IRI


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


def package_context(name: str, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, Any]:
    """A context shipped in the package, with its IRIs moved to the project's base."""
    text = resources.files("rit_graph").joinpath(name).read_text(encoding="utf-8")
    if base_iri != DEFAULT_BASE_IRI:
        text = text.replace(json.dumps(DEFAULT_BASE_IRI)[1:-1], json.dumps(base_iri)[1:-1])
    return json.loads(text)  # type: ignore[no-any-return]


def from_triples(triples: list[ox.Triple], native_types: bool = False) -> list[dict[str, Any]]:
    """Expanded JSON-LD for TRIPLES; lexical forms are kept unless NATIVE_TYPES asks for JSON numbers.

    The triples go to pyld as its dataset structure, not as N-Quads text:
    pyld splits N-Quads at U+2028 and U+2029, which a text may hold.
    """
    dataset = {
        "@default": [
            {"subject": _term(t.subject), "predicate": _term(t.predicate), "object": _term(t.object)} for t in triples
        ]
    }
    return jsonld.from_rdf(dataset, {"useNativeTypes": native_types, **OPTIONS})  # type: ignore[no-any-return]


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, str]:
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


def dumps(document: Any) -> str:
    """Stable, readable JSON: the same document always gives the same bytes."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
