"""Worker processes that check and answer the server's queries, each stopped at its time and memory limit,
shared fairly.

Workers are forked after the store is loaded, so they share an in-memory
store copy-on-write and start in milliseconds; they are forked by the pool's
fork server (``forkserver``), a process without threads forked when the pool
is created, never by the server once it has threads. A store on disk is given
as a function that opens it instead: each worker opens its own read-only
handle after the fork, since a RocksDB handle must not cross a fork. Each
worker has no network and a memory limit (``sandbox``). A worker past its
time is killed, one past its memory dies, and either is replaced, taking its
query's memory with it while the other workers go on. Which query a free
worker takes is ``turns``'s to say.

The event loop talks to the workers over non-blocking socket pairs
(``worker``). So create and use a pool in the event loop that serves the
requests, and create it before the process starts any thread.
"""

from __future__ import annotations

import asyncio
import collections
import signal
from typing import Any, TypeVar

from rit_graph.query.forkserver import ForkServer
from rit_graph.query.querycheck import CheckedQuery, QueryError, QueryTimeout
from rit_graph.query.sparql import Answer, Limits, Request
from rit_graph.query.turns import Busy, Job, Lane, Turns
from rit_graph.query.worker import Source, TooMuchMemory, Worker, checked_query, fields

__all__ = ["Busy", "QueryPool"]

#: Seconds rdflib may take to parse a text that may hold SERVICE: 2,000 triple patterns or 5,000
#: operators take under 3; a text that takes longer is refused, and that is remembered.
CHECK_SECONDS = 5.0


