"""Work spread over forked processes that find their input in the parent's memory.

Pickling a million pyoxigraph terms to send them to a worker costs more than
the work; a forked worker has them already. Only what the work gives goes
back, so it should be small or bytes (N-Triples, rendered text).

The workers are a ProcessPoolExecutor's: one killed (by the kernel when
memory runs out, say) fails the run with WorkerKilled, where a
multiprocessing.Pool would wait for it for ever. Each worker has no network
(``sandbox``) and the default signal handlers: forked from ``rit-graph
serve``, it would otherwise keep the server's SIGTERM handler and outlive
its pool.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from rit_graph.errors import WorkerKilled
from rit_graph.runtime import sandbox

T = TypeVar("T")

#: What the workers of the running ``forked_map`` call; set only while it runs.
_WORK: Callable[[int], Any] | None = None


#: The parent's work that the next ``forked_map`` does while its workers work (``meanwhile``): each a function
#: that does it once (``functools.cache``), however often it is called.
_PENDING: list[Callable[[], Any]] = []


@contextlib.contextmanager
def meanwhile(work: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """Do WORK in this process while the workers of the block's first ``forked_map`` work, on the core they
    leave idle at times, rather than on one core of its own before or after them; yields what gives its
    result (doing it then if no workers were forked, as for a small project or when all was cached)."""
    pending = functools.cache(work)
    _PENDING.append(pending)
    try:
        yield pending
    finally:
        with contextlib.suppress(ValueError):
            _PENDING.remove(pending)


def forked_map(
    work: Callable[[int], T], indices: Sequence[int], workers: int, task: str, isolated: bool = False
) -> Iterator[T]:
    """WORK(i) for each of INDICES, in order: on up to WORKERS forked processes if WORKERS is more
    than one or the work must be ISOLATED (run without network, whatever it is), otherwise here.
    An exception in a worker is raised here; a worker killed raises WorkerKilled, whose message
    names TASK ("validating partitions", say)."""
    if not indices or (workers <= 1 and not isolated):
        yield from map(work, indices)
        return
    global _WORK
    _WORK = work
    # The workers share the parent's objects page by page until one writes to a page. A garbage collection
    # in a worker would write to every object it walks, copying the whole heap into each worker: frozen,
    # the objects that exist now are never walked (the parent's included, until the pool is done).
    try:
        with (
            frozen(),
            ProcessPoolExecutor(
                max(1, min(workers, len(indices))), mp_context=multiprocessing.get_context("fork"), initializer=_started
            ) as pool,
        ):
            results = pool.map(_call, indices)  # every worker forked, every index handed over
            while _PENDING:
                _PENDING.pop(0)()
            yield from results
    except BrokenProcessPool as e:
        raise WorkerKilled(
            f"a worker process was killed (out of memory?) while {task}; run again on a machine with more free memory"
        ) from e
    finally:
        _WORK = None


#: A worker's collections of young objects: one per 10,000 new objects rather than Python's 700. A worker
#: renders pages or triples, making millions of objects that refcounting frees and few cycles; at 700 the
#: collector ran a tenth of its time (at 100k triples, 0.9 of 8.2 CPU-seconds of rendering the site).
WORKER_GC_THRESHOLDS = (10_000, 10, 10)


#: How many ``frozen`` blocks are running: the heap is unfrozen when the outermost ends.
_FREEZES = 0


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """The objects that exist now left out of every garbage collection while the block runs (see
    ``gc.freeze``): a collection of the oldest generation walks every object, a third of a second at 100k
    triples, and a block that makes many small objects (the site's thirty thousand entries, say) triggers
    one. Blocks nest; the heap is unfrozen when the outermost ends."""
    global _FREEZES
    gc.freeze()
    _FREEZES += 1
    try:
        yield
    finally:
        _FREEZES -= 1
        if not _FREEZES:
            gc.unfreeze()


def _started() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sandbox.forbid_network()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _call(i: int) -> Any:
    assert _WORK is not None
    return _WORK(i)
