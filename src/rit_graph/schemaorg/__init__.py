"""The graph in schema.org's terms: the projection (``projection``), checked against what search
engines require, and markup blocks for web pages (``blocks``), with the queries, context and shapes
they are made with.

May import ``validation``, ``corpus``, ``runtime``, ``rdf`` and ``errors``.
"""

from rit_graph.schemaorg.blocks import (
    MARKUP_LANGUAGES,
    Facts,
    UnknownResource,
    context,
    in_language,
    index,
    markup,
    resolve,
    subgraph,
)
from rit_graph.schemaorg.projection import Projection, check, project, projections, queries

__all__ = [
    "Facts",
    "MARKUP_LANGUAGES",
    "Projection",
    "UnknownResource",
    "check",
    "context",
    "in_language",
    "index",
    "markup",
    "project",
    "projections",
    "queries",
    "resolve",
    "subgraph",
]
