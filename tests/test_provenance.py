"""Provenance rules: quotes verbatim and positioned, inferences marked, unknowns left out, labels complete."""

from __future__ import annotations

import pytest
from helpers import select
from projects import BWI

from rit_graph.corpus.load import Corpus

OA = "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
RIT = "PREFIX rit: <ontology#>\n"
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
RDF = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"


def rows(corpus: Corpus, query: str) -> list[dict[str, str | None]]:
    return select(corpus.data, query, corpus.project.base_iri)


@pytest.fixture(scope="module")
def corpus(bwi_corpus: Corpus) -> Corpus:
    """The bw-i announcement and its reference data, whatever else the repository's data/ holds."""
    return bwi_corpus


@pytest.fixture(scope="module")
def source(corpus: Corpus) -> str:
    (item,) = (a for a in corpus.project.announcements() if a.name == BWI)
    return item.source_text.read_text(encoding="utf-8")


def test_every_exact_quote_occurs_verbatim_in_the_source(corpus: Corpus, source: str) -> None:
    quotes = rows(corpus, OA + "SELECT ?exact WHERE { ?selector a oa:TextQuoteSelector ; oa:exact ?exact }")
    assert len(quotes) >= 20
    missing = [q["exact"] for q in quotes if q["exact"] not in source]
    assert missing == []


def test_every_position_selects_the_exact_words(corpus: Corpus, source: str) -> None:
    query = (
        OA
        + """SELECT ?exact ?start ?end WHERE {
        ?target oa:hasSelector ?quote , ?position .
        ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
        ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
    }"""
    )
    found = rows(corpus, query)
    quotes = rows(corpus, OA + "SELECT ?q WHERE { ?q a oa:TextQuoteSelector }")
    assert len(found) == len(quotes), "every quote has exactly one position"
    for row in found:
        start, end = (int(str(row[k]).split("^^")[0]) for k in ("start", "end"))
        assert source[start:end] == row["exact"]


def test_the_announcement_text_is_the_source_text(corpus: Corpus, source: str) -> None:
    (row,) = rows(corpus, RIT + "SELECT ?text WHERE { ?a a rit:Announcement ; rit:text ?text }")
    assert row["text"] == source + "@de"


@pytest.mark.parametrize(
    ("event", "date"),
    [("2015-09-hitachi-return-visit", "2015-09"), ("2015-11-photonics-bw-kitakyushu-visit", "2015-11")],
)
def test_inferred_years_are_marked_and_explained(corpus: Corpus, event: str, date: str) -> None:
    query = (
        RIT
        + RDF
        + RDFS
        + f"""SELECT ?kind ?comment WHERE {{
        ?statement rdf:subject <id/event/{event}> ; rdf:predicate rit:startDate ; rdf:object ?date ; a ?kind .
        OPTIONAL {{ ?statement rdfs:comment ?comment FILTER (LANG(?comment) = "en") }}
    }}"""
    )
    (row,) = rows(corpus, query)
    assert row["kind"] == "rit:InferredStatement"
    assert row["comment"] and "inferred" in row["comment"]
    (value,) = rows(corpus, RIT + f"SELECT ?date WHERE {{ <id/event/{event}> rit:startDate ?date }}")
    assert value["date"] == f"{date}^^xsd:gYearMonth"


def test_stated_dates_are_not_marked_inferred(corpus: Corpus) -> None:
    query = (
        RIT
        + RDF
        + "SELECT ?event WHERE { ?s a rit:InferredStatement ; rdf:predicate rit:startDate ; rdf:subject ?event }"
    )
    assert {r["event"] for r in rows(corpus, query)} == {
        "id/event/2015-09-hitachi-return-visit",
        "id/event/2015-11-photonics-bw-kitakyushu-visit",
    }


