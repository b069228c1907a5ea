"""The corpus summed up for the home page and the browse pages: resources by class, announcements by date,
partnerships aggregated by cluster and place, events by year and month.

Everything here is worked out once per site from the pages' graph (each triple once, so a fact two
announcements state counts once) and the announcements' summaries (which subjects each describes), in
no language: the pages sort and label it in theirs. The home page shows a bounded part of each (the
``*_SHOWN`` caps), so that it stays small from one announcement to ten thousand; the browse pages list
all of it, page by page. The diagrams are HTML lists and CSS bars rather than SVG: their text reflows
and keeps its size on a phone, where a scaled SVG shrank 13 px text to 6 px, and no label is ever
placed on top of another.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus
from rit_graph.output.site.graph import Graph
from rit_graph.output.site.paths import Paths
from rit_graph.rdf import dates
from rit_graph.rdf.dates import Interval
from rit_graph.rdf.namespaces import RDF, RDF_TYPE, RDFS, SCHEMA

#: Cluster–place pairs the home page's network draws; the rest are listed on the partnership pages.
PAIRS_SHOWN = 24
#: Announcements the home page lists, the latest first.
LATEST_SHOWN = 10
#: Years the home page's timeline has a row for, the latest first; earlier ones are counted in one line.
YEARS_SHOWN = 30
#: Events the home page's timeline names, the latest months first; other months give their number.
EVENTS_SHOWN = 40
#: A month of the home page's timeline names its events only if it has at most this many.
EVENTS_PER_MONTH = 3


@dataclass(frozen=True)
class Pair:
    """A cluster (or other organisation) and a place with one or more partnerships between them."""

    organisation: ox.NamedNode
    place: ox.NamedNode
    partnerships: tuple[ox.NamedNode, ...]
    #: The announcements that describe any of the partnerships, by IRI: a pair restated counts each once.
    announcements: tuple[str, ...]
    programmes: tuple[ox.NamedNode, ...]

    @property
    def anchor(self) -> str:
        """Its fragment on the partnership pages: made from the IRIs, so it stays put as labels change."""
        digest = hashlib.sha256(f"{self.organisation.value}\n{self.place.value}".encode()).hexdigest()
        return "pair-" + digest[:12]


@dataclass(frozen=True)
class Event:
    """An event of the timeline: it counts in the month (or, known only to the year, the year) it starts."""

    node: ox.NamedNode
    start: Interval
    end: Interval | None
    #: Whether the start date was inferred rather than stated by the source (an rit:InferredStatement).
    inferred: bool

    @property
    def month(self) -> int | None:
        """The month it starts in, or None if its start is known only to the year."""
        return None if self.start.precision == "year" else self.start.first.month


@dataclass(frozen=True)
class Dated:
    """An announcement and the date it is ordered by: published, else its latest event's, else none."""

    iri: str
    when: Interval | None
    #: "published" (rit:datePublished), "events" (the latest start date of the events it links to) or None.
    source: str | None


