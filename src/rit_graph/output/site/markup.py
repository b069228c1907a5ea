"""The schema.org markup each resource page embeds, so that search engines read what the page says."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from rit_graph import schemaorg
from rit_graph.output.site.languages import FALLBACK
from rit_graph.rdf import embed

#: For a resource IRI and a language, the ready-to-embed ``<script type="application/ld+json">`` block, or None.
SchemaBlock = Callable[[str, str], str | None]


def schema_org_blocks(facts: list[ox.Triple]) -> SchemaBlock:
    """The schema.org markup block of each resource the projection's FACTS describe, in the page's language
    or English."""
    by_subject = schemaorg.index(facts)

    def block(iri: str, lang: str) -> str | None:
        triples = schemaorg.subgraph(by_subject, iri)
        try:
            document = schemaorg.markup(triples, iri, lang if lang in schemaorg.MARKUP_LANGUAGES else FALLBACK[0])
        except schemaorg.UnknownResource:
            return None
        return embed.script_element(document)

    return block
