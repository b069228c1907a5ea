"""Work spread over forked processes that find their input in the parent's memory.

Pickling a million pyoxigraph terms to send them to a worker costs more than
the work; a forked worker has them already. Only what the work gives goes
back, so it should be small or bytes (N-Triples, rendered text).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: What the workers of the running ``forked_map`` call; set only while it runs.
_WORK: Callable[[int], Any] | None = None


def forked_map(work: Callable[[int], T], indices: Sequence[int], workers: int) -> Iterator[T]:
    """WORK(i) for each of INDICES, in order: on up to WORKERS forked processes if more than one is
    worth it, otherwise here. An exception in a worker is raised here."""
    if workers <= 1 or len(indices) <= 1:
        yield from map(work, indices)
        return
    global _WORK
    _WORK = work
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(indices))) as pool:
            yield from pool.imap(_call, indices)
    finally:
        _WORK = None


def _call(i: int) -> Any:
    assert _WORK is not None
    return _WORK(i)
