"""The provenance rule: the words quoted for a fact name what the fact is about, or the fact is marked inferred.

For every annotation of every announcement (the repository's, and those of tests/fixtures and
tests/shapes/valid; tests/bad_input's are broken on purpose), each stated fact (an ``rdf:Statement``
body, not a ``rit:InferredStatement``) has its subject or its object named in the annotation's quotes.
A resource is named:

- by one of its labels (``rdfs:label``, ``skos:altLabel``, any language), word for word, each word up
  to its German ending (``german.forms``, as ``draft`` finds names, or the word without -e, -n, -s, -en,
  -er, -es), Japanese character by character; a class's labels name it in a type statement;
- by its kind: a label of a class it is typed with by a stated fact of the same annotation
  ("die Messe Photonics" names the trade fair that ``a rit:TradeFair ~ q:munich-visit`` types);
- where it has no name of its own and is the fact's subject, or the object of a fact of the
  announcement (what it is about, what it mentions), by what singles it out (``KEYS``): anything
  with a start or end date by that date as the quote writes it, a partnership by its cluster and its
  partner place, a selection by who selected and what, a membership by its person and organisation,
  an agreement by its parties, a quotation by its speaker and words, each of them named;
- by a back-reference the annotation records (``rit:refersBackTo``: "der Präfektur", "Dieses Programm").

An annotation's quotes name what they name each or together. The announcement, the source of every
quote, does not count as named by its own words. A literal
object is named when the quote writes it: its text (word for word, as a label), its lexical form, a
date or period as ``german.dates`` reads it ("22. Juni 2015", "Im Jahr 2016", "2017年5月"), an amount,
currency or unit as ``german.amounts`` reads it ("rund 158 Mrd. Euro": 158000000000, EUR), a duration
in words ("zwölf Monaten": P12M), true by a label of its property ("erstmals", "erste") or, for
``rit:approximate``, by an approximate amount ("rund"). A text in another language is a translation:
named when the same annotation states, for the same subject and property, a text the quote writes.

Class definitions are respected where the ontology can say so: a delegation visit (rit:DelegationVisit)
is a delegation of one side of a partnership travelling to the other. This needs the partnerships of
the whole corpus, which a partition of the validation may not hold, so it is a query here; what one
resource's own types contradict (owl:disjointWith: a region is no city) is the shape Disjoint.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
from helpers import select
from projects import BWI, MINI, TESTS, copy_project, patched

from rit_graph.corpus import german
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.rdf.namespaces import OA, RDF, RDF_TYPE, RDFS

SKOS = "http://www.w3.org/2004/02/skos/core#"
NAMES = (ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "altLabel"))
XSD = "http://www.w3.org/2001/XMLSchema#"
#: The project folders whose announcements the rule covers, besides the repository's own.
FIXTURES = {
    "corpus": TESTS / "fixtures" / "corpus",
    "restating": TESTS / "fixtures" / "restating",
    "shapes-valid": MINI,
}
#: Numbers as German writes them in words, for durations ("in den kommenden zwölf Monaten").
NUMBERS = dict(
    zip(
        ("ein eins eine einen zwei drei vier fünf sechs sieben acht neun zehn elf zwölf").split(),
        (1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
        strict=True,
    )
)
DURATION = re.compile(r"\b(\d+|" + "|".join(NUMBERS) + r")\s+(Monat|Jahr|Woche|Tag)\w*", re.I)
UNITS = {"monat": "M", "jahr": "Y", "woche": "W", "tag": "D"}
#: What singles out a resource that has no name of its own: the properties whose values the quote names
#: (every value of each), by the resource's class.
KEYS = {
    "Partnership": ("partnerOrganisation", "partnerPlace"),
    "Selection": ("selectedBy", "selected"),
    "Membership": ("member", "organisation"),
    "Agreement": ("party",),
    "Quotation": ("spokenBy", "quotedText"),
}


@dataclass(frozen=True)
class Fact:
    """A stated fact of an annotation, with the annotation's quotes and recorded back-references."""

    annotation: ox.NamedNode | ox.BlankNode
    subject: ox.NamedNode | ox.BlankNode
    predicate: ox.NamedNode
    object: ox.NamedNode | ox.BlankNode | ox.Literal
    quotes: tuple[str, ...]


