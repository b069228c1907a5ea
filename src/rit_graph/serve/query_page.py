"""The SPARQL query editor: what a browser gets at /sparql, a page of the site with YASGUI's editor.

The page has the site's header, navigation and language switch, the project's
example queries (``queries/*.rq``) and a plain form that works without
JavaScript. The vendored YASGUI (``static/yasgui``, driven by
``static/query-editor.js``) turns the form into an editor with syntax
highlighting and the project's prefixes, shows results as a table whose IRIs
link to the site's pages, offers the results in every format the endpoint
gives, and shows errors in the page. A request the endpoint refuses from a
browser gets this page too, the error shown above the query, never a bare text.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from markupsafe import Markup

from rit_graph.output.site import Site
from rit_graph.output.site.layout import Layout
from rit_graph.query import sparql
from rit_graph.query.sparql import GRAPH_FORMATS, QueryError
from rit_graph.rdf.embed import script_json
from rit_graph.rdf.namespaces import OWL, RDF, RDF_TYPE, RDFS, STANDARD_PREFIXES, prefixes_for
from rit_graph.serve.linkeddata import QUERY_EDITOR
from rit_graph.serve.static import Static

#: Where the page is, as a site path: relative links from it lead to the site's pages and /static/.
HERE = QUERY_EDITOR


@dataclass(frozen=True)
class Example:
    """A named example query from the project's queries/ folder."""

    name: str
    description: str
    text: str


def read_examples(folder: Path) -> list[Example]:
    """Every .rq in FOLDER; its leading # comment lines say what it asks."""
    if not folder.is_dir():
        return []
    result = []
    for path in sorted(folder.glob("*.rq")):
        text = sparql.read_query(path)
        header = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            header.append(line.lstrip("# ").strip())
        result.append(Example(path.stem, " ".join(h for h in header if h), text))
    return result


class PageRenderer(Protocol):
    """``Layout.page``: a template rendered as a page of the site, with its header and language switch."""

    def __call__(
        self, template: str, here: str | None, lang: str, title: str, alternates: Callable[[str], str], **context: Any
    ) -> str: ...


@dataclass(frozen=True)
class Shown:
    """An error the page shows: the endpoint's status and message."""

    status: int
    text: str


class QueryPage:
    """Renders the query editor page in a language, optionally with a query and the error it met."""

    def __init__(
        self,
        render: PageRenderer,
        examples: list[Example],
        prefixes: dict[str, str],
        base_iri: str,
        title: str,
        site: bool,
        static: Static,
        ontology: Sequence[ox.Triple] = (),
    ) -> None:
        """SITE: whether this server has the site's pages, to which the results' IRIs then link; the editor
        completes the classes and properties of ONTOLOGY."""
        self.render = render
        self.examples = examples
        self.prefixes = dict(sorted(prefixes.items()))
        self.base_iri = base_iri
        self.title = title
        self.site = site
        self.static = static
        self.classes = _typed(ontology, _CLASSES)
        self.properties = _typed(ontology, _PROPERTIES)
        self.words: dict[str, dict[str, str]] = tomllib.loads(
            resources.files("rit_graph").joinpath("templates").joinpath("query-editor.toml").read_text(encoding="utf-8")
        )
        self.formats = {
            "result": [
                {"name": f.name, "label": f.name.upper(), "media_type": f.media_type, "extension": "." + f.name}
                for f in sparql.RESULT_FORMATS
            ],
            "graph": [
                {
                    "name": f.name,
                    "label": _GRAPH_LABELS.get(f.name, f.name),
                    "media_type": f.media_type,
                    "extension": f.extension,
                }
                for f in GRAPH_FORMATS
            ],
        }

    def default_query(self) -> str:
        """The first example, else a query listing labelled resources that declares the project's prefixes."""
        if self.examples:
            return self.examples[0].text
        declared = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in self.prefixes.items())
        return declared + "\nSELECT ?resource ?label WHERE {\n  ?resource rdfs:label ?label\n}\nLIMIT 10\n"

    def page(self, lang: str, query: str | None = None, error: QueryError | None = None) -> str:
        """The page in LANG; QUERY in the editor (else the default one), ERROR shown above the results."""
        words = self.words[lang]
        config = {
            "base": self.base_iri,
            "site": self.site,
            "lang": lang,
            "prefixes": self.prefixes,
            "classes": self.classes,
            "properties": self.properties,
            "formats": self.formats,
            "words": {key: words[key] for key in ("editor", "error", "running")},
        }
        return self.render(
            "sparql-query.html",
            HERE,
            lang,
            f"{words['heading']} – {self.title}",
            lambda other: f"{HERE}?lang={other}",
            words=words,
            examples=self.examples,
            endpoint=HERE,
            query=self.default_query() if query is None else query,
            formats=[*self.formats["result"], *self.formats["graph"]],
            error=Shown(error.status, str(error)) if error is not None else None,
            # Inert inside <script>: script_json escapes <, > and &, so no text can end the element.
            config=Markup(script_json(config)),
            assets={
                "yasgui_js": self.static.url("yasgui/yasgui.min.js"),
                "yasgui_css": self.static.url("yasgui/yasgui.min.css"),
                "editor_js": self.static.url("query-editor.js"),
                "editor_css": self.static.url("query-editor.css"),
            },
        )


def query_page(
    examples: list[Example], base_iri: str | None, title: str, site: Site | None, static: Static
) -> QueryPage:
    """The query page of a server: in the layout of SITE, with its prefixes and links into it; without a site
    (``serve --data``), with a header of its own and the standard prefixes."""
    if site is not None:
        return QueryPage(site.page, examples, site.terms.names, site.base, title, True, static, site.corpus.ontology)
    names = prefixes_for(base_iri, []) if base_iri else dict(STANDARD_PREFIXES)
    layout = Layout(QUERY_EDITOR, site_pages=())
    return QueryPage(layout.page, examples, names, base_iri or "", title, False, static)


def _typed(triples: Sequence[ox.Triple], types: frozenset[str]) -> list[str]:
    """The IRIs TRIPLES give one of TYPES, sorted."""
    return sorted(
        {
            t.subject.value
            for t in triples
            if t.predicate == RDF_TYPE
            and isinstance(t.subject, ox.NamedNode)
            and isinstance(t.object, ox.NamedNode)
            and t.object.value in types
        }
    )


_CLASSES = frozenset({OWL + "Class", RDFS + "Class"})
_PROPERTIES = frozenset(
    {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", RDF + "Property"}
)
#: How the download links name the graph formats.
_GRAPH_LABELS = {"turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}
