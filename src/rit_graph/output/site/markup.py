"""The schema.org markup each resource page embeds, so that search engines read what the page says."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pyoxigraph as ox

from rit_graph import schemaorg
from rit_graph.output.site.languages import FALLBACK
from rit_graph.rdf import embed

#: For a resource IRI and a language, the ready-to-embed ``<script type="application/ld+json">`` block, or None.
SchemaBlock = Callable[[str, str], str | None]


class SchemaBlocks:
    """The schema.org markup block of each resource the projection's facts describe, in the page's language
    or English; and what each block shows, so that a page is kept while its block stays the same.

    FACTS is called once, when a block or what one shows is first asked for.
    """

    def __init__(self, facts: Callable[[], list[ox.Triple]]) -> None:
        self._facts = facts
        # A resource's pages are rendered one after the other, and the languages without markup of their
        # own share the fallback's block: each block is framed once.
        self._block = functools.lru_cache(maxsize=16)(self._framed)
        #: What a resource's blocks are framed from, asked for by its key and by each of its languages.
        self._reached = functools.lru_cache(maxsize=4)(self._subgraph)
        self._facts_of = functools.lru_cache(maxsize=4)(self._read)

    @functools.cached_property
    def _by_subject(self) -> dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]]:
        return schemaorg.index(self._facts())

    def __call__(self, iri: str, lang: str) -> str | None:
        return self._block(iri, lang if lang in schemaorg.MARKUP_LANGUAGES else FALLBACK[0])

    def _subgraph(self, iri: str) -> list[ox.Triple]:
        return schemaorg.subgraph(self._by_subject, iri)

    def _read(self, iri: str) -> schemaorg.Facts:
        return schemaorg.Facts(self._reached(iri), iri)

    def _framed(self, iri: str, lang: str) -> str | None:
        facts = self._facts_of(iri)
        if not facts.described:
            return None
        document = facts.markup(lang)
        return embed.script_element(document, indent=None)  # on one line: written for machines, many times

    def shown(self, iri: str) -> str:
        """The facts IRI's block is framed from, in one order: the block is made of these alone."""
        return "\n".join(map(str, self._reached(iri)))  # in the one triple order, that of their text

    def prepare(self) -> None:
        """Index the facts now: workers forked after this share the index instead of each making its own."""
        _ = self._by_subject


def schema_org_blocks(facts: list[ox.Triple]) -> SchemaBlocks:
    """The schema.org markup block of each resource the projection's FACTS describe (``SchemaBlocks``)."""
    return SchemaBlocks(lambda: facts)
