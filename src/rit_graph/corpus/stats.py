"""Counts that tell a publisher what the graph holds: by class, announcement and language."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus

BY_CLASS = """
SELECT ?class (COUNT(DISTINCT ?resource) AS ?count)
WHERE { ?resource a ?class }
GROUP BY ?class ORDER BY DESC(?count) ?class
"""

BY_GRAPH = """
SELECT ?graph (COUNT(*) AS ?triples) (COUNT(DISTINCT ?annotation) AS ?annotations)
WHERE {
  GRAPH ?graph { ?s ?p ?o OPTIONAL { ?s a <http://www.w3.org/ns/oa#Annotation> BIND (?s AS ?annotation) } }
}
GROUP BY ?graph ORDER BY ?graph
"""

BY_LANGUAGE = """
SELECT ?language (COUNT(*) AS ?count)
WHERE { ?s ?p ?o FILTER (isLiteral(?o) && LANG(?o) != "") BIND (LANG(?o) AS ?language) }
GROUP BY ?language ORDER BY ?language
"""


@dataclass(frozen=True)
class Stats:
    triples: int
    by_class: list[tuple[str, int]]
    by_graph: list[tuple[str, int, int]]
    by_language: list[tuple[str, int]]

    def to_text(self, base_iri: str) -> str:
        def short(iri: str) -> str:
            return iri.replace(base_iri + "ontology#", "rit:").replace(base_iri, "")

        lines = [f"{self.triples} triples (union of all graphs)", "", "by class:"]
        lines += [f"  {count:>6}  {short(c)}" for c, count in self.by_class]
        lines += ["", "by graph (triples, annotations):"]
        lines += [f"  {t:>6}  {a:>4}  {short(g)}" for g, t, a in self.by_graph]
        lines += ["", "labels and texts by language:"]
        lines += [f"  {count:>6}  {lang}" for lang, count in self.by_language]
        return "\n".join(lines) + "\n"


def stats(corpus: Corpus) -> Stats:
    store = corpus.data

    def rows(query: str) -> list[list[str]]:
        solutions = store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        return [[term.value for term in solution] for solution in solutions]

    return Stats(
        len({q.triple for q in store}),
        [(c, int(n)) for c, n in rows(BY_CLASS)],
        [(g, int(t), int(a)) for g, t, a in rows(BY_GRAPH)],
        [(lang, int(n)) for lang, n in rows(BY_LANGUAGE)],
    )