@pytest.mark.parametrize(
    "predicate",
    [
        "http://schema.org/datePublished",
        "http://schema.org/publisher",
        "http://purl.org/dc/terms/issued",
        "http://purl.org/dc/terms/date",
        "http://purl.org/dc/terms/publisher",
        "http://purl.org/dc/terms/created",
        "http://www.w3.org/ns/prov#generatedAtTime",
    ],
)
def test_unknown_publication_date_and_publisher_are_left_out(corpus: Corpus, predicate: str) -> None:
    assert rows(corpus, f"SELECT * WHERE {{ ?s <{predicate}> ?o }}") == []


def test_every_wikidata_link_cites_its_reference(corpus: Corpus) -> None:
    query = """PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?s ?source WHERE { ?s owl:sameAs ?wd OPTIONAL { ?s dcterms:source ?source } }"""
    found = rows(corpus, query)
    assert found, "the reference data links places to Wikidata"
    assert [r["s"] for r in found if r["source"] is None] == []


def test_every_typed_resource_has_one_german_and_one_english_label(corpus: Corpus) -> None:
    """Annotations are records about the data, not resources of the graph, and carry no labels."""
    query = (
        OA
        + RDFS
        + """SELECT ?s (SUM(IF(LANG(?l) = "de", 1, 0)) AS ?de) (SUM(IF(LANG(?l) = "en", 1, 0)) AS ?en)
        WHERE { { SELECT DISTINCT ?s WHERE { ?s a ?class FILTER (isIRI(?s) && ?class != oa:Annotation) } }
                OPTIONAL { ?s rdfs:label ?l } }
        GROUP BY ?s"""
    )
    counts = {r["s"]: (r["de"], r["en"]) for r in rows(corpus, query)}
    assert len(counts) > 30
    wrong = {s: c for s, c in counts.items() if c != ("1^^xsd:integer", "1^^xsd:integer")}
    assert wrong == {}


def test_japanese_places_and_organisations_have_japanese_labels(corpus: Corpus) -> None:
    query = (
        RIT
        + RDFS
        + """SELECT DISTINCT ?s ?ja WHERE {
        { ?s rit:containedIn+ <id/place/japan> }
        UNION { ?s rit:basedIn|rit:comesFrom ?p . ?p rit:containedIn* <id/place/japan> }
        UNION { BIND (<id/place/japan> AS ?s) }
        OPTIONAL { ?s rdfs:label ?ja FILTER (LANG(?ja) = "ja") }
    }"""
    )
    found = {r["s"]: r["ja"] for r in rows(corpus, query)}
    assert {"id/place/kitakyushu", "id/place/hitachi", "id/organisation/jetro", "id/place/tokyo"} <= set(found)
    assert [s for s, ja in found.items() if ja is None] == []


def test_every_fact_of_the_announcement_is_the_body_of_a_quoted_annotation(corpus: Corpus) -> None:
    """Facts stated in the announcement's own graph (not its text, not the annotations) each have a quote."""
    graph = corpus.announcement_graphs[BWI]
    query = (
        OA
        + RIT
        + RDF
        + f"""SELECT ?s ?p ?o WHERE {{
        GRAPH <{graph.value}> {{
            ?s ?p ?o FILTER (STRSTARTS(STR(?p), STR(rit:)) && ?p NOT IN (rit:text, rit:refersBackTo))
        }}
        FILTER NOT EXISTS {{
            ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
            ?annotation oa:hasBody ?statement ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
        }}
    }}"""
    )
    facts = rows(
        corpus, RIT + f"SELECT * WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o FILTER STRSTARTS(STR(?p), STR(rit:)) }} }}"
    )
    assert len(facts) > 100
    assert rows(corpus, query) == []


def test_every_annotation_body_names_a_fact_of_the_data(corpus: Corpus) -> None:
    query = (
        OA
        + RDF
        + """SELECT ?annotation ?s ?p ?o WHERE {
        ?annotation oa:hasBody ?statement . ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
        FILTER NOT EXISTS { ?s ?p ?o }
    }"""
    )
    assert rows(corpus, query) == []
