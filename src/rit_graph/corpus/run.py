"""What the stages of one run share: the corpus read, the cache, progress reporting and worker processes.

A stage's results (validation reports, the schema.org projection) are
handed on by whoever runs the stages, never kept here; the one exception is
``reach``, which is derived from the corpus alone and which validation and
the projection both follow.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

from rit_graph.corpus.load import Corpus
from rit_graph.corpus.partition import Reach
from rit_graph.errors import RitGraphError
from rit_graph.runtime.cache import Cache
from rit_graph.runtime.progress import Progress

#: The number of worker processes a run uses unless told otherwise (``--jobs``).
JOBS_VARIABLE = "RIT_GRAPH_JOBS"


def default_workers() -> int:
    """$RIT_GRAPH_JOBS if set, otherwise one per CPU this process may run on: in a container limited
    to some CPUs, those, not the host's."""
    value = os.environ.get(JOBS_VARIABLE, "").strip()
    if not value:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise RitGraphError(
            f"{JOBS_VARIABLE}={value!r}: set it to a number of worker processes, 1 or more, or unset it"
        )
    return int(value)


@dataclass(frozen=True)
class Run:
    corpus: Corpus
    #: Where values computed before are kept; the default keeps nothing.
    cache: Cache = field(default_factory=lambda: Cache(None))
    progress: Progress = field(default_factory=Progress)
    #: Worker processes for work spread over the units (``default_workers``).
    workers: int = field(default_factory=default_workers)

    @functools.cached_property
    def reach(self) -> Reach:
        """The reference data, for following links into it; worked out once per run."""
        return Reach.of(self.corpus)
