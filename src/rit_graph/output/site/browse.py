"""The home page, an overview of the corpus, and the browse pages that list all of what it sums up.

The home page shows counts by class, the latest announcements, the partnerships as a network of
cluster–place pairs and a timeline by year that opens into months, each capped (``diagrams``) so that it
stays small and readable from one announcement to ten thousand. What it leaves out is one link away, on
browse pages of at most PAGE_SIZE entries with previous and next:

- ``browse/class/NAME/N.LANG.html``: the resources of a class, by label in the page's language;
- ``browse/partnerships/N.LANG.html``: every cluster–place pair, those most announced first;
- ``browse/timeline/YEAR/N.LANG.html``: the events of a year by date, under headings by month.

Each page is rendered on its own from a stem (``browse/class/City/1``) and a language, so the site's
writer and the server can render, cache or refuse each one alone: ``stems`` lists them, ``page`` renders
one and raises KeyError for any other, a page past the end included.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pyoxigraph as ox

from rit_graph.corpus.project import Project
from rit_graph.output.site.diagrams import (
    EVENTS_PER_MONTH,
    EVENTS_SHOWN,
    LATEST_SHOWN,
    PAIRS_SHOWN,
    YEARS_SHOWN,
    Event,
    Overview,
    Pair,
)
from rit_graph.output.site.graph import LABEL
from rit_graph.output.site.layout import Layout
from rit_graph.output.site.paths import Paths, relative, source_path
from rit_graph.output.site.values import MONTHS, Terms, Value, date_text, dates_text
from rit_graph.runtime.cache import key

#: Entries per browse page: a page of a hundred links is quick to scan and a few tens of kilobytes.
PAGE_SIZE = 100
#: Of a pair's announcements and partnerships, the partnership pages name this many each.
NAMED_PER_PAIR = 10
#: A class's name in a path, as written; any other is named by a hash of its IRI.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")

T = TypeVar("T")


@dataclass(frozen=True)
class Pagination:
    """One of the paginated lists: its page N holds entries (N-1)·PAGE_SIZE to N·PAGE_SIZE."""

    count: int

    @property
    def last(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))

    def of(self, index: int) -> int:
        """The page the entry at INDEX is on."""
        return index // PAGE_SIZE + 1


class BrowsePages:
    """Renders the home page and the browse pages from the corpus's Overview, in each page language."""

    def __init__(self, project: Project, overview: Overview, paths: Paths, terms: Terms, layout: Layout) -> None:
        self.project = project
        self.overview = overview
        self.paths = paths
        self.terms = terms
        self.layout = layout

    # What exists -----------------------------------------------------------------------------------

    @functools.cached_property
    def kind_names(self) -> dict[str, ox.NamedNode]:
        """Each class with resources, by its name in browse paths: its local name in the project's vocabulary
        (``City``), its prefixed name elsewhere (``oa-Annotation``), else a hash of its IRI."""
        names: dict[str, ox.NamedNode] = {}
        for kind in self.overview.kinds:
            local = kind.value.removeprefix(self.project.vocabulary)
            name = local if local != kind.value else self.terms.compact(kind.value).replace(":", "-")
            if not _SAFE_NAME.fullmatch(name) or name in names:
                name = "c-" + hashlib.sha256(kind.value.encode()).hexdigest()[:12]
            names[name] = kind
        return names

    @functools.cached_property
    def _kind_name(self) -> dict[ox.NamedNode, str]:
        return {kind: name for name, kind in self.kind_names.items()}

    @functools.cache  # noqa: B019 - one per site, kept as long as the site
    def stems(self) -> tuple[str, ...]:
        """Every browse page, as its path without ``.LANG.html``: worked out on the first call, not when the
        site is made, since a server that shows one resource page needs none of it."""
        stems = [
            f"browse/class/{name}/{n}"
            for name, kind in self.kind_names.items()
            for n in range(1, Pagination(len(self.overview.kinds[kind])).last + 1)
        ]
        if self.overview.pairs:
            stems += [f"browse/partnerships/{n}" for n in range(1, Pagination(len(self.overview.pairs)).last + 1)]
        for year, events in self.overview.years:
            stems += [f"browse/timeline/{year}/{n}" for n in range(1, Pagination(len(events)).last + 1)]
        return tuple(stems)

    @functools.cached_property
    def _stem_set(self) -> frozenset[str]:
        return frozenset(self.stems())

    def page(self, stem: str, lang: str) -> str:
        """The browse page STEM (``browse/class/City/2``) in LANG; KeyError if there is none such."""
        if stem not in self._stem_set:
            raise KeyError(stem)
        parts = stem.split("/")
        number = int(parts[-1])
        if parts[1] == "class":
            return self._class_page(self.kind_names[parts[2]], stem, number, lang)
        if parts[1] == "partnerships":
            return self._pairs_page(stem, number, lang)
        return self._year_page(int(parts[2]), stem, number, lang)

    # What each page shows, for the site's cache ------------------------------------------------------

    def shown(self, stem: str) -> str:
        """A key of what the page STEM (``index`` for the home page) shows in any language, beside what every
        page shows (the vocabulary, the settings, the sources: the writer's common key): the data it is made
        from and the labels of every resource that decides its order or is named on it. The pages of one list
        share one key, since a label that moves an entry may move it to another page."""
        return self._shown("index" if stem == "index" else stem.rsplit("/", 1)[0])

    @functools.cache  # noqa: B019 - one per site and list, kept as long as the site
    def _shown(self, group: str) -> str:
        overview = self.overview
        if group == "index":
            parts = self._home_shown()
        elif group.startswith("browse/class/"):
            kind = self.kind_names[group.split("/")[2]]
            parts = [kind.value, *self._faces(ox.NamedNode(iri) for iri in overview.kinds[kind])]
        elif group == "browse/partnerships":
            parts = [repr(pair) for pair in overview.pairs]
            parts += self._faces(
                node
                for pair in overview.pairs
                for node in (
                    pair.organisation,
                    pair.place,
                    *pair.partnerships,
                    *map(ox.NamedNode, pair.announcements),
                    *pair.programmes,
                )
            )
        else:
            events = dict(overview.years)[int(group.rsplit("/", 1)[1])]
            parts = [repr(event) for event in events] + self._faces(event.node for event in events)
        return key(group, *parts)

    def _home_shown(self) -> list[str]:
        """What the home page is made from: every count and order, and the labels of what it names or orders."""
        overview = self.overview
        parts = [repr([(kind.value, len(members)) for kind, members in overview.kinds.items()])]
        parts += [repr(overview.announcements), repr(overview.pairs), repr(overview.programmes), repr(overview.years)]
        return parts + self._faces(
            [ox.NamedNode(d.iri) for d in overview.announcements[:LATEST_SHOWN]]
            + [node for pair in overview.pairs for node in (pair.organisation, pair.place)]
            + [node for programme, operators, _ in overview.programmes for node in (programme, *operators)]
            + [event.node for event in overview.events]
        )

    def _faces(self, nodes: Iterable[ox.NamedNode]) -> list[str]:
        """What a link to each of NODES shows: its labels and whether it has a page."""
        data = self.overview.data
        return [
            f"{node} {int(self.paths.has_page(node.value))} {' '.join(sorted(map(str, data.objects(node, LABEL))))}"
            for node in nodes
        ]

    # Orders in a language ---------------------------------------------------------------------------

    def _label(self, node: ox.NamedNode, lang: str) -> str:
        return self.terms.label(node, lang)[0].casefold()

    @functools.cache  # noqa: B019 - one per site and language, kept as long as the site
    def _members(self, kind: ox.NamedNode, lang: str) -> tuple[str, ...]:
        """The resources of KIND by label in LANG (IRI for equal labels)."""
        return tuple(sorted(self.overview.kinds[kind], key=lambda iri: (self._label(ox.NamedNode(iri), lang), iri)))

    @functools.cache  # noqa: B019 - one per site and language, kept as long as the site
    def _pairs(self, lang: str) -> tuple[Pair, ...]:
        """The pairs, those behind most announcements first, then by organisation's and place's label."""
        return tuple(
            sorted(
                self.overview.pairs,
                key=lambda p: (
                    -len(p.announcements),
                    self._label(p.organisation, lang),
                    self._label(p.place, lang),
                    p.organisation.value,
                    p.place.value,
                ),
            )
        )

    def _pair_href(self, pair: Pair, lang: str, here: str) -> str:
        """The link to PAIR's entry on the partnership pages."""
        index = self._pair_index(lang)[pair.anchor]
        return relative(f"browse/partnerships/{Pagination(0).of(index)}.{lang}.html#{pair.anchor}", here)

    @functools.cache  # noqa: B019 - one per site and language, kept as long as the site
    def _pair_index(self, lang: str) -> dict[str, int]:
        return {pair.anchor: i for i, pair in enumerate(self._pairs(lang))}

    @functools.cache  # noqa: B019 - one per site and year, kept as long as the site
    def _year_events(self, year: int) -> tuple[Event, ...]:
        """YEAR's events as its pages list them: those known only to the year first, then by date."""
        events = dict(self.overview.years)[year]
        return tuple(sorted(events, key=lambda e: (e.month is not None, e.start.first, e.start.last, e.node.value)))

    # The home page ----------------------------------------------------------------------------------

    def home(self, lang: str) -> str:
        """The overview: counts by class, the latest announcements, the partnerships network and the timeline."""
        here = f"index.{lang}.html"
        return self.layout.page(
            "home.html",
            here,
            lang,
            self.project.setting("title"),
            lambda other: f"index.{other}.html",
            kinds=self._kinds(lang, here),
            latest=self._latest(lang, here),
            network=self._network(lang, here),
            timeline=self._timeline(lang, here),
        )

    def _kinds(self, lang: str, here: str) -> list[dict[str, Any]]:
        kinds = [
            {
                "kind": self.terms.value(kind, lang, here),
                "count": len(members),
                "href": relative(f"browse/class/{self._kind_name[kind]}/1.{lang}.html", here),
            }
            for kind, members in self.overview.kinds.items()
        ]
        return sorted(kinds, key=lambda k: (k["kind"].text.casefold(), k["href"]))

    def _latest(self, lang: str, here: str) -> dict[str, Any]:
        announcements = self.overview.announcements
        kind = ox.NamedNode(self.project.vocabulary + "Announcement")
        return {
            "items": [
                {
                    "value": self.terms.value(ox.NamedNode(d.iri), lang, here),
                    "when": date_text(d.when, lang) if d.when else None,
                    "source": d.source,
                    "text": relative(source_path(self.paths.sources[d.iri], lang), here),
                }
                for d in announcements[:LATEST_SHOWN]
            ],
            "count": len(announcements),
            "all": relative(f"browse/class/{self._kind_name[kind]}/1.{lang}.html", here)
            if kind in self._kind_name
            else None,
        }

    def _network(self, lang: str, here: str) -> dict[str, Any]:
        """The top PAIRS_SHOWN pairs, grouped under their organisations in the order of their first pair."""
        pairs = self._pairs(lang)
        groups: dict[ox.NamedNode, list[dict[str, Any]]] = {}
        most = max((len(p.announcements) for p in pairs), default=1) or 1
        for pair in pairs[:PAIRS_SHOWN]:
            groups.setdefault(pair.organisation, []).append(
                {
                    "place": self.terms.value(pair.place, lang, here),
                    "count": len(pair.announcements),
                    "partnerships": len(pair.partnerships),
                    "weight": 2 + round(4 * len(pair.announcements) / most),
                    "href": self._pair_href(pair, lang, here),
                }
            )
        return {
            "groups": [(self.terms.value(o, lang, here), links) for o, links in groups.items()],
            "count": len(pairs),
            "more": max(0, len(pairs) - PAIRS_SHOWN),
            "all": relative(f"browse/partnerships/1.{lang}.html", here),
            "programmes": [
                (self.terms.value(g, lang, here), [self.terms.value(o, lang, here) for o in operators], n)
                for g, operators, n in self.overview.programmes[:PAIRS_SHOWN]
            ],
        }

    def _timeline(self, lang: str, here: str) -> dict[str, Any]:
        """Years (the latest YEARS_SHOWN) with their months; the events named where a month has few and the
        EVENTS_SHOWN budget, spent from the latest month back, allows."""
        years = self.overview.years
        shown, earlier = years[:YEARS_SHOWN], years[YEARS_SHOWN:]
        named: set[tuple[int, int | None]] = set()
        budget = EVENTS_SHOWN
        for year, events in shown:
            months = _by_month(events)
            for month in sorted(months, key=lambda m: -1 if m is None else m, reverse=True):
                if len(months[month]) <= EVENTS_PER_MONTH and len(months[month]) <= budget:
                    named.add((year, month))
                    budget -= len(months[month])
        most_in_year = max((len(events) for _, events in shown), default=1)
        rows = []
        for year, events in shown:
            ordered = self._year_events(year)
            first_index: dict[int | None, int] = {}
            for i, event in enumerate(ordered):
                first_index.setdefault(event.month, i)
            months = _by_month(ordered)
            most_in_month = max(len(m) for m in months.values())
            rows.append(
                {
                    "year": year,
                    "count": len(events),
                    "share": _share(len(events), most_in_year),
                    "href": relative(f"browse/timeline/{year}/1.{lang}.html", here),
                    "months": [
                        {
                            "name": month_name(month, lang) if month else self.layout.messages[lang]["year_only"],
                            "count": len(found),
                            "share": _share(len(found), most_in_month),
                            "href": relative(
                                f"browse/timeline/{year}/{Pagination(0).of(first_index[month])}.{lang}.html"
                                f"#{_month_anchor(month)}",
                                here,
                            ),
                            "events": [self._event(e, lang, here) for e in found] if (year, month) in named else [],
                        }
                        for month, found in months.items()
                    ],
                }
            )
        return {
            "years": rows,
            "count": len(self.overview.events),
            "earlier": {
                "years": len(earlier),
                "events": sum(len(events) for _, events in earlier),
                "href": relative(f"browse/timeline/{earlier[0][0]}/1.{lang}.html", here),
            }
            if earlier
            else None,
        }

    def _event(self, event: Event, lang: str, here: str) -> dict[str, Any]:
        return {
            "value": self.terms.value(event.node, lang, here),
            "when": dates_text(event.start, event.end, lang),
            "inferred": event.inferred,
            "coarse": next(
                (p for p in ("year", "month") if p in {event.start.precision, (event.end or event.start).precision}),
                None,
            ),
        }

    # The browse pages -------------------------------------------------------------------------------

    def _browse(
        self, stem: str, lang: str, title: str, number: int, pages: Pagination, kind: str, **context: Any
    ) -> str:
        here = f"{stem}.{lang}.html"
        folder = stem.rsplit("/", 1)[0]

        def link(n: int) -> str | None:
            return relative(f"{folder}/{n}.{lang}.html", here) if 1 <= n <= pages.last and n != number else None

        return self.layout.page(
            "browse.html",
            here,
            lang,
            title,
            lambda other: f"{stem}.{other}.html",
            kind=kind,
            home=relative(f"index.{lang}.html", here),
            pager={
                "number": number,
                "last": pages.last,
                "count": pages.count,
                "first": link(1),
                "previous": link(number - 1),
                "next": link(number + 1),
                "end": link(pages.last),
                "start": (number - 1) * PAGE_SIZE + 1,
                "stop": min(number * PAGE_SIZE, pages.count),
            },
            **context,
        )

    def _class_page(self, kind: ox.NamedNode, stem: str, number: int, lang: str) -> str:
        here = f"{stem}.{lang}.html"
        members = self._members(kind, lang)
        shown = _page_of(members, number)
        kind_value = self.terms.value(kind, lang, here)
        return self._browse(
            stem,
            lang,
            kind_value.text,
            number,
            Pagination(len(members)),
            "class",
            kind_value=kind_value,
            items=[
                (self.terms.value(ox.NamedNode(iri), lang, here), self.paths.iri_path(iri).removeprefix("id/"))
                for iri in shown
            ],
        )

    def _pairs_page(self, stem: str, number: int, lang: str) -> str:
        here = f"{stem}.{lang}.html"
        pairs = self._pairs(lang)

        def values(nodes: Sequence[ox.NamedNode]) -> list[Value]:
            return [self.terms.value(n, lang, here) for n in nodes[:NAMED_PER_PAIR]]

        return self._browse(
            stem,
            lang,
            self.layout.messages[lang]["partnerships"],
            number,
            Pagination(len(pairs)),
            "pairs",
            items=[
                {
                    "anchor": pair.anchor,
                    "organisation": self.terms.value(pair.organisation, lang, here),
                    "place": self.terms.value(pair.place, lang, here),
                    "announcements": values([ox.NamedNode(a) for a in pair.announcements]),
                    "more_announcements": max(0, len(pair.announcements) - NAMED_PER_PAIR),
                    "count": len(pair.announcements),
                    "partnerships": values(pair.partnerships),
                    "more_partnerships": max(0, len(pair.partnerships) - NAMED_PER_PAIR),
                    "programmes": values(pair.programmes),
                }
                for pair in _page_of(pairs, number)
            ],
        )

    def _year_page(self, year: int, stem: str, number: int, lang: str) -> str:
        here = f"{stem}.{lang}.html"
        events = self._year_events(year)
        items = []
        start = (number - 1) * PAGE_SIZE
        for j in range(start, min(start + PAGE_SIZE, len(events))):
            event = events[j]
            begins = j == 0 or events[j - 1].month != event.month
            heading = None
            if begins or j == start:
                # A month continued from the page before is headed again, its anchor left where it begins.
                name = month_name(event.month, lang) if event.month else self.layout.messages[lang]["year_only"]
                heading = {"name": name, "anchor": _month_anchor(event.month) if begins else None}
            items.append({"heading": heading, **self._event(event, lang, here)})
        return self._browse(
            stem,
            lang,
            f"{self.layout.messages[lang]['timeline']} {year}",
            number,
            Pagination(len(events)),
            "timeline",
            items=items,
        )


def _page_of(items: Sequence[T], number: int) -> Sequence[T]:
    return items[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]


def _by_month(events: Sequence[Event]) -> dict[int | None, list[Event]]:
    """EVENTS by the month they start in (None: known only to the year), in the order given."""
    months: dict[int | None, list[Event]] = {}
    for event in events:
        months.setdefault(event.month, []).append(event)
    return months


def _month_anchor(month: int | None) -> str:
    return f"m-{month:02d}" if month else "year"


def _share(count: int, most: int) -> str:
    """COUNT's bar as a share of the longest, in whole percent; at least 1 so that every bar shows."""
    return f"{max(1, round(100 * count / max(most, 1)))}%"


def month_name(month: int, lang: str) -> str:
    """The month's name as a page in LANG writes it; Japanese counts them (9月)."""
    return MONTHS[lang][month - 1] if lang in MONTHS else f"{month}月"


__all__ = ["PAGE_SIZE", "BrowsePages", "Pagination", "month_name"]
