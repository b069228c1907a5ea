"""The pages of the vocabulary: the ontology's classes and properties, and what the shapes require of them."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from rit_graph.corpus.project import Project
from rit_graph.output.site.graph import COMMENT, LABEL, Graph, Term
from rit_graph.output.site.layout import Layout
from rit_graph.output.site.paths import node_shapes
from rit_graph.output.site.values import Terms, Value
from rit_graph.rdf.namespaces import DCTERMS, OWL, RDF, RDF_TYPE, RDFS, SH, SKOS

DEFINITION = ox.NamedNode(SKOS + "definition")
#: What the ontology page shows of each term, besides label and definition.
ALIGNMENTS = tuple(
    ox.NamedNode(iri)
    for iri in (
        RDF + "type",
        RDFS + "subClassOf",
        RDFS + "subPropertyOf",
        RDFS + "domain",
        RDFS + "range",
        OWL + "equivalentClass",
        OWL + "equivalentProperty",
        SKOS + "inScheme",
        SKOS + "exactMatch",
        SKOS + "closeMatch",
        SKOS + "broadMatch",
        SKOS + "narrowMatch",
        SKOS + "relatedMatch",
    )
)
#: Sections of the ontology page: the term's type and the message naming it.
TERM_KINDS = (
    ("Class", OWL + "Class"),
    ("ObjectProperty", OWL + "ObjectProperty"),
    ("DatatypeProperty", OWL + "DatatypeProperty"),
)
#: Shape statements the shapes page shows in their own place rather than as constraints.
SHAPE_FRAME = tuple(ox.NamedNode(SH + n) for n in ("targetClass", "property", "message", "path")) + (RDF_TYPE, COMMENT)


class VocabularyPages:
    """Renders the ontology page and the shapes page, one section per term or shape."""

    def __init__(self, project: Project, ontology: Graph, shapes: Graph, terms: Terms, layout: Layout) -> None:
        self.project = project
        self.ontology = ontology
        self.shapes = shapes
        self.terms = terms
        self.layout = layout

    def ontology_page(self, lang: str) -> str:
        """Every class and property of the ontology with labels, definitions and alignments."""
        here = f"ontology.{lang}.html"
        ontology = ox.NamedNode(self.project.ontology_iri)
        terms = sorted(
            (
                s
                for s in self.ontology.out
                if isinstance(s, ox.NamedNode) and s.value.startswith(self.project.vocabulary)
            ),
            key=lambda s: s.value.lower(),
        )
        sections: list[tuple[str, list[dict[str, Any]]]] = []
        placed: set[Term] = set()
        for key, type_iri in (*TERM_KINDS, ("other_terms", "")):
            members = [
                t
                for t in terms
                if t not in placed and (not type_iri or ox.NamedNode(type_iri) in self.ontology.objects(t, RDF_TYPE))
            ]
            placed.update(members)
            sections.append((key, [self._term(t, lang, here) for t in members]))
        title = self.ontology.text(ontology, ox.NamedNode(DCTERMS + "title"), lang)
        description = self.ontology.text(ontology, ox.NamedNode(DCTERMS + "description"), lang)
        return self.layout.page(
            "ontology.html",
            here,
            lang,
            title.value if title else self.layout.messages[lang]["ontology"],
            lambda other: f"ontology.{other}.html",
            ontology=ontology.value,
            description=description.value if description else None,
            header=self.terms.rows(
                self.ontology,
                ontology,
                lang,
                here,
                skip=(ox.NamedNode(DCTERMS + "title"), ox.NamedNode(DCTERMS + "description")),
            ),
            sections=sections,
        )

    def _term(self, term: ox.NamedNode, lang: str, here: str) -> dict[str, Any]:
        label = self.ontology.text(term, LABEL, lang)
        definition = self.ontology.text(term, DEFINITION, lang)
        return {
            "id": term.value[len(self.project.vocabulary) :],
            "iri": term.value,
            "compact": self.terms.compact(term.value),
            "label": Value(label.value, lang=label.language) if label else Value(self.terms.compact(term.value)),
            "definition": Value(definition.value, lang=definition.language) if definition else None,
            "rows": self.terms.rows(self.ontology, term, lang, here, only=ALIGNMENTS),
        }

    def shapes_page(self, lang: str) -> str:
        """What the shapes require of each class: targets, paths, constraints and messages."""
        here = f"shapes.{lang}.html"
        shapes = node_shapes(self.shapes)
        described = []
        for shape in shapes:
            properties = []
            for prop in self.shapes.objects(shape, ox.NamedNode(SH + "property")):
                path = self.shapes.one(prop, ox.NamedNode(SH + "path"))
                properties.append(
                    {
                        "path": self.terms.path_text(path) if path is not None else "",
                        "rows": self.terms.rows(self.shapes, prop, lang, here, skip=SHAPE_FRAME),
                        "messages": self._messages(prop, lang),
                    }
                )
            comment = self.shapes.text(shape, COMMENT, lang)
            described.append(
                {
                    "id": shape.value.rsplit("#", 1)[-1],
                    "name": self.terms.compact(shape.value),
                    "comment": Value(comment.value, lang=comment.language) if comment else None,
                    "targets": [
                        self.terms.value(t, lang, here)
                        for t in self.shapes.objects(shape, ox.NamedNode(SH + "targetClass"))
                    ],
                    "rows": self.terms.rows(self.shapes, shape, lang, here, skip=SHAPE_FRAME),
                    "messages": self._messages(shape, lang),
                    "properties": properties,
                }
            )
        return self.layout.page(
            "shapes.html",
            here,
            lang,
            self.layout.messages[lang]["shapes"],
            lambda other: f"shapes.{other}.html",
            shapes=described,
        )

    def _messages(self, shape: Term, lang: str) -> list[Value]:
        found = self.shapes.text(shape, ox.NamedNode(SH + "message"), lang)
        return [Value(found.value, lang=found.language)] if found else []
