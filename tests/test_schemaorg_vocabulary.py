"""The schema.org projection speaks schema.org: checked against the vocabulary itself (release 30.0, in
tests/schemaorg/), every property is used on a type its domainIncludes allows (or a subtype of one) and
every value is of a type its rangeIncludes allows, for the bw-i announcement (data/announcements/
bwi-cluster-japan-rit) and for the announcements of the fixture corpus (tests/fixtures/corpus)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from projects import TESTS, copy_project

from rit_graph import schemaorg
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.rdf.namespaces import RDF_TYPE

VOCABULARY = TESTS / "schemaorg" / "schemaorg-30.0-structure.nt"
CORPUS = TESTS / "fixtures" / "corpus"
SCHEMA = "http://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
#: ISO 8601 as schema.org's Date, DateTime, Time and Duration take it in text.
TEXT_FORMS = {
    "Date": re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"),
    "DateTime": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})?"),
    "Time": re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?"),
    "Duration": re.compile(r"-?P(?=[0-9T])([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9.]+S)?)?"),
    "URL": re.compile(r"https?://\S+"),
}
#: The schema.org data types a literal of each XML Schema datatype is.
DATATYPES = {
    XSD + "boolean": {"Boolean"},
    XSD + "integer": {"Integer", "Number"},
    XSD + "decimal": {"Number"},
    XSD + "double": {"Float", "Number"},
    XSD + "date": {"Date"},
    XSD + "dateTime": {"DateTime"},
}


class Vocabulary:
    """schema.org's types and properties: superclasses, domainIncludes, rangeIncludes, and the types of its
    enumeration members (schema:EventScheduled is a schema:EventStatusType)."""

    def __init__(self, path: Path) -> None:
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.domains: dict[str, set[str]] = defaultdict(set)
        self.ranges: dict[str, set[str]] = defaultdict(set)
        self.types: dict[str, set[str]] = defaultdict(set)
        for t in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES):
            subject, predicate, value = t.subject.value, t.predicate.value, t.object.value
            if predicate.endswith("#subClassOf"):
                self.parents[subject].add(value)
            elif predicate == SCHEMA + "domainIncludes":
                self.domains[subject].add(value)
            elif predicate == SCHEMA + "rangeIncludes":
                self.ranges[subject].add(value)
            elif predicate == RDF_TYPE.value:
                self.types[subject].add(value)

    def supertypes(self, types: set[str]) -> set[str]:
        """TYPES with all their superclasses: a value of a type is a value of each of these."""
        found, todo = set(types), list(types)
        while todo:
            for parent in self.parents[todo.pop()] - found:
                found.add(parent)
                todo.append(parent)
        return found

    def literal_types(self, literal: ox.Literal) -> set[str]:
        """The schema.org data types LITERAL is a value of: Text for any text, and what its form or datatype says."""
        datatype = literal.datatype.value
        if datatype in DATATYPES:
            return self.supertypes({SCHEMA + name for name in DATATYPES[datatype]})
        if datatype not in (XSD + "string", RDF_LANG_STRING):
            return set()
        forms = {name for name, form in TEXT_FORMS.items() if form.fullmatch(literal.value)}
        return self.supertypes({SCHEMA + name for name in forms | {"Text"}})


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(VOCABULARY)


@pytest.fixture(scope="module")
def fixture_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return load(Project.open(copy_project(CORPUS, tmp_path_factory.mktemp("corpus") / "project")))


def offences(vocabulary: Vocabulary, triples: list[ox.Triple]) -> set[str]:
    """Each type/property pair of TRIPLES that schema.org does not define, and each value out of its property's
    range, in words (schema: left out). The projection holds IRIs and literals only (test_schemaorg.py)."""
    types: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate == RDF_TYPE and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode):
            types[t.subject.value].add(t.object.value)

    def short(names: set[str]) -> str:
        return "/".join(sorted(n.removeprefix(SCHEMA) for n in names)) or "(no type)"

    found = set()
    for t in triples:
        subject, value = t.subject, t.object
        assert isinstance(subject, ox.NamedNode) and isinstance(value, ox.NamedNode | ox.Literal), t
        if t.predicate == RDF_TYPE:
            if value.value not in vocabulary.parents:
                found.add(f"{value} is no schema.org type")
            continue
        prop, subject_types = t.predicate.value, types[subject.value]
        if not vocabulary.supertypes(subject_types) & vocabulary.domains[prop]:
            found.add(f"undefined: {short(subject_types)}.{prop.removeprefix(SCHEMA)}")
        if isinstance(value, ox.Literal):
            value_types = vocabulary.literal_types(value)
            kind = f"“{value.value[:20]}”^^{value.datatype.value.rsplit('#', 1)[-1]}"
        else:
            # A resource of the projection or of schema.org (an enumeration member); any other IRI links to a page.
            stated = types[value.value] | vocabulary.types[value.value] or {SCHEMA + "URL"}
            value_types, kind = vocabulary.supertypes(stated), short(stated)
        if not value_types & vocabulary.ranges[prop]:
            found.add(f"out of range: {short(subject_types)}.{prop.removeprefix(SCHEMA)} → {kind}")
    return found


@pytest.mark.parametrize("which", ["data/announcements/bwi-cluster-japan-rit", "tests/fixtures/corpus"])
def test_every_type_property_pair_is_defined_and_every_value_in_range(
    vocabulary: Vocabulary, bwi_corpus: Corpus, fixture_corpus: Corpus, which: str
) -> None:
    corpus = bwi_corpus if which.startswith("data/") else fixture_corpus
    found = offences(vocabulary, schemaorg.project(Run(corpus)))
    assert not found, f"{len(found)} pair(s) schema.org 30.0 does not allow:\n" + "\n".join(sorted(found))


def test_the_check_finds_what_schema_org_does_not_define(vocabulary: Vocabulary) -> None:
    """The mappings this check once found wrong, as a projection would write them."""
    s, x = SCHEMA, "https://example.org/kb/id/"

    def triple(subject: str, predicate: str, value: ox.NamedNode | ox.Literal) -> ox.Triple:
        return ox.Triple(ox.NamedNode(x + subject), ox.NamedNode(s + predicate), value)

    def a(subject: str, kind: str) -> ox.Triple:
        return ox.Triple(ox.NamedNode(x + subject), RDF_TYPE, ox.NamedNode(s + kind))

    projection = [
        a("partnership", "Project"),
        triple("partnership", "duration", ox.Literal("P12M")),
        a("selection", "ChooseAction"),
        a("state", "State"),
        triple("selection", "winner", ox.NamedNode(x + "state")),
        a("application", "Action"),
        triple("application", "target", ox.NamedNode(x + "selection")),
        a("visit", "BusinessEvent"),
        triple("visit", "startDate", ox.Literal("im September")),
        triple("visit", "eventStatus", ox.NamedNode(s + "EventScheduled")),
        triple("visit", "location", ox.NamedNode(x + "state")),
        triple("visit", "duration", ox.Literal("P12M")),
        triple("membership", "roleName", ox.Literal("Leiter", language="de")),
    ]
    assert offences(vocabulary, projection) == {
        "undefined: Project.duration",
        "undefined: ChooseAction.winner",
        "out of range: ChooseAction.winner → State",
        "out of range: Action.target → ChooseAction",
        "out of range: BusinessEvent.startDate → “im September”^^string",
        "undefined: (no type).roleName",
    }
