"""Markup blocks: the schema.org facts about one resource as a JSON-LD tree, for its web page.

JSON-LD is produced with a context shipped in the package, never fetched.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus
from rit_graph.errors import RitGraphError
from rit_graph.rdf import framing, jsonld
from rit_graph.rdf.ntriples import triple_order
from rit_graph.rdf.walk import walk

CONTEXT_FILE = "context.jsonld"
#: The languages a block can be in: those of the pages, so each page's block names things in its language.
MARKUP_LANGUAGES = ("de", "en", "ja")
#: The languages a block falls back to, in order, for a fact without a text in its own (as the pages do).
FALLBACK = ("en", "de")


class UnknownResource(RitGraphError):
    """A markup block was asked for a resource the projection does not describe."""


def in_language(triples: list[ox.Triple], language: str) -> list[ox.Triple]:
    """TRIPLES with texts in LANGUAGE only; where a fact has no such text, its texts in the first
    language of ``FALLBACK`` it has, else its texts as they are; in the order of TRIPLES.

    A search engine reads one name per thing in the page's language: a Japanese
    page's block names Kitakyushu 北九州市, and a name not yet written in
    Japanese stays English (or German), marked as such, as on the page.
    """
    texts = [_text(t.subject, t.predicate, t.object) for t in triples]
    return [t for t, keep in zip(triples, _kept(texts, language), strict=True) if keep]


#: A statement's fact (subject, predicate) and its text's language, or None if it is not a text.
_Text = tuple[Any, Any, str] | None


def _text(subject: object, predicate: object, obj: object) -> _Text:
    return (subject, predicate, obj.language) if isinstance(obj, ox.Literal) and obj.language else None


def _kept(texts: list[_Text], language: str) -> list[bool]:
    """Which statements, of those whose TEXTS these are, ``in_language`` keeps in LANGUAGE."""
    found: dict[tuple[Any, Any], set[str]] = defaultdict(set)
    for text in texts:
        if text is not None:
            found[text[:2]].add(text[2])
    chosen = {
        fact: next((c for c in (language, *FALLBACK) if c in languages), None) for fact, languages in found.items()
    }
    return [text is None or chosen[text[:2]] in (None, text[2]) for text in texts]


class Facts:
    """The schema.org facts a resource's block is framed from (``subgraph``), each term read once: a site frames
    every resource's block in each page language, and a term of pyoxigraph's is made anew on every access."""

    def __init__(self, triples: list[ox.Triple], iri: str) -> None:
        self.triples = triples
        self.iri = iri
        self._texts: list[_Text] = []
        self._rows: list[framing.Row | None] = []
        self.described = False
        for t in triples:
            subject, predicate, obj = t.subject, t.predicate, t.object
            self._texts.append(_text(subject, predicate, obj))
            self._rows.append(framing.row(subject, predicate, obj))
            self.described = self.described or (isinstance(subject, ox.NamedNode) and subject.value == iri)

    def markup(self, language: str) -> dict[str, Any]:
        """The block in LANGUAGE, as ``markup`` gives it."""
        if language not in MARKUP_LANGUAGES:
            raise ValueError(f"no markup in language {language!r}; choose one of {', '.join(MARKUP_LANGUAGES)}")
        if not self.described:
            raise UnknownResource(
                f"<{self.iri}> is not described in schema.org terms: give the IRI of an announcement, "
                "organisation, place, programme, partnership or event (such as id/place/kitakyushu)"
            )
        kept = [i for i, keep in enumerate(_kept(self._texts, language)) if keep]
        return framing.frame_triples(
            [self.triples[i] for i in kept], self.iri, context(language), [self._rows[i] for i in kept]
        )


def context(language: str | None = None) -> dict[str, Any]:
    """The shipped context; with LANGUAGE, plain strings in it are texts in that language."""
    document = jsonld.package_context(CONTEXT_FILE, package=__package__)
    if language:
        document["@context"]["@language"] = language
    return document


def resolve(corpus: Corpus, iri: str | None = None, announcement: str | None = None) -> str:
    """The IRI of the page asked for: IRI (absolute or relative to the base), or an announcement's.

    Without either, the project's one announcement; a project with several
    must say which, since no announcement is more the page than another.
    """
    project = corpus.project
    if iri:
        return iri if urlsplit(iri).scheme else project.base_iri + iri
    names = sorted(corpus.announcement_graphs)
    if announcement is None:
        if len(names) != 1:
            found = ", ".join(names) or "none"
            raise UnknownResource(
                f"the project has {len(names)} announcements ({found}): pass an IRI or --announcement NAME"
            )
        announcement = names[0]
    if announcement not in corpus.announcement_graphs:
        raise UnknownResource(f"no announcement {announcement!r}; the project has: {', '.join(names) or 'none'}")
    return project.announcement_iri(announcement)


def index(triples: list[ox.Triple]) -> dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]]:
    """TRIPLES by subject, for ``subgraph``."""
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        by_subject[t.subject].append(t)  # type: ignore[index]
    return by_subject


def subgraph(by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]], iri: str) -> list[ox.Triple]:
    """The triples reachable from IRI, in the one triple order: all that a tree framed at IRI can show.

    Framing a page's block from these rather than from the whole projection
    gives the same block at a cost that does not grow with the corpus.
    """
    start: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    reached = walk(
        start,
        lambda node: (
            (t, t.object if isinstance(t.object, (ox.NamedNode, ox.BlankNode)) else None)
            for t in by_subject.get(node, ())
        ),
    )
    return sorted(reached, key=triple_order)


def markup(triples: list[ox.Triple], iri: str, language: str = "de") -> dict[str, Any]:
    """The markup block of the page about IRI: that resource as one tree, in LANGUAGE, from TRIPLES in the one
    triple order (as the projection's facts and ``subgraph`` give them).

    Framing embeds each resource the root links to where it is first
    reached, so a person reads the block from the top down; a resource
    reached again is referred to by its @id.
    """
    return Facts(triples, iri).markup(language)