def forms(word: str) -> set[str]:
    """The forms under which WORD may be a word of a name: german.forms, and the word without its ending."""
    found = german.forms(word)
    lowered = word.lower()
    found |= {lowered[: -len(end)] for end in ("en", "er", "es", "e", "n", "s") if lowered.endswith(end)}
    return {f for f in found if len(f) > 1 or not f.isascii()}


def written(name: str, text: str) -> bool:
    """Whether NAME occurs in TEXT word for word, each word in any of its forms."""
    name_words = [forms(w.text) for w in german.words(name)]
    text_words = [forms(w.text) for w in german.words(text)]
    n = len(name_words)
    return n > 0 and any(
        all(name_words[j] & text_words[i + j] for j in range(n)) for i in range(len(text_words) - n + 1)
    )


def durations(text: str) -> set[str]:
    """The durations TEXT gives in words or digits, as xsd:duration values ("zwölf Monaten": P12M)."""
    found = set()
    for m in DURATION.finditer(text):
        number = m.group(1).lower()
        count = int(number) if number.isdigit() else NUMBERS[number]
        found.add(f"P{count}{UNITS[m.group(2).lower()]}")
    return found


class Rule:
    """The rule on one corpus: what names each resource, and which facts of it break the rule."""

    def __init__(self, corpus: Corpus) -> None:
        self.vocabulary = corpus.project.vocabulary
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in corpus.quads] + corpus.ontology
        self.labels: dict[ox.NamedNode | ox.BlankNode, set[str]] = defaultdict(set)
        self.out: dict[ox.NamedNode | ox.BlankNode, dict[str, set[ox.NamedNode | ox.BlankNode | ox.Literal]]] = (
            defaultdict(lambda: defaultdict(set))
        )
        for t in triples:
            if t.predicate in NAMES and isinstance(t.object, ox.Literal):
                self.labels[t.subject].add(t.object.value)  # type: ignore[index]
            self.out[t.subject][t.predicate.value].add(t.object)  # type: ignore[index,arg-type]
        self.announcements = {s for s, p in self._pairs(triples, RDF_TYPE) if p == self.term("Announcement")}
        self.facts = list(self._facts(triples))

    def term(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self.vocabulary + name)

    @staticmethod
    def _pairs(triples: Iterable[ox.Triple], predicate: ox.NamedNode) -> list[tuple[ox.NamedNode, ox.NamedNode]]:
        return [(t.subject, t.object) for t in triples if t.predicate == predicate]  # type: ignore[misc]

    def _facts(self, triples: list[ox.Triple]) -> Iterable[Fact]:
        """The stated facts of every annotation, with the annotation's quotes."""
        exact = {
            t.subject: t.object.value
            for t in triples
            if isinstance(t.object, ox.Literal) and t.predicate.value == OA + "exact"
        }
        quotes: dict[ox.NamedNode | ox.BlankNode, set[str]] = defaultdict(set)
        for annotation, target in self._pairs(triples, ox.NamedNode(OA + "hasTarget")):
            selectors = self.out[target][OA + "hasSelector"]
            quotes[annotation] |= {exact[s] for s in selectors if s in exact}  # type: ignore[index]
        for annotation, body in self._pairs(triples, ox.NamedNode(OA + "hasBody")):
            if ox.NamedNode(RDF + "Statement") not in self.out[body][RDF_TYPE.value]:
                continue
            (s,), (p,), (o,) = (self.out[body][RDF + n] for n in ("subject", "predicate", "object"))
            yield Fact(annotation, s, p, o, tuple(sorted(quotes[annotation])))  # type: ignore[arg-type]

    def kinds(self, node: ox.NamedNode | ox.BlankNode, annotation: ox.NamedNode | ox.BlankNode) -> set[ox.NamedNode]:
        """The classes that stated facts of ANNOTATION give NODE."""
        return {
            f.object  # type: ignore[misc]
            for f in self.facts
            if f.annotation == annotation and f.subject == node and f.predicate == RDF_TYPE
        }

    def names(
        self, node: ox.NamedNode | ox.BlankNode, annotation: ox.NamedNode | ox.BlankNode, quote: str, key: bool
    ) -> bool:
        """Whether QUOTE of ANNOTATION names NODE: by a label, its kind or a back-reference; with KEY, also by
        what singles it out."""
        if node in self.announcements:
            return False
        if node in self.out[annotation][self.vocabulary + "refersBackTo"]:
            return True
        if any(written(label, quote) for label in self.labels[node]):
            return True
        if any(written(label, quote) for kind in self.kinds(node, annotation) for label in self.labels[kind]):
            return True
        if not key:
            return False
        properties = self.out[node]
        dates = properties[self.vocabulary + "startDate"] | properties[self.vocabulary + "endDate"]
        if any(self.writes(date, quote) for date in dates):
            return True
        return any(
            self.term(kind) in self.superclasses(properties[RDF_TYPE.value])
            and all(
                properties[self.vocabulary + key]
                and all(
                    self.writes(v, quote) or (not isinstance(v, ox.Literal) and self.names(v, annotation, quote, False))
                    for v in properties[self.vocabulary + key]
                )
                for key in keys
            )
            for kind, keys in KEYS.items()
        )

    def superclasses(self, classes: set[ox.NamedNode | ox.BlankNode | ox.Literal]) -> set[ox.NamedNode]:
        """CLASSES and the classes they are subclasses of."""
        found: set[ox.NamedNode] = set()
        todo = [c for c in classes if isinstance(c, ox.NamedNode)]
        while todo:
            c = todo.pop()
            if c not in found:
                found.add(c)
                todo += [s for s in self.out[c][RDFS + "subClassOf"] if isinstance(s, ox.NamedNode)]
        return found

    def writes(self, value: ox.NamedNode | ox.BlankNode | ox.Literal, quote: str) -> bool:
        """Whether QUOTE writes the literal VALUE: as text, as its lexical form, as a date, amount or duration."""
        if not isinstance(value, ox.Literal):
            return False
        lexical, datatype = value.value, value.datatype.value
        if written(lexical, quote) or lexical.lower() in quote.lower():
            return True
        if datatype in (XSD + "date", XSD + "gYearMonth", XSD + "gYear"):
            return any(lexical in (d.start, d.end) for d in german.dates(quote))
        if datatype in (XSD + "integer", XSD + "decimal"):
            return any(a.value == float(lexical) for a in german.amounts(quote))
        if datatype == XSD + "duration":
            return lexical in durations(quote)
        return any(lexical == a.unit for a in german.amounts(quote))

    def states(self, fact: Fact) -> bool:
        """Whether FACT's quotes, each or all together, name its subject or its object."""
        for quote in fact.quotes + (("\n".join(fact.quotes),) if len(fact.quotes) > 1 else ()):
            if self.names(fact.subject, fact.annotation, quote, True):
                return True
            if isinstance(fact.object, ox.Literal):
                if self.writes(fact.object, quote) or self.true_as_written(fact, quote):
                    return True
            elif self.names(fact.object, fact.annotation, quote, fact.subject in self.announcements):
                return True
        return isinstance(fact.object, ox.Literal) and self.translates(fact)

    def true_as_written(self, fact: Fact, quote: str) -> bool:
        """Whether QUOTE writes FACT's true by a label of its property ("erstmals"), or by an approximate amount."""
        if not (isinstance(fact.object, ox.Literal) and fact.object.value == "true"):
            return False
        if fact.predicate == self.term("approximate"):
            return any(a.approximate for a in german.amounts(quote))
        return any(written(label, quote) for label in self.labels[fact.predicate])

    def translates(self, fact: Fact) -> bool:
        """Whether FACT's text translates a text of the same subject and property that its annotation states
        and its quotes write."""
        return any(
            other.annotation == fact.annotation
            and other.subject == fact.subject
            and other.predicate == fact.predicate
            and other.object != fact.object
            and any(self.writes(other.object, quote) for quote in other.quotes)
            for other in self.facts
        )

    def breaches(self) -> list[Fact]:
        return [f for f in self.facts if not self.states(f)]


