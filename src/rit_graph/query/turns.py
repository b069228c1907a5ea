"""Whose query a free worker takes next: the query pool's queues, by lane and by client.

Sharing, by lane (``Turns.lane``): one worker is kept for queries that
finished quickly before (their text is remembered), and with four workers or
more one more for the queries of clients that used the workers little
lately, one at a time each, so that a flood of expensive or unknown queries
cannot make cheap ones, or a newcomer, wait. The other workers take the other
queries, one per client address at a time, the client that used the workers
least lately first. Queues are bounded per client and in all; past them a
request gets 503 with Retry-After (``Busy``).
"""

from __future__ import annotations

import asyncio
import collections
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rit_graph.query.querycheck import QueryTimeout
from rit_graph.query.sparql import Limits
from rit_graph.query.worker import Worker

#: A query that finished within this many seconds is quick: its text may use the kept worker next time.
QUICK_SECONDS = 0.5
#: How many quick texts are remembered, oldest dropped first.
QUICK_TEXTS = 4096
#: Queries not known to be quick that one client address may have running at once.
SLOW_PER_CLIENT = 1
#: How a query goes to a worker (Turns.lane).
Lane = Literal["quick", "light", "slow"]
#: Worker seconds used lately (see USAGE_HALF_LIFE) under which a client's query not known to be quick
#: may still take a quick one's way, one at a time: a newcomer, or a person clicking, is answered at
#: once. A client using about a tenth of a worker stays under it; an expensive query puts it over.
LIGHT_SECONDS = 10.0
#: Seconds after which a client's use of the workers counts half, in choosing whose query runs next.
USAGE_HALF_LIFE = 60.0
#: Clients whose use is remembered; the least recent half is forgotten past it.
USAGE_CLIENTS = 10_000


