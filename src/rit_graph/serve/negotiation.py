"""Content negotiation, one way for every route: media types by Accept, languages by Accept-Language.

The SPARQL endpoint, the pages and the resource IRIs used to parse these
headers three ways, and disagreed: ``text/csv;q=abc`` was q=1 at /sparql and
q=0 on pages, ``text/*`` counted on pages only, q above 1 passed everywhere.
Here an item whose q is not an RFC 9110 qvalue (0 to 1, three decimals at
most) is ignored, q=0 refuses, and the most specific matching range rates a
media type (``text/csv`` before ``text/*`` before ``*/*``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_QVALUE = re.compile(r"0(?:\.\d{0,3})?|1(?:\.0{0,3})?")


def preferences(header: str | None) -> list[tuple[str, float]]:
    """The items of an Accept or Accept-Language HEADER, lower case, with their qualities, in order."""
    items = []
    for item in (header or "").split(","):
        value, *params = (part.strip() for part in item.split(";"))
        quality: float | None = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                number = number.strip()
                quality = float(number) if _QVALUE.fullmatch(number) else None
        if value and quality is not None:
            items.append((value.lower(), quality))
    return items


def quality(header: str | None, media_types: Sequence[str]) -> float:
    """The quality an Accept HEADER gives the best of MEDIA_TYPES, each rated by its most specific matching range.

    The first of MEDIA_TYPES is the one the answer is served as; the others
    are aliases (``text/xml`` for SPARQL XML results), matched by name only,
    so that ``text/*`` does not bring an answer of another type. No header (or
    an empty one) accepts anything.
    """
    ranges = preferences(header) or [("*/*", 1.0)]
    best = 0.0
    for position, media_type in enumerate(media_types):
        kind = media_type.split("/")[0]
        matching = (media_type, kind + "/*", "*/*") if position == 0 else (media_type,)
        matches = [(3 if r == media_type else 2 if r == kind + "/*" else 1, q) for r, q in ranges if r in matching]
        if matches:
            best = max(best, max(matches)[1])
    return best


def negotiate(header: str | None, offers: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The name of the offer an Accept HEADER rates highest (ties go to the earlier offer), or None if it
    accepts none."""
    rated = [(quality(header, types), -i, name) for i, (name, types) in enumerate(offers)]
    best, _, name = max(rated)
    return name if best > 0 else None


def language(header: str | None, languages: Sequence[str], fallback: str) -> str:
    """The best-rated of LANGUAGES in an Accept-Language HEADER (by primary subtag), else FALLBACK."""
    ranked = [
        (-q, position, tag.split("-")[0])
        for position, (tag, q) in enumerate(preferences(header))
        if q > 0 and tag.split("-")[0] in languages
    ]
    return min(ranked)[2] if ranked else fallback
