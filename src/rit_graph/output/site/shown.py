"""What each page shows, as a key: a page is rendered again only when its key changes.

A key is made of the statements a page reads, written as N-Triples terms,
and of the *face* of every resource it links to: that resource's labels and
whether it has a page (what a link to it shows). What every page shares (the
ontology and the shapes, which give labels and links to the vocabulary, the
prefixes, the project's settings, which announcements have a source page)
is in every key, and ``runtime.cache.key`` adds the code and the versions of
the tools, templates included. A key may say more than the page shows (a page
is then rendered again for nothing); it must never say less, or a page would
be kept that the change made wrong: the tests hold a build from the cache to
a build from nothing, byte for byte.

Keys are computed where the pages are rendered, in the forked workers, and
each costs a walk of the few statements around one resource, never of the
whole graph.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Sequence

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus
from rit_graph.output.site.graph import LABEL, Graph, Term
from rit_graph.output.site.languages import PAGE_LANGUAGES
from rit_graph.output.site.markup import SchemaBlock, SchemaBlocks
from rit_graph.output.site.paths import Paths
from rit_graph.rdf.namespaces import OA, RDF
from rit_graph.rdf.ntriples import ntriples, triple_order
from rit_graph.runtime.cache import key

_HAS_BODY, _HAS_TARGET, _HAS_SOURCE = (ox.NamedNode(OA + p) for p in ("hasBody", "hasTarget", "hasSource"))
#: What leads from an annotation's target to the words it quotes.
_QUOTE_LINKS = frozenset((ox.NamedNode(OA + "hasSelector"),))
_STATED = tuple(ox.NamedNode(RDF + p) for p in ("subject", "object"))
_EMPTY = ox.Literal("")
#: A statement as a key reads it: a tuple is cheaper to make than a pyoxigraph triple.
Statement = tuple[Term, ox.NamedNode, Term]


class Shown:
    """The keys of one corpus's pages, from the graph the pages are rendered from."""

    def __init__(
        self,
        corpus: Corpus,
        paths: Paths,
        data: Graph,
        names: dict[str, str],
        schema_block: SchemaBlock,
        described: Callable[[str], list[ox.Triple]],
    ) -> None:
        """DESCRIBED gives a resource's concise bounded description, as its data files show it."""
        self.corpus = corpus
        self.described = described
        self.paths = paths
        self.data = data
        self.names = names
        #: The schema.org blocks when they can say what each one shows; otherwise pages that embed one are
        #: never kept, as nothing tells when their block changes.
        self.blocks = schema_block if isinstance(schema_block, SchemaBlocks) else None
        self._text = ox.NamedNode(corpus.project.vocabulary + "text")
        self._faces: dict[ox.NamedNode, str] = {}

    @functools.cached_property
    def common(self) -> str:
        """What every page shows besides its own content: vocabulary, prefixes, settings, languages, sources."""
        project = self.corpus.project
        return key(
            "site",
            ntriples(sorted(self.corpus.ontology, key=triple_order)),
            ntriples(sorted(self.corpus.shapes, key=triple_order)),
            repr(sorted(self.names.items())),
            repr(sorted(project.settings.items())),
            repr(PAGE_LANGUAGES),
            repr(sorted(self.paths.sources.items())),
        )

    @functools.cached_property
    def everything(self) -> str:
        """The key of a page that shows the whole corpus (the home page, the vocabulary pages): any change
        of any unit changes it."""
        return key(self.common, *sorted(u.key for u in self.corpus.units))

    def face(self, node: Term) -> str:
        """What a link to NODE shows: its labels and whether it has a page (the rest is the common key)."""
        if not isinstance(node, ox.NamedNode):
            return ""
        found = self._faces.get(node)
        if found is None:
            # The same classes, predicates and places are linked from thousands of pages: each face is made once.
            labels = " ".join(sorted(str(o) for o in self.data.objects(node, LABEL)))
            found = self._faces[node] = f"{node} {int(self.paths.has_page(node.value))} {labels}"
        return found

    def faces(self, nodes: Iterable[Term]) -> list[str]:
        """The faces of NODES, for a page that lists them (a browse page, say)."""
        return [self.face(n) for n in nodes]

    def _described(self, start: Sequence[Term], follow: frozenset[ox.NamedNode] = frozenset()) -> list[Statement]:
        """The statements about START and about the blank nodes they lead to (and the objects of FOLLOW)."""
        found: list[Statement] = []
        seen: set[Term] = set()
        todo = list(start)
        out = self.data.out
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for predicate, objects in out.get(node, {}).items():
                for obj in objects:
                    found.append((node, predicate, obj))
                    if type(obj) is ox.BlankNode or (predicate in follow and type(obj) is ox.NamedNode):
                        todo.append(obj)
        return found

    def _lines(self, statements: Iterable[Statement]) -> list[str]:
        """STATEMENTS as lines, with the faces of every resource they name (no line holds a line break: terms
        are written as in N-Triples). Every page's key is made of these: the loop is kept tight."""
        lines: set[str] = set()
        named: set[ox.NamedNode] = set()
        for subject, predicate, obj in statements:
            lines.add(f"{subject} {predicate} {obj}")
            named.add(predicate)
            if type(subject) is ox.NamedNode:
                named.add(subject)
            if type(obj) is ox.NamedNode:
                named.add(obj)
        lines.update(["face " + self.face(n) for n in named])
        return sorted(lines)

    def _annotations(self, annotations: Iterable[Term], bodies: Collection[Term] = ()) -> list[Statement]:
        """What the quotes of ANNOTATIONS show: the annotations, their quotes and the languages of the sources
        they quote, and of their bodies those in BODIES (a page lists the statements about its resource only)."""
        triples: list[Statement] = []
        sources: set[ox.NamedNode] = set()
        for annotation in sorted(set(annotations), key=str):
            triples.append((annotation, LABEL, _EMPTY))  # its face
            for predicate, objects in self.data.out.get(annotation, {}).items():
                for obj in objects:
                    if predicate == _HAS_BODY:
                        # Which bodies an annotation has shows only through the statements listed.
                        triples += self._described([obj]) if obj in bodies else []
                        continue
                    triples.append((annotation, predicate, obj))
                    if predicate == _HAS_TARGET or isinstance(obj, ox.BlankNode):
                        quoted = self._described([obj], _QUOTE_LINKS)
                        triples += quoted
                        sources.update(o for _, p, o in quoted if p == _HAS_SOURCE and type(o) is ox.NamedNode)
        for source in sorted(sources, key=str):
            # A quote shows its source's language, the source page the text of its own.
            triples += [
                (source, self._text, ox.Literal("", language=o.language))
                for o in self.data.objects(source, self._text)
                if isinstance(o, ox.Literal) and o.language
            ]
        return triples

    def resource(self, iri: str) -> str | None:
        """The key of IRI's pages: its statements both ways, what its blank nodes say, the quotes about it,
        the faces of all it links to and its schema.org block; None if its block cannot be keyed."""
        if self.blocks is None:
            return None
        node = ox.NamedNode(iri)
        incoming = [(s, p, node) for s, p in self.data.into.get(node, [])]
        bodies: list[Term] = [b for p in _STATED for b in self.data.subjects(p, node)]
        annotations = [a for b in bodies for a in self.data.subjects(_HAS_BODY, b)]
        if _HAS_TARGET in self.data.out.get(node, {}):  # an annotation's page shows its quotes, every statement
            annotations.append(node)
            bodies += self.data.objects(node, _HAS_BODY)
        lines = self._lines([*self._described([node]), *incoming, *self._annotations(annotations, set(bodies))])
        return key(self.common, "resource", iri, "\n".join(lines), "schema.org", self.blocks.shown(iri))

    def source(self, name: str) -> str:
        """The key of announcement NAME's source page: its text, title and the quotes anchored in it."""
        node = ox.NamedNode(self.corpus.project.announcement_iri(name))
        targets = self.data.subjects(_HAS_SOURCE, node)
        annotations = [a for t in targets for a in self.data.subjects(_HAS_TARGET, t)]
        texts = [(node, self._text, o) for o in self.data.objects(node, self._text)]
        lines = self._lines([*texts, *self._annotations(annotations)])
        return key(self.common, "source", name, "face " + self.face(node), "\n".join(lines))

    def resource_data(self, iri: str) -> str:
        """The key of IRI's data files: its concise bounded description (the prefixes are common), as the data
        files are written from it."""
        return key(self.common, "data", iri, ntriples(self.described(iri)))
