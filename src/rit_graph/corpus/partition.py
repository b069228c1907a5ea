"""The partitions a corpus is validated in: small, independent, and the same for the same input.

pyshacl's cost grows faster than the graph it validates, so the data is
validated in partitions that run on all cores and are cached by content:

- groups of about 2,000 triples (two announcements), each with the reference data it
  reaches by following links (not all of it, which grows with the corpus);
- groups of reference files likewise;
- the resources that several announcements describe, with all they say of
  them, so that contradictions between announcements are found.

A partition also holds the classes of the resources it names that
announcements validated elsewhere describe, and no finding about them counts
there: checks such as ``sh:class`` on its own facts see what those resources
are, and it can tell them from resources nothing describes, such as those
left behind when their announcement is removed.

The reference data's facts get statement records citing their reference, so
that one provenance rule covers facts from announcements and from references.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import orjson
import pyoxigraph as ox

from rit_graph.corpus.load import Corpus, Unit, shared_subjects
from rit_graph.rdf.namespaces import DCTERMS, OA, RDF
from rit_graph.rdf.ntriples import ntriples, read_ntriples
from rit_graph.rdf.walk import walk
from rit_graph.runtime.cache import Cache, key

DCTERMS_SOURCE = ox.NamedNode(DCTERMS + "source")
RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_SUBJECT = ox.NamedNode(RDF + "subject")
RDF_PREDICATE = ox.NamedNode(RDF + "predicate")
RDF_OBJECT = ox.NamedNode(RDF + "object")
HAS_BODY = ox.NamedNode(OA + "hasBody")
_Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Partition:
    """Triples validated together; with FOCUS, only findings about those resources count,
    and never those about ELSEWHERE, the resources other partitions describe.

    KEY stands for the content: the keys of the units it is made of and of
    the reference data they reach. The content itself is put together only
    for a partition the cache does not know.
    """

    name: str
    key: str
    content: Callable[[], list[ox.Triple]] = field(repr=False, compare=False)
    focus: frozenset[ox.NamedNode] | None = None
    elsewhere: frozenset[ox.NamedNode] = frozenset()

    @functools.cached_property
    def triples(self) -> list[ox.Triple]:
        return self.content()


#: Triples validated together, about: pyshacl's fixed cost per run is small (at 1M triples,
#: 0.12 s for one announcement of 1,300 triples with the reference data it reaches, 0.20 s
#: for two, 0.52 s for five), and a change validates its whole group again.
GROUP_TRIPLES = 2000
#: A group also ends after a unit whose name hashes to 0 modulo this, so that groups of small
#: units (one reference file per place, say) end where the same names are.
GROUP_UNITS = 16


def partitions(corpus: Corpus, reach: Reach, cache: Cache) -> list[Partition]:
    """Groups of reference files, and of announcements, each with the reference data it reaches
    (``REACH``); and the resources that several announcements describe, with all they say of them.

    Each partition is small and independent of the others, so validation is
    linear in the corpus and an unchanged partition can be taken from the cache.
    What the last partition takes from each announcement is kept in CACHE.
    """
    parts = []
    typed = _typed_by_announcements(corpus)
    for group in groups(corpus.units):
        reached = [reach.of_unit(u) for u in group]
        own = {s for u in group for s, (_, classes) in u.summary.subjects.items() if classes}
        named = [n for u in group for n in u.summary.nodes] + _nodes([t for more, _ in reached for t in more])
        elsewhere = _described_elsewhere(named, own, typed)
        parts.append(
            Partition(
                ", ".join(u.name for u in group),
                key(
                    *(k for u, (_, more) in zip(group, reached, strict=True) for k in (u.key, more)),
                    ntriples(elsewhere),
                ),
                lambda group=group, reached=reached, elsewhere=elsewhere: list(  # type: ignore[misc]
                    dict.fromkeys(
                        [t for u, (more, _) in zip(group, reached, strict=True) for t in u.triples + more] + elsewhere
                    )
                ),
                elsewhere=_subjects(elsewhere),
            )
        )
    shared = _shared_resources(corpus, cache)
    if shared is not None:
        content = shared[0] + reach.closure(_nodes(shared[0]))
        elsewhere = _described_elsewhere(
            _nodes(content), {str(t.subject) for t in content if t.predicate == RDF_TYPE}, typed
        )
        content += elsewhere
        parts.append(
            Partition(
                "resources described by several announcements",
                key(ntriples(content)),
                lambda: content,
                shared[1],
                _subjects(elsewhere),
            )
        )
    return parts


def groups(units: list[Unit]) -> list[list[Unit]]:
    """UNITS in groups of about GROUP_TRIPLES triples, references and announcements apart.

    A group ends once it holds GROUP_TRIPLES triples, or after a unit whose
    name hashes to 0 modulo GROUP_UNITS, so a group depends on its own units
    and names: a change to one unit leaves the other groups as they were
    (unless it changes the unit's size, up to the next name that ends a group).
    """
    found: list[list[Unit]] = []
    current: list[Unit] = []
    size = 0
    for unit in units:
        if current and (current[-1].announcement is None) != (unit.announcement is None):
            found.append(current)
            current, size = [], 0
        current.append(unit)
        size += unit.summary.size
        if size >= GROUP_TRIPLES or int(hashlib.sha1(unit.name.encode("utf-8")).hexdigest()[:8], 16) % GROUP_UNITS == 0:
            found.append(current)
            current, size = [], 0
    return found + [current] if current else found


def _typed_by_announcements(corpus: Corpus) -> dict[str, set[str]]:
    """The IRIs (as N-Triples terms) that announcements give a class, each with the classes they give it."""
    typed: dict[str, set[str]] = {}
    for unit in corpus.units:
        if unit.announcement is not None:
            for subject, (_, classes) in unit.summary.subjects.items():
                if classes and subject.startswith("<"):
                    typed.setdefault(subject, set()).update(classes)
    return typed


def _described_elsewhere(named: Iterable[str], own: set[str], typed: dict[str, set[str]]) -> list[ox.Triple]:
    """The classes of each IRI of NAMED that a partition does not type (OWN) but an announcement does (TYPED).

    Validated apart from that announcement, the partition would otherwise take
    the resource for one nothing describes (the shapes' ``Described``), as it is
    once that announcement is removed, and fail every ``sh:class`` on it.
    """
    return [
        ox.Triple(ox.NamedNode(node[1:-1]), RDF_TYPE, ox.NamedNode(cls[1:-1]))
        for node in sorted(set(named) - own)
        if node in typed
        for cls in sorted(typed[node])
    ]


def _subjects(triples: list[ox.Triple]) -> frozenset[ox.NamedNode]:
    return frozenset(t.subject for t in triples if isinstance(t.subject, ox.NamedNode))


def _nodes(triples: list[ox.Triple]) -> list[str]:
    return [str(n) for t in triples for n in (t.subject, t.object) if not isinstance(n, ox.Literal)]


class Reach:
    """The reference data that nodes reach by following links, with its statement records.

    Nodes are written as in N-Triples ("<iri>", "_:label"), as units' summaries
    name them, so following links compares strings.
    """

    def __init__(self, reference: list[ox.Triple], records: dict[ox.Triple, list[ox.Triple]]) -> None:
        self._about: dict[str, list[tuple[ox.Triple, str | None]]] = {}
        for t in reference:
            link = None if isinstance(t.object, ox.Literal) else str(t.object)
            self._about.setdefault(str(t.subject), []).append((t, link))
        self._records = records
        #: The blank nodes of the statement records, which only validation needs.
        self.record_nodes = {r[0].subject for r in records.values()}
        self._by_unit: dict[str, tuple[list[ox.Triple], str]] = {}

    @classmethod
    def of(cls, corpus: Corpus) -> Reach:
        reference = list(dict.fromkeys(t for u in corpus.reference_units for t in u.triples))
        return cls(reference, reference_records(corpus, reference))

    def of_unit(self, unit: Unit) -> tuple[list[ox.Triple], str]:
        """The reference data UNIT reaches, with a key of its content; followed once per unit."""
        found = self._by_unit.get(unit.name)
        if found is None:
            triples = self.closure(unit.summary.nodes)
            found = self._by_unit[unit.name] = (triples, key(ntriples(triples)))
        return found

    def closure(self, nodes: Iterable[str]) -> list[ox.Triple]:
        """The reference data NODES reach, each fact followed by its statement record."""

        def step(node: str) -> Iterator[tuple[ox.Triple, str | None]]:
            for t, link in self._about.get(node, ()):
                yield t, link
                yield from ((r, None) for r in self._records.get(t, ()))

        return walk(nodes, step)


def _shared_resources(corpus: Corpus, cache: Cache) -> tuple[list[ox.Triple], frozenset[ox.NamedNode]] | None:
    """What announcements say of resources that two or more of them describe, once each.

    Each announcement is valid on its own; this partition finds what only their
    union shows, such as two announcements giving one resource different dates.
    With the facts come one statement record of each (and the annotation's link
    to it) and the classes of the values, so that shapes see what they check.
    What each announcement gives is kept in CACHE under its own key and the
    shared resources it describes, so an unchanged announcement is not read.
    """
    announcements = [u for u in corpus.units if u.announcement is not None]
    shared = shared_subjects(announcements)
    if not shared:
        return None
    cache = cache.within("shared-resources")
    lines: dict[str, None] = {}
    recorded: set[str | None] = set()
    keys = []
    for unit in sorted(announcements, key=lambda u: u.graph.value):
        mine = sorted(shared.intersection(unit.summary.subjects))
        if not mine:
            continue
        keys.append(key(unit.key, *mine))
        found = cache.get_bytes(keys[-1], ".json")
        if found is None:
            found = orjson.dumps(_contribution(unit.triples, {ox.NamedNode(s[1:-1]) for s in mine}))
            cache.put_bytes(keys[-1], found, ".json")
        for record, text in orjson.loads(found):
            if record is None or record not in recorded:
                recorded.add(record)
                lines.update(dict.fromkeys(text.split("\n")))
    cache.keep_only(keys)
    facts = read_ntriples("\n".join(lines).encode("utf-8"))
    return facts, frozenset(ox.NamedNode(s[1:-1]) for s in shared)


def _contribution(triples: list[ox.Triple], shared: set[ox.NamedNode]) -> list[tuple[str | None, str]]:
    """What one announcement's TRIPLES say of SHARED resources, as (record's fact or None, N-Triples):
    its facts, one record per fact (a fact recorded by several announcements keeps the first),
    and the classes of the values."""
    about: dict[_Node, list[ox.Triple]] = {}
    body_of: dict[_Node, list[ox.Triple]] = {}
    for t in triples:
        about.setdefault(t.subject, []).append(t)
        if t.predicate == HAS_BODY:
            body_of.setdefault(t.object, []).append(t)
    facts: dict[ox.Triple, None] = {}
    records: list[tuple[str | None, str]] = []
    values: set[ox.NamedNode] = set()
    for t in triples:
        if t.subject in shared:
            facts[t] = None
            if isinstance(t.object, ox.NamedNode):
                values.add(t.object)
        elif t.predicate == RDF_SUBJECT and t.object in shared:
            record = about[t.subject]
            fact = " ".join(str(r.object) for r in record if r.predicate in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT))
            records.append((fact, _text(record + body_of.get(t.subject, []))))
    types = [t for value in values for t in about.get(value, ()) if t.predicate == RDF_TYPE]
    return [(None, _text(list(facts))), *records, (None, _text(types))]


def _text(triples: list[ox.Triple]) -> str:
    return ntriples(triples).decode("utf-8")


def reference_records(corpus: Corpus, reference: list[ox.Triple] | None = None) -> dict[ox.Triple, list[ox.Triple]]:
    """Statement records for facts of the REFERENCE data, citing the resource's reference, by fact.

    A record's blank node is named after its fact, so a partition's content
    (and its cache key) is the same on every run.
    """
    vocabulary = corpus.project.vocabulary
    if reference is None:
        reference = [t for u in corpus.reference_units for t in u.triples]
    sources = {t.subject: t.object for t in reference if t.predicate == DCTERMS_SOURCE}
    records: dict[ox.Triple, list[ox.Triple]] = {}
    for t in reference:
        source = sources.get(t.subject)
        if source is None or not t.predicate.value.startswith(vocabulary):
            continue
        record = ox.BlankNode("r" + hashlib.sha1(str(t).encode("utf-8")).hexdigest()[:20])
        records[t] = [
            ox.Triple(record, RDF_SUBJECT, t.subject),
            ox.Triple(record, RDF_PREDICATE, t.predicate),
            ox.Triple(record, RDF_OBJECT, t.object),
            ox.Triple(record, DCTERMS_SOURCE, source),
        ]
    return records
