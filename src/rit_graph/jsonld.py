"""JSON-LD with contexts that ship with the package: nothing is ever fetched.

pyld is a complete JSON-LD 1.1 processor; rit-graph gives it a document
loader that refuses every URL, so a context named by URL in some input can
never make the tool open a connection.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

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


def package_context(name: str, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, Any]:
    """A context shipped in the package, with its IRIs moved to the project's base."""
    text = resources.files("rit_graph").joinpath(name).read_text(encoding="utf-8")
    if base_iri != DEFAULT_BASE_IRI:
        text = text.replace(json.dumps(DEFAULT_BASE_IRI)[1:-1], json.dumps(base_iri)[1:-1])
    return json.loads(text)  # type: ignore[no-any-return]


def from_nquads(nquads: str) -> list[dict[str, Any]]:
    """Expanded JSON-LD for an N-Quads document (lexical forms kept as they are)."""
    return jsonld.from_rdf(nquads, {"format": "application/n-quads", **OPTIONS})  # type: ignore[no-any-return]


def compact(document: Any, context: dict[str, Any]) -> dict[str, Any]:
    return jsonld.compact(document, context, OPTIONS)  # type: ignore[no-any-return]


def dumps(document: Any) -> str:
    """Stable, readable JSON: the same document always gives the same bytes."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
