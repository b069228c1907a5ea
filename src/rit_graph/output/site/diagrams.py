"""The home page's SVG diagrams: partnerships as linked boxes and lines, events on a month axis."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus
from rit_graph.output.site.graph import Term
from rit_graph.output.site.layout import Messages
from rit_graph.output.site.values import Terms, Value, dates_text
from rit_graph.rdf import dates

#: Beyond this many months, the timeline's axis counts years.
YEARS_AXIS = 36
#: At most this many columns of years: a span from 1000 to 9999 is still a picture.
YEAR_COLUMNS = 24


@dataclass(frozen=True)
class Box:
    """A labelled, linked rectangle of an SVG diagram."""

    x: float
    y: float
    width: float
    height: float
    value: Value
    kind: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str


@dataclass(frozen=True)
class TimelineEvent:
    value: Value
    x: float
    width: float
    y: float
    #: Where the label starts: above the bar, moved left where it would leave the picture.
    label_x: float
    #: "month" or "year" for a date known only to the month or the year (the bar fills it), else None.
    coarse: str | None
    inferred: bool
    #: The dates as the page's language writes them.
    when: str


class Diagrams:
    """Lays out what the diagrams' SPARQL queries (``templates/queries``) find in the corpus."""

    def __init__(self, corpus: Corpus, terms: Terms, messages: Messages) -> None:
        self.corpus = corpus
        self.terms = terms
        self.messages = messages

    def _select(self, name: str) -> list[dict[str, Term]]:
        query = f"PREFIX rit: <{self.corpus.project.vocabulary}>\n" + _query(name)
        solutions = self.corpus.data.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        variables = [v.value for v in solutions.variables]
        return [{v: s[v] for v in variables if s[v] is not None} for s in solutions]

    def partnerships(self, lang: str, here: str) -> dict[str, Any]:
        """Organisations left, places right, a line per partnership, the programmes and operators below."""
        rows = self._select("partnerships.rq")
        width, box_w, box_h, gap = 760.0, 220.0, 40.0, 24.0

        def column(key: str) -> list[Term]:
            return list(dict.fromkeys(r[key] for r in rows if key in r))

        left, right, programmes, operators = (column(k) for k in ("organisation", "place", "programme", "operator"))
        boxes: dict[tuple[str, Term], Box] = {}
        top = 36.0
        for kind, items, x in (("organisation", left, 10.0), ("place", right, width - box_w - 10)):
            for i, item in enumerate(items):
                boxes[kind, item] = Box(
                    x, top + i * (box_h + gap), box_w, box_h, self.terms.value(item, lang, here), kind
                )
        y = top + max(len(left), len(right), 1) * (box_h + gap) + gap
        for kind, items in (("programme", programmes), ("operator", operators)):
            values = [self.terms.value(item, lang, here) for item in items]
            wide = min(max([box_w, *(_text_width(v.text) + 24 for v in values)]), (width - 20) / max(len(items), 1))
            for i, (item, value) in enumerate(zip(items, values, strict=True)):
                x = (width - wide * len(items) - gap * (len(items) - 1)) / 2 + i * (wide + gap)
                boxes[kind, item] = Box(x, y, wide, box_h, value, kind)
            y += box_h + 2 * gap
        lines, links = [], []
        for r in rows:
            a, b = boxes["organisation", r["organisation"]], boxes["place", r["place"]]
            lines.append(Line(a.x + a.width, a.y + a.height / 2, b.x, b.y + b.height / 2, "partnership"))
            mid = ((a.x + a.width + b.x) / 2, (a.y + b.y + a.height) / 2)
            links.append((mid, self.terms.value(r["partnership"], lang, here)))
            if "programme" in r:
                p = boxes["programme", r["programme"]]
                lines.append(Line(mid[0], mid[1], p.x + p.width / 2, p.y, "funding"))
                if "operator" in r:
                    o = boxes["operator", r["operator"]]
                    lines.append(Line(p.x + p.width / 2, p.y + p.height, o.x + o.width / 2, o.y, "operator"))
        return {
            "width": width,
            "height": y - gap,
            "boxes": list(boxes.values()),
            "lines": list(dict.fromkeys(lines)),
            "links": links,
        }

    def timeline(self, lang: str, here: str) -> dict[str, Any]:
        """Events placed by date on an axis of months (of years, when they span more than YEARS_AXIS):
        a date known only to the month or the year fills it. An event whose start is no date is left
        out: validation reports it."""
        events = []
        for r in self._select("timeline.rq"):
            start, end = dates.interval(r["start"]), dates.interval(r["end"]) if "end" in r else None
            if start is None:
                continue
            last = end.last if end is not None and end.last >= start.first else start.last
            inferred = isinstance(r.get("inferred"), ox.Literal) and r["inferred"].value == "true"
            precisions = {start.precision, (end or start).precision}
            coarse = next((p for p in ("year", "month") if p in precisions), None)
            events.append((start.first, last, coarse, inferred, dates_text(start, end, lang), r["event"]))
        if not events:
            return {"width": 760.0, "height": 0.0, "months": [], "events": []}
        events.sort(key=lambda e: (e[0], e[1], str(e[5])))
        first, months, step = _axis(min(e[0] for e in events), max(e[1] for e in events))
        width, left, axis_y, row = 760.0, 10.0, 30.0, 44.0
        month_w = (width - 2 * left) / months

        def x(day: date, end_of_day: bool = False) -> float:
            """Where DAY starts on the axis, or where it ends."""
            index = (day.year - first.year) * 12 + day.month - first.month
            return left + (index + (day.day - 1 + end_of_day) / calendar.monthrange(day.year, day.month)[1]) * month_w

        ticks = []
        for i in range(0, months, step):
            year, month = divmod(first.month - 1 + i, 12)
            ticks.append((left + i * month_w, f"{first.year + year}" + (f"-{month + 1:02d}" if step == 1 else "")))
        placed = []
        for i, (begins, ends, coarse, inferred, when, event) in enumerate(events):
            value = self.terms.value(event, lang, here)
            label = _text_width(value.text + (f" ({self.messages[lang]['inferred']})" if inferred else ""))
            placed.append(
                TimelineEvent(
                    value,
                    x(begins),
                    max(x(ends, end_of_day=True) - x(begins), 4.0),
                    axis_y + 30 + i * row,
                    max(left, min(x(begins), width - left - label)),
                    coarse,
                    inferred,
                    when,
                )
            )
        return {
            "width": width,
            "height": axis_y + 10 + len(placed) * row,
            "months": ticks,
            "month_width": month_w * step,
            "axis_y": axis_y,
            "events": placed,
        }


def _query(name: str) -> str:
    return (
        resources.files("rit_graph")
        .joinpath("templates")
        .joinpath("queries")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


def _axis(first: date, last: date) -> tuple[date, int, int]:
    """The timeline's axis from FIRST to LAST: the day it starts on, how many months it spans and how many
    each column has (1, or once the events span more than YEARS_AXIS months, 12 times 1, 2, 5, 10... years)."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= YEARS_AXIS:
        return first.replace(day=1), months, 1
    years = _years_per_column(last.year - first.year + 1)
    start = date(first.year - first.year % years, 1, 1)
    columns = -(-(last.year - start.year + 1) // years)
    return start, columns * years * 12, years * 12


def _years_per_column(years: int) -> int:
    """The fewest of 1, 2, 5, 10, 20, 50, ... years per column that show YEARS in fewer than YEAR_COLUMNS:
    the first column, aligned to a multiple of them, may add one."""
    steps = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
    return next((step for step in steps if -(-years // step) < YEAR_COLUMNS), steps[-1])


def _text_width(text: str) -> float:
    """Roughly how wide TEXT is at the diagrams' 13px font: CJK characters are twice as wide."""
    return sum(13.0 if ord(c) > 0x2E80 else 7.2 for c in text)
