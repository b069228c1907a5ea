"""Triples as N-Triples lines: what cache keys are made of, and the one order triples are written in."""

from __future__ import annotations

import pyoxigraph as ox


def ntriples(triples: list[ox.Triple]) -> bytes:
    """TRIPLES as N-Triples bytes, in their order: the bytes a key is made of."""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def read_ntriples(data: bytes) -> list[ox.Triple]:
    """The triples of N-Triples DATA, in their order."""
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def triple_order(t: ox.Triple) -> str:
    """The one order triples are written in: that of their N-Triples lines, as ``sort`` puts them."""
    return str(t)
