"""The pages of the data: each resource, each announcement's source text, and the downloads (the home page is
``browse``'s)."""

from __future__ import annotations

import functools
import posixpath
import urllib.parse
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from markupsafe import Markup

from rit_graph.corpus.load import Corpus
from rit_graph.output.catalog import CATALOG_FILE, Download
from rit_graph.output.site.graph import LABEL, Graph, Term
from rit_graph.output.site.layout import Layout
from rit_graph.output.site.markup import SchemaBlock
from rit_graph.output.site.paths import RESOURCE_FORMATS, Paths, relative, source_path
from rit_graph.output.site.quotes import Quotes
from rit_graph.output.site.values import Row, Terms, Value, escape, value_html
from rit_graph.rdf.formats import BY_NAME, for_path
from rit_graph.rdf.namespaces import OA, RDF

#: Most resources a page lists as linking to its resource by one predicate, and most annotations it quotes: a
#: hub (the programme, a country) is named by every announcement of a corpus. Past these a page says how
#: many more there are, and links to a query that lists them where the site has a query editor of its own.
MOST_LINKED = 50
MOST_QUOTES = 20


class Pages:
    """Renders the pages that show the data itself, as opposed to the vocabulary that describes it."""

    def __init__(
        self, corpus: Corpus, paths: Paths, data: Graph, terms: Terms, layout: Layout, schema_block: SchemaBlock
    ) -> None:
        self.corpus = corpus
        self.paths = paths
        self.data = data
        self.terms = terms
        self.layout = layout
        self.schema_block = schema_block
        self.quotes = Quotes(paths, data, terms)

    def resource(self, iri: str, lang: str) -> str:
        """The page of the resource IRI; KeyError if the graph does not describe IRI."""
        if not self.paths.has_page(iri):
            raise KeyError(iri)
        node = ox.NamedNode(iri)
        here = self.paths.page_path(iri, lang)
        title, title_lang = self.terms.label(node, lang)
        description = self.data.text(node, ox.NamedNode(self.paths.vocabulary + "description"), lang)
        incoming: dict[ox.NamedNode, list[Term]] = defaultdict(list)
        for subject, predicate in self.data.into.get(node, []):
            if isinstance(subject, ox.NamedNode):
                incoming[predicate].append(subject)
        block = self.schema_block(iri, lang)
        words = self.layout.messages[lang]
        quotes, quoted = self.quotes.about(node, lang, here, words, MOST_QUOTES)
        # An annotation's page shows its quote as a quote: its words in context, what they state.
        own, shown_whole = self.quotes.own(node, lang, here, words)
        more_quotes = self._more("more_quotes", quoted - len(quotes), _quoting(node), lang, here)
        return self.layout.page(
            "resource.html",
            here,
            lang,
            title,
            lambda other: self.paths.resource_path(iri, other) or "",
            iri=iri,
            title_lang=title_lang,
            description=Value(description.value, lang=description.language) if description else None,
            own_quote=own,
            properties=self.terms.rows(self.data, node, lang, here, skip=(LABEL, *shown_whole)),
            incoming=[
                Row(
                    self.terms.value(p, lang, here),
                    (
                        *(self.terms.value(s, lang, here) for s in subjects[:MOST_LINKED]),
                        *self._more("more", len(subjects) - MOST_LINKED, _linking(p, node), lang, here),
                    ),
                )
                for p, subjects in sorted(incoming.items(), key=lambda kv: self.terms.compact(kv[0].value))
            ],
            quotes=quotes,
            more_quotes=value_html(more_quotes[0]) if more_quotes else None,
            formats=_formats(posixpath.basename(self.paths.iri_path(iri))),
            schema_block=Markup(block) if block else None,
        )

    def _more(self, message: str, count: int, query: str, lang: str, here: str) -> tuple[Value, ...]:
        """What a page says of COUNT more values it does not list (none if COUNT is 0): MESSAGE, linked to the
        site's query editor holding QUERY, which lists them all."""
        if count <= 0:
            return ()
        text = self.layout.messages[lang][message].format(count=count)
        editor = self.layout.own_editor  # another service's editor may not take a query in its URL
        if editor is None:
            return (Value(text),)
        return (Value(text, relative(editor, here) + "#query=" + urllib.parse.quote(query, safe="")),)

    def source(self, name: str, lang: str) -> str:
        """The text of announcement NAME with every anchored quote marked."""
        here = source_path(name, lang)
        node = ox.NamedNode(self.corpus.project.announcement_iri(name))
        text = self.data.one(node, ox.NamedNode(self.paths.vocabulary + "text"))
        title, _ = self.terms.label(node, lang)
        return self.layout.page(
            "source.html",
            here,
            lang,
            title,
            lambda other: source_path(name, other),
            resource=self.terms.value(node, lang, here),
            text_lang=text.language if isinstance(text, ox.Literal) else None,
            paragraphs=self.quotes.marked(node, text.value if text is not None else "", lang, here),
        )

    def downloads_page(self, downloads: Sequence[Download], lang: str, prefix: str = "../") -> str:
        """Every dump with its format, size, SHA-256, media type and licence; PREFIX leads from the site
        to the dumps."""
        here = f"downloads.{lang}.html"
        licence = self.terms.value(ox.NamedNode(self.corpus.project.setting("license")), lang, here)
        files = []
        for item in downloads:
            rdf_format = for_path(Path(item.name[:-3] if item.compressed else item.name))
            files.append(
                {
                    "name": item.name,
                    "href": prefix + item.name,
                    "format": rdf_format.name if rdf_format else "",
                    "media_type": item.media_type,
                    "size": item.size,
                    "sha256": item.sha256,
                    "compressed": item.compressed,
                }
            )
        return self.layout.page(
            "downloads.html",
            here,
            lang,
            self.layout.messages[lang]["downloads"],
            lambda other: f"downloads.{other}.html",
            files=files,
            licence=licence,
            catalog=prefix + CATALOG_FILE,
        )


