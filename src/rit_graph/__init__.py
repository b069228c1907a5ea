"""rit-graph: announcements of regional industry cooperation as a validated, published knowledge graph.

The stages, each a package: ``corpus`` reads a project, ``validation`` checks it
against its shapes, ``schemaorg`` projects it to schema.org, ``output`` writes
dumps, catalog and site or publishes to a store, ``stores`` and ``query`` answer
SPARQL, and ``serve`` is the HTTP server; ``rdf`` and ``runtime`` serve them all.
The README's "Architecture" shows how they depend on each other.

The names below are the library's public API. They are imported when first
used, so that ``rit-graph --help`` and a forked worker do not pay for all of them.

Example::

    from rit_graph import Project, Run, build, load

    build(Run(load(Project.open("."))), Path("dist"))
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rit_graph.corpus.load import Corpus, load
    from rit_graph.corpus.project import Project
    from rit_graph.corpus.run import Run
    from rit_graph.errors import InputError, RitGraphError, StoreError, ValidationFailed
    from rit_graph.output.build import build
    from rit_graph.output.publish import publish
    from rit_graph.schemaorg import markup, project
    from rit_graph.validation.validate import Report, validate

try:
    __version__ = version("rit-graph")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

#: Each public name, by the module that defines it.
_PUBLIC = {
    "Corpus": "rit_graph.corpus.load",
    "load": "rit_graph.corpus.load",
    "Project": "rit_graph.corpus.project",
    "Run": "rit_graph.corpus.run",
    "InputError": "rit_graph.errors",
    "RitGraphError": "rit_graph.errors",
    "StoreError": "rit_graph.errors",
    "ValidationFailed": "rit_graph.errors",
    "build": "rit_graph.output.build",
    "publish": "rit_graph.output.publish",
    "markup": "rit_graph.schemaorg",
    "project": "rit_graph.schemaorg",
    "Report": "rit_graph.validation.validate",
    "validate": "rit_graph.validation.validate",
}
__all__ = [
    "Corpus",
    "InputError",
    "Project",
    "Report",
    "RitGraphError",
    "Run",
    "StoreError",
    "ValidationFailed",
    "__version__",
    "build",
    "load",
    "markup",
    "project",
    "publish",
    "validate",
]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'rit_graph' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