class Busy(QueryTimeout):
    """No worker for the query within its time, or too many queries waiting: try again later."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = math.ceil(retry_after)


@dataclass(eq=False)
class Job:
    """A query waiting for a worker, which HANDED gets."""

    handed: asyncio.Future[Worker]
    client: str
    lane: Lane
    started: bool = False


class Turns:
    """The jobs waiting for a worker, the workers' use by client, and the texts known to be quick."""

    def __init__(self, limits: Limits, clock: Callable[[], float]) -> None:
        self._limits = limits
        self._clock = clock
        self._quick: dict[str, None] = {}
        #: Jobs waiting for a worker: quick ones, then light ones, first come first served; the others by client.
        self._quick_waiting: collections.deque[Job] = collections.deque()
        self._light_waiting: collections.deque[Job] = collections.deque()
        self._light_running = 0
        self._slow_waiting: dict[str, collections.deque[Job]] = {}
        self._slow_running: collections.Counter[str] = collections.Counter()
        #: By client: worker seconds used lately and when they were last counted.
        self._usage: dict[str, tuple[float, float]] = {}
        #: Clients with a query going as a quick one because they used the workers little (LIGHT_SECONDS).
        self._light: set[str] = set()
        self._waiting = 0

    @property
    def _light_capacity(self) -> int:
        """Workers for light clients' queries: one, where there are four workers or more."""
        return 1 if self._limits.workers >= 4 else 0

    @property
    def _slow_capacity(self) -> int:
        """Workers for the other queries: all but one kept for quick ones and the light clients'."""
        return max(1, self._limits.workers - 1 - self._light_capacity)

    def lane(self, text: str, client: str) -> Lane:
        """How a query goes: quick if its text finished quickly before; light, one at a time, if its
        client used the workers little lately; slow otherwise. Say ``done`` when it has gone."""
        if text in self._quick:
            return "quick"
        if self._light_capacity and client not in self._light and self.usage_of(client) < LIGHT_SECONDS:
            self._light.add(client)
            return "light"
        return "slow"

    def done(self, client: str, lane: Lane) -> None:
        if lane == "light":
            self._light.discard(client)

    def took(self, text: str, seconds: float) -> None:
        """A query of TEXT took SECONDS in its worker: remember the text if that was quick."""
        if seconds > QUICK_SECONDS:
            return
        self._quick.pop(text, None)
        self._quick[text] = None
        while len(self._quick) > QUICK_TEXTS:
            self._quick.pop(next(iter(self._quick)))

    def join(self, job: Job) -> None:
        """Put JOB in its queue; Busy past the queues' bounds."""
        waiting_here = len(self._slow_waiting.get(job.client, ()))
        if self._waiting >= self._limits.max_waiting or waiting_here >= self._limits.max_waiting_per_client:
            raise Busy(
                "too many queries are waiting for a worker"
                + (" from your address" if waiting_here >= self._limits.max_waiting_per_client else "")
                + "; try again later",
                self._limits.timeout,
            )
        if job.lane == "slow":
            self._slow_waiting.setdefault(job.client, collections.deque()).append(job)
        else:
            (self._quick_waiting if job.lane == "quick" else self._light_waiting).append(job)
        self._waiting += 1

    def leave(self, job: Job) -> None:
        """Take JOB, which got no worker, out of its queue."""
        self._waiting -= 1
        queue = {"quick": self._quick_waiting, "light": self._light_waiting}.get(job.lane)
        queue = self._slow_waiting.get(job.client, collections.deque()) if queue is None else queue
        if job in queue:
            queue.remove(job)

    def next_job(self) -> Job | None:
        """The job whose turn it is, counted as started; None if none may start now."""
        job = self._next_job()
        if job is not None:
            job.started = True
            self._waiting -= 1
            if job.lane == "slow":
                self._slow_running[job.client] += 1
            elif job.lane == "light":
                self._light_running += 1
        return job

    def _next_job(self) -> Job | None:
        # A job whose wait just timed out is done but not yet out of its queue.
        # Light jobs first, within their capacity: quick ones always keep the worker the capacities
        # of the light and slow lanes leave them, and the cheap clients' flood cannot starve a newcomer.
        if self._light_running < self._light_capacity:
            waiting = [job for job in self._light_waiting if not job.handed.done()]
            if waiting:
                job = min(waiting, key=lambda j: self.usage_of(j.client))  # the lightest, not the first
                self._light_waiting.remove(job)
                return job
        while self._quick_waiting:
            job = self._quick_waiting.popleft()
            if not job.handed.done():
                return job
        if sum(self._slow_running.values()) >= self._slow_capacity:
            return None
        for queue in self._slow_waiting.values():
            while queue and queue[0].handed.done():
                queue.popleft()
        ready = [c for c, queue in self._slow_waiting.items() if self._slow_running[c] < SLOW_PER_CLIENT and queue]
        if not ready:
            return None
        client = min(ready, key=self.usage_of)
        queue = self._slow_waiting[client]
        job = queue.popleft()
        if not queue:
            del self._slow_waiting[client]
        return job

    def finished(self, client: str, lane: Lane) -> None:
        """A job of CLIENT's in LANE gave its worker back."""
        if lane == "slow":
            self._slow_running[client] -= 1
            if self._slow_running[client] <= 0:
                del self._slow_running[client]
        elif lane == "light":
            self._light_running -= 1

    def usage_of(self, client: str) -> float:
        """Worker seconds CLIENT used lately, halved every USAGE_HALF_LIFE seconds."""
        used, when = self._usage.get(client, (0.0, 0.0))
        return float(used * 0.5 ** ((self._clock() - when) / USAGE_HALF_LIFE))

    def charge(self, client: str, seconds: float) -> None:
        self._usage[client] = (self.usage_of(client) + seconds, self._clock())
        if len(self._usage) > USAGE_CLIENTS:
            self._usage = dict(sorted(self._usage.items(), key=lambda item: -item[1][1])[: USAGE_CLIENTS // 2])