class QueryPool:
    """The server's query workers; STORE None gives workers that only check queries (for an external store)."""

    def __init__(self, store: Source, limits: Limits) -> None:
        # Imported here, before the fork, so that each worker has the parser without paying for it.
        import rdflib.plugins.sparql.parser  # noqa: F401

        self._limits = limits
        self._loop = asyncio.get_running_loop()
        self._idle: collections.deque[Worker] = collections.deque()
        self._all: set[Worker] = set()
        #: Workers asked of the fork server and not yet started.
        self._starting = 0
        self._closed = False
        self._turns = Turns(limits, self._loop.time)
        self._forks = ForkServer(store, limits.max_query_memory, self._started, self._not_started)
        self._top_up()

    async def run(self, request: Request, client: str) -> Answer:
        """Answer REQUEST (its query closed) in a worker; the event loop serves other requests meanwhile."""
        text = request.query.text
        message = (
            "run",
            fields(request.query),
            (
                request.format_name,
                request.default_graphs,
                request.named_graphs,
                request.base_iri,
                request.max_result_bytes,
            ),
        )
        lane = self._turns.lane(text, client)
        try:
            outcome, seconds = await self._call(message, client, lane, "the query", self._limits.timeout)
        finally:
            self._turns.done(client, lane)
        self._turns.took(text, seconds)
        if isinstance(outcome, QueryError):
            raise outcome
        return Answer(*outcome)

    async def prove_closed(self, query: CheckedQuery, client: str) -> CheckedQuery:
        """QUERY once a worker's parse shows no SERVICE (``querycheck.prove_closed``), under the query limits."""
        message = ("check", fields(query), ())
        outcome, _ = await self._call(
            message, client, "slow", "checking the query", min(self._limits.timeout, CHECK_SECONDS)
        )
        if isinstance(outcome, QueryError):
            raise outcome
        return checked_query(outcome)

    async def _call(
        self, message: tuple[Any, ...], client: str, lane: Lane, what: str, seconds: float
    ) -> tuple[Any, float]:
        """The worker's reply to MESSAGE within SECONDS and the time it took, the wait for the worker left out."""
        worker = await self._acquire(client, lane)
        started = self._loop.time()
        #: What the client is charged: the time taken, or the whole limit for a worker that had to be stopped.
        charged = None
        try:
            reply = await _within(seconds, await worker.ask(message))
            return reply, self._loop.time() - started
        except TimeoutError:
            charged = seconds
            worker = self._replace(worker)
            raise QueryTimeout(
                f"{what} was stopped after the time limit of {seconds:g} s; "
                "narrow it (fewer joins, LIMIT) or ask the operator for a longer --timeout"
            ) from None
        except (EOFError, OSError) as e:
            charged, ended = seconds, worker
            worker = self._replace(worker)
            raise self._ended(await ended.exited) from e
        except BaseException:
            # Cancelled (the client left) while the worker works: its answer would go to the next request.
            worker = self._replace(worker)
            raise
        finally:
            self._turns.charge(client, self._loop.time() - started if charged is None else charged)
            self._release(worker, client, lane)

    def _ended(self, exitcode: int | None) -> QueryError:
        if exitcode in (-signal.SIGABRT, -signal.SIGKILL):
            return TooMuchMemory(self._limits.max_query_memory)
        return QueryError(
            "the query worker ended on this query (the engine cannot evaluate it: most often an expression or "
            f"group nested or chained thousands deep; exit {exitcode}); simplify it"
        )

    async def _acquire(self, client: str, lane: Lane) -> Worker:
        """A worker for CLIENT's job, now if one is free for it, else in turn; Busy past the limits."""
        job = Job(self._loop.create_future(), client, lane)
        self._turns.join(job)
        self._top_up()
        self._dispatch()
        try:
            # Long enough for the query running ahead of it to end at its own time limit.
            return await _within(2 * self._limits.timeout, job.handed)
        except TimeoutError:
            raise Busy(
                f"all query workers stayed busy for {2 * self._limits.timeout:g} s; try again later",
                self._limits.timeout,
            ) from None
        except asyncio.CancelledError:
            if job.handed.done() and not job.handed.cancelled():
                self._release(job.handed.result(), client, lane)
            raise
        finally:
            if not job.started:
                job.handed.cancel()
                self._turns.leave(job)

    def _dispatch(self) -> None:
        """Hand idle workers to the jobs whose turn it is."""
        while self._idle:
            job = self._turns.next_job()
            if job is None:
                return
            job.handed.set_result(self._idle.popleft())

    def _release(self, worker: Worker, client: str, lane: Lane) -> None:
        self._turns.finished(client, lane)
        if worker in self._all:
            self._idle.append(worker)
        self._top_up()
        self._dispatch()

    def _replace(self, worker: Worker) -> Worker:
        """Stop WORKER and ask for its successor; WORKER, to be released."""
        self._forks.stop(worker)
        self._all.discard(worker)
        self._top_up()
        return worker

    def _top_up(self) -> None:
        """Ask for workers up to their number; one that cannot be asked for now (no file descriptor left,
        say) is asked for at a later release or query instead of failing the request that found it missing."""
        while not self._closed and len(self._all) + self._starting < self._limits.workers:
            try:
                self._forks.fork()
            except OSError:
                return
            self._starting += 1

    def _started(self, worker: Worker) -> None:
        self._starting -= 1
        self._all.add(worker)
        self._idle.append(worker)
        self._dispatch()

    def _not_started(self) -> None:
        """The fork server could not start a worker: the next release or query asks again."""
        self._starting -= 1

    def worker_pids(self) -> list[int]:
        return sorted(w.pid for w in self._all)

    def close(self) -> None:
        """Stop the workers and the fork server; all have ended when this returns."""
        self._closed = True
        for worker in list(self._all):
            self._forks.stop(worker)
        self._all.clear()
        self._idle.clear()
        self._forks.close()


T = TypeVar("T")


async def _within(seconds: float, future: asyncio.Future[T]) -> T:
    """FUTURE's result, or TimeoutError after SECONDS: a plain timer, cheaper than asyncio.timeout per request."""
    timer = asyncio.get_running_loop().call_later(seconds, _expire, future)
    try:
        return await future
    finally:
        timer.cancel()


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())