def shorten(node: ox.NamedNode | ox.BlankNode | ox.Literal, base: str) -> str:
    return str(node).replace(base, "")


def report(breaches: list[Fact], base: str) -> str:
    return "\n".join(
        f"{shorten(f.subject, base)} {shorten(f.predicate, base)} {shorten(f.object, base)}\n    quoted: "
        + " | ".join(f.quotes)
        for f in breaches
    )


@pytest.fixture(scope="module", params=sorted(FIXTURES))
def fixture_corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = copy_project(FIXTURES[request.param], tmp_path_factory.mktemp(request.param) / "project")
    return load(Project.open(folder))


def test_every_stated_fact_of_the_repository_names_its_subject_or_object_in_its_quote(corpus: Corpus) -> None:
    rule = Rule(corpus)
    assert len(rule.facts) > 100
    breaches = rule.breaches()
    assert breaches == [], "facts whose quotes name neither subject nor object:\n" + report(
        breaches, corpus.project.base_iri
    )


def test_every_stated_fact_of_the_fixtures_names_its_subject_or_object_in_its_quote(fixture_corpus: Corpus) -> None:
    rule = Rule(fixture_corpus)
    assert rule.facts
    breaches = rule.breaches()
    assert breaches == [], "facts whose quotes name neither subject nor object:\n" + report(
        breaches, fixture_corpus.project.base_iri
    )