@dataclass(frozen=True)
class _Formats:
    """A resource's data files as its page links to them: in its head, and as the list of its data section."""

    links: Markup
    items: Markup


@functools.lru_cache(maxsize=4)
def _formats(base_name: str) -> _Formats:
    """The links to the data files named BASE_NAME (beside the page): the same for the page in every language,
    written once for them in Python, as the values are."""
    shown = [(BY_NAME[f], escape(base_name + BY_NAME[f].extension)) for f in RESOURCE_FORMATS]
    return _Formats(
        Markup("".join(f'<link rel="alternate" type="{f.media_type}" href="{href}">\n' for f, href in shown)),
        Markup(
            "".join(
                f'<li><a href="{href}" type="{f.media_type}">{f.name}</a> <code>{f.media_type}</code></li>\n'
                for f, href in shown
            )
        ),
    )


def _linking(predicate: ox.NamedNode, node: ox.NamedNode) -> str:
    """A query for every resource that links to NODE by PREDICATE."""
    return f"SELECT ?resource WHERE {{\n  ?resource <{predicate.value}> <{node.value}>\n}}\nORDER BY ?resource\n"


def _quoting(node: ox.NamedNode) -> str:
    """A query for every annotation that states something of NODE, with the words it quotes."""
    return (
        f"PREFIX oa: <{OA}>\nPREFIX rdf: <{RDF}>\n\n"
        "SELECT DISTINCT ?annotation ?quote WHERE {\n"
        f"  {{ ?statement rdf:subject <{node.value}> }} UNION {{ ?statement rdf:object <{node.value}> }}\n"
        "  ?annotation oa:hasBody ?statement ;\n"
        "    oa:hasTarget/oa:hasSelector/oa:exact ?quote .\n"
        "}\nORDER BY ?annotation\n"
    )
