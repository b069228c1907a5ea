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
from rit_graph.runtime.cache import Cache
from rit_graph.runtime.progress import Progress


@dataclass(frozen=True)
class Run:
    corpus: Corpus
    #: Where values computed before are kept; the default keeps nothing.
    cache: Cache = field(default_factory=lambda: Cache(None))
    progress: Progress = field(default_factory=Progress)
    #: Worker processes for work spread over the units; the default is one per core.
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)

    @functools.cached_property
    def reach(self) -> Reach:
        """The reference data, for following links into it; worked out once per run."""
        return Reach.of(self.corpus)
