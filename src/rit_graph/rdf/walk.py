"""One way to follow links through triples, for every description made by following them."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import pyoxigraph as ox

N = TypeVar("N", bound=Hashable)


def walk(start: Iterable[N], step: Callable[[N], Iterable[tuple[ox.Triple, N | None]]]) -> list[ox.Triple]:
    """The triples met walking from the nodes of START, depth first, each node once.

    STEP gives a node's triples, each with the node it leads on to, or None:
    what it follows (blank nodes only, every IRI, links into reference data)
    is what makes the description (a concise bounded description, a markup
    block's tree, the reference data a unit reaches).
    """
    seen: set[N] = set()
    todo = list(start)[::-1]
    found: list[ox.Triple] = []
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple, onward in step(node):
            found.append(triple)
            if onward is not None:
                todo.append(onward)
    return found