class Overview:
    """The corpus in numbers and orders, independent of the page language, each worked out on first use."""

    def __init__(self, corpus: Corpus, paths: Paths, data: Graph) -> None:
        self.corpus = corpus
        self.paths = paths
        self.data = data
        vocabulary = corpus.project.vocabulary
        self._term = {name: ox.NamedNode(vocabulary + name) for name in _TERMS}

    @functools.cached_property
    def kinds(self) -> dict[ox.NamedNode, tuple[str, ...]]:
        """Each class that types a resource with a page, with those resources (IRI order): a resource
        counts in each of the classes the data gives it, not in their superclasses."""
        members: dict[ox.NamedNode, list[str]] = defaultdict(list)
        for iri in self.paths.resources:
            for kind in self.data.objects(ox.NamedNode(iri), RDF_TYPE):
                if isinstance(kind, ox.NamedNode):
                    members[kind].append(iri)
        return {kind: tuple(members[kind]) for kind in sorted(members, key=lambda k: k.value)}

    @functools.cached_property
    def announcements(self) -> tuple[Dated, ...]:
        """Every announcement, the latest first.

        An announcement is dated by its rit:datePublished where it gives one; else by the latest start date
        among the events it links to (rit:about, rit:mentions...), which says what period it is about;
        else it has no date and comes after the dated ones. Ties and undated ones go by IRI.
        """
        published = self._term["datePublished"]
        dated = []
        for iri in self.paths.sources:
            node = ox.NamedNode(iri)
            when = next(filter(None, map(dates.interval, self.data.objects(node, published))), None)
            source = "published" if when else None
            if when is None:
                starts = [self._start(o) for objects in self.data.out.get(node, {}).values() for o in objects]
                known = [s for s in starts if s is not None]
                when = max(known, key=lambda s: s.first) if known else None
                source = "events" if when else None
            dated.append(Dated(iri, when, source))
        undated = [d for d in dated if d.when is None]
        latest = sorted((d for d in dated if d.when), key=lambda d: (-d.when.first.toordinal(), d.iri))  # type: ignore[union-attr]
        return tuple(latest + sorted(undated, key=lambda d: d.iri))

    @functools.cached_property
    def pairs(self) -> tuple[Pair, ...]:
        """The partnerships grouped by organisation and place: each pair once, with the partnerships between
        them and the announcements that describe those, whichever of them states which fact."""
        organisation, place = self._term["partnerOrganisation"], self._term["partnerPlace"]
        funded = self._term["fundedUnder"]
        found: dict[tuple[ox.NamedNode, ox.NamedNode], list[ox.NamedNode]] = defaultdict(list)
        for subject in self.data.out:
            if not isinstance(subject, ox.NamedNode):
                continue
            for o in self.data.objects(subject, organisation):
                for p in self.data.objects(subject, place):
                    if isinstance(o, ox.NamedNode) and isinstance(p, ox.NamedNode):
                        found[o, p].append(subject)
        described: dict[str, set[str]] = defaultdict(set)
        wanted = {f"<{s.value}>" for partnerships in found.values() for s in partnerships}
        for unit in self.corpus.units:
            if unit.announcement is not None:
                iri = self.corpus.project.announcement_iri(unit.announcement)
                for term in wanted.intersection(unit.summary.subjects):
                    described[term[1:-1]].add(iri)
        pairs = []
        for (o, p), partnerships in sorted(found.items(), key=lambda kv: (kv[0][0].value, kv[0][1].value)):
            ordered = tuple(sorted(set(partnerships), key=lambda s: s.value))
            programmes = {g for s in ordered for g in self.data.objects(s, funded) if isinstance(g, ox.NamedNode)}
            pairs.append(
                Pair(
                    o,
                    p,
                    ordered,
                    tuple(sorted(set().union(*(described[s.value] for s in ordered)))),
                    tuple(sorted(programmes, key=lambda g: g.value)),
                )
            )
        return tuple(pairs)

    @functools.cached_property
    def programmes(self) -> tuple[tuple[ox.NamedNode, tuple[ox.NamedNode, ...], int], ...]:
        """Each programme partnerships are funded under, its operators and how many partnerships, most first."""
        counts: Counter[ox.NamedNode] = Counter(g for pair in self.pairs for g in pair.programmes)
        operator = self._term["operator"]
        return tuple(
            (g, tuple(o for o in self.data.objects(g, operator) if isinstance(o, ox.NamedNode)), n)
            for g, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].value))
        )

    @functools.cached_property
    def events(self) -> tuple[Event, ...]:
        """Every event (an instance of schema:Event or a subclass the ontology gives it) with a start date, by
        date; one whose start is no date is left out (validation reports it), and so is what has a start but is
        no event, such as a partnership "seit 2015". A range ending before it starts is drawn as its start alone."""
        end_date, inferred_class = self._term["endDate"], self._term["InferredStatement"]
        subject, predicate = ox.NamedNode(RDF + "subject"), ox.NamedNode(RDF + "predicate")
        kinds = self._event_classes
        events = []
        for node in self.data.out:
            start = self._start(node)
            if (
                start is None
                or not isinstance(node, ox.NamedNode)
                or kinds.isdisjoint(self.data.objects(node, RDF_TYPE))
            ):
                continue
            end = next(filter(None, map(dates.interval, self.data.objects(node, end_date))), None)
            inferred = any(
                inferred_class in self.data.objects(statement, RDF_TYPE)
                and self.data.one(statement, predicate) == self._term["startDate"]
                for statement in self.data.subjects(subject, node)
            )
            events.append(Event(node, start, end if end is None or end.last >= start.first else None, inferred))
        events.sort(key=lambda e: (e.start.first, e.start.last, e.node.value))
        return tuple(events)

    @functools.cached_property
    def years(self) -> tuple[tuple[int, tuple[Event, ...]], ...]:
        """The events by the year they start in, the latest year first."""
        by_year: dict[int, list[Event]] = defaultdict(list)
        for event in self.events:
            by_year[event.start.first.year].append(event)
        return tuple((year, tuple(by_year[year])) for year in sorted(by_year, reverse=True))

    @functools.cached_property
    def _event_classes(self) -> set[object]:
        """The ontology's classes under schema:Event, however deep. A class the ontology aligns with one of
        schema.org's event types (schema:ExhibitionEvent, schema:BusinessEvent: all named "…Event") is an
        event class too, without the ontology restating schema.org's own hierarchy."""
        below: dict[object, list[ox.NamedNode | ox.BlankNode]] = defaultdict(list)
        for t in self.corpus.ontology:
            if t.predicate == _SUBCLASS_OF and isinstance(t.subject, ox.NamedNode | ox.BlankNode):
                below[t.object].append(t.subject)
        todo: list[object] = [c for c in below if isinstance(c, ox.NamedNode) and _is_schema_event(c)]
        found: set[object] = set(todo)
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    def _start(self, node: ox.NamedNode | ox.BlankNode | ox.Literal) -> Interval | None:
        return next(filter(None, map(dates.interval, self.data.objects(node, self._term["startDate"]))), None)


_SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")


def _is_schema_event(term: ox.NamedNode) -> bool:
    return term.value.startswith(SCHEMA) and term.value.endswith("Event")


#: The ontology's terms the overview reads, by local name.
_TERMS = (
    "datePublished",
    "startDate",
    "endDate",
    "partnerOrganisation",
    "partnerPlace",
    "fundedUnder",
    "operator",
    "InferredStatement",
)