def test_facts_marked_stated_that_their_quotes_do_not_state_break_the_rule(bwi_corpus: Corpus) -> None:
    """The bw-i facts that issue 17 found recorded as stated, stated again: the rule names each with its quote."""
    restated = patched(
        bwi_corpus,
        """PREFIX rit: <ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        DELETE { GRAPH ?g { ?b a rit:InferredStatement } } INSERT { GRAPH ?g { ?b a rdf:Statement } }
        WHERE { GRAPH ?g { ?b a rit:InferredStatement ; rdf:predicate ?p
            FILTER (?p IN (rit:resultedIn, rit:applicant)) } }""",
    )
    found = {(f.predicate.value.rsplit("#")[-1], f.object.value.rsplit("/")[-1]) for f in Rule(restated).breaches()}
    assert found == {
        ("resultedIn", "automotive-bw-hitachi"),
        ("resultedIn", "photonics-bw-kitakyushu"),
        ("applicant", "automotive-bw"),
        ("applicant", "photonics-bw"),
    }, BWI
    text = report(Rule(restated).breaches(), bwi_corpus.project.base_iri)
    assert "quoted: Baden-Württemberg hat sich mit den beiden Clustern in einem intensiven Auswahlprozess" in text


#: Delegation visits whose delegation belongs to no side of a partnership or travels to no place of its other
#: side: sent by the cluster to the partner place (or a place in it, or a region around it), or coming from
#: the partner place to the region the cluster is based in (or a place in it).
STRAY_VISITS = """PREFIX rit: <ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?visit ?destination WHERE {
    ?visit a/rdfs:subClassOf* rit:DelegationVisit ; rit:destination ?destination ; rit:visitor ?delegation .
    FILTER NOT EXISTS {
        ?partnership rit:partnerOrganisation ?cluster ; rit:partnerPlace ?place .
        {
            ?delegation rit:sentBy ?cluster .
            { ?destination rit:containedIn* ?place }
            UNION { ?place rit:containedIn ?destination . ?destination a rit:Region }
        } UNION {
            ?delegation rit:comesFrom/rit:containedIn* ?place .
            ?cluster rit:basedIn ?home . ?destination rit:containedIn* ?home .
        }
    }
}"""


def stray_visits(corpus: Corpus) -> set[tuple[str | None, str | None]]:
    return {(r["visit"], r["destination"]) for r in select(corpus.data, STRAY_VISITS, corpus.project.base_iri)}


def test_every_delegation_visit_goes_to_the_other_side_of_a_partnership(corpus: Corpus) -> None:
    assert stray_visits(corpus) == set()


def test_every_delegation_visit_of_the_fixtures_goes_to_the_other_side_of_a_partnership(
    fixture_corpus: Corpus,
) -> None:
    assert stray_visits(fixture_corpus) == set()


def test_a_trade_fair_visit_in_a_city_of_no_partnership_is_no_delegation_visit(bwi_corpus: Corpus) -> None:
    """The Munich visit of issue 17, typed a delegation visit again: Munich is no place of a partnership."""
    retyped = patched(
        bwi_corpus,
        "PREFIX rit: <ontology#> INSERT DATA { GRAPH <graph/reference> "
        "{ <id/event/2015-06-22-japanese-delegation-munich> a rit:DelegationVisit } }",
    )
    assert stray_visits(retyped) == {("id/event/2015-06-22-japanese-delegation-munich", "id/place/munich")}
