"""Counts that tell a publisher what the graph holds: by class, announcement and language.

A triple that several graphs state is one triple with several sources: every
count here takes each triple once, as the SPARQL endpoint's default graph does
(the union of the data graphs and graph/ontology, each triple once), so that
the total is what ``SELECT (COUNT(*) AS ?n) { ?s ?p ?o }`` answers there.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus

# %ONTOLOGY% stands for <BASE/graph/ontology>, which the counts of data leave out.

#: Every triple of the named graphs once: the default graph the endpoint queries.
TOTAL = """
SELECT (COUNT(*) AS ?triples) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }
"""

#: Every triple of the data graphs (all but graph/ontology) once.
DATA = """
SELECT (COUNT(*) AS ?triples) WHERE {
  SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != %ONTOLOGY%) }
}
"""

BY_CLASS = """
SELECT ?class (COUNT(DISTINCT ?resource) AS ?count)
WHERE { GRAPH ?g { ?resource a ?class } FILTER (?g != %ONTOLOGY%) }
GROUP BY ?class ORDER BY DESC(?count) ?class
"""

BY_GRAPH = """
SELECT ?graph (COUNT(*) AS ?triples) (COUNT(DISTINCT ?annotation) AS ?annotations)
WHERE {
  GRAPH ?graph { ?s ?p ?o OPTIONAL { ?s a <http://www.w3.org/ns/oa#Annotation> BIND (?s AS ?annotation) } }
  FILTER (?graph != %ONTOLOGY%)
}
GROUP BY ?graph ORDER BY ?graph
"""

BY_LANGUAGE = """
SELECT ?language (COUNT(*) AS ?count)
WHERE {
  SELECT DISTINCT ?s ?p ?o ?language WHERE {
    GRAPH ?g { ?s ?p ?o } FILTER (?g != %ONTOLOGY% && isLiteral(?o) && LANG(?o) != "") BIND (LANG(?o) AS ?language)
  }
}
GROUP BY ?language ORDER BY ?language
"""


@dataclass(frozen=True)
class Stats:
    #: The triples a query's default graph holds: the data and the ontology, each once.
    total: int
    #: The triples of the data graphs, each once.
    triples: int
    by_class: list[tuple[str, int]]
    by_graph: list[tuple[str, int, int]]
    by_language: list[tuple[str, int]]

    def to_text(self, base_iri: str) -> str:
        def short(iri: str) -> str:
            return iri.replace(base_iri + "ontology#", "rit:").replace(base_iri, "")

        lines = [
            f"{self.total} triples (union of all graphs, each once; {self.triples} in the data graphs, "
            f"{self.total - self.triples} only in graph/ontology)",
            "",
            "by class:",
        ]
        lines += [f"  {count:>6}  {short(c)}" for c, count in self.by_class]
        lines += ["", "by graph (triples, annotations):"]
        lines += [f"  {t:>6}  {a:>4}  {short(g)}" for g, t, a in self.by_graph]
        lines += ["", "labels and texts by language:"]
        lines += [f"  {count:>6}  {lang}" for lang, count in self.by_language]
        return "\n".join(lines) + "\n"


def stats(corpus: Corpus) -> Stats:
    """CORPUS counted in the store queries see (``Corpus.store``, as the endpoint holds it: literals canonical)."""
    store = corpus.store
    ontology = ox.NamedNode(corpus.project.graph_iri("ontology"))

    def rows(query: str) -> list[list[str]]:
        solutions = store.query(query.replace("%ONTOLOGY%", str(ontology)))
        assert isinstance(solutions, ox.QuerySolutions)
        return [[term.value for term in solution] for solution in solutions]

    return Stats(
        int(rows(TOTAL)[0][0]),
        int(rows(DATA)[0][0]),
        [(c, int(n)) for c, n in rows(BY_CLASS)],
        [(g, int(t), int(a)) for g, t, a in rows(BY_GRAPH)],
        [(lang, int(n)) for lang, n in rows(BY_LANGUAGE)],
    )
