"""Dates as the shapes accept them (xsd:gYear, xsd:gYearMonth, xsd:date, xsd:dateTime), read as the days
each covers.

Every view that orders, draws or shows a date reads it here, so that none of them meets a datatype
the others know and it does not: "2015"^^xsd:gYear ("seit 2015") is the whole of 2015, "2015-09" all
of September. A time zone is kept, not converted: the source's day is the day shown.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from rit_graph.rdf.namespaces import XSD

#: The datatypes a date may have, coarsest first, each with how precisely it dates (the last part it writes).
PRECISION = {XSD + "gYear": "year", XSD + "gYearMonth": "month", XSD + "date": "day", XSD + "dateTime": "time"}

#: The lexical forms the shapes accept (shapes/rit-shapes.ttl, the forms of a date _:gYear ... _:dateTime):
#: a year of four digits from 1000, as in every source; a time with seconds; an optional time zone.
_LEXICAL = re.compile(
    r"(?P<year>[1-9][0-9]{3})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?))?)?)?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?"
)


@dataclass(frozen=True)
class Interval:
    """The days a date covers, first to last, and how precisely it was written."""

    first: date
    last: date
    #: "year", "month", "day" or "time" (an xsd:dateTime: a day with a time of day).
    precision: str
    #: The time of day of an xsd:dateTime ("10:00:00", "10:00:00.5"), else None.
    time: str | None = None
    #: The time zone ("Z" for UTC, "+09:00"), if any.
    zone: str | None = None


def interval(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Interval | None:
    """The days TERM covers, or None if it is not a date in a datatype and form the shapes accept
    (the data was not validated, or a view met some other term)."""
    precision = PRECISION.get(term.datatype.value) if isinstance(term, ox.Literal) else None
    found = _LEXICAL.fullmatch(term.value) if precision else None
    # The last part written must be the one the datatype ends with: not "2015-09"^^xsd:gYear.
    if found is None or [part for part in PRECISION.values() if found[part]][-1] != precision:
        return None
    year = int(found["year"])
    try:
        if precision == "year":
            first, last = date(year, 1, 1), date(year, 12, 31)
        elif precision == "month":
            month = int(found["month"])
            first = date(year, month, 1)
            last = first.replace(day=calendar.monthrange(year, month)[1])
        else:
            first = last = date(year, int(found["month"]), int(found["day"]))
    except ValueError:
        return None  # month 13, 31 April
    # In canonical form, as a store keeps the literal, so that every view writes the same date alike.
    time = found["time"].rstrip("0").rstrip(".") if found["time"] and "." in found["time"] else found["time"]
    zone = "Z" if found["zone"] in ("+00:00", "-00:00") else found["zone"]
    return Interval(first, last, precision, time, zone)
