"""Worker processes that check and answer the server's queries, each stopped at its time and memory limit,
shared fairly.

Workers are forked after the store is loaded, so they share an in-memory
store copy-on-write and start in milliseconds. A store on disk is given as a
function that opens it instead: each worker opens its own read-only handle
after the fork, since a RocksDB handle must not cross a fork. Each worker
has no network and a memory limit (``sandbox``). A worker past its time is
killed, one past its memory dies, and either is replaced, taking its query's
memory with it while the other workers go on.

Sharing, by lane (``_lane``): one worker is kept for queries that finished
quickly before (their text is remembered), and with four workers or more one
more for the queries of clients that used the workers little lately, one at a
time each, so that a flood of expensive or unknown queries cannot make cheap
ones, or a newcomer, wait. The other workers take the other queries, one per
client address at a time, the client that used the workers least lately
first. Queues are bounded per client and in all; past
them a request gets 503 with Retry-After.

The event loop itself talks to the workers over non-blocking socket pairs:
the hop through a thread and a blocking pipe took a quarter of the server
process's CPU time per cheap query (benchmarks/RESULTS.md). So create and use
a pool in the event loop that serves the requests.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import math
import multiprocessing
import os
import pickle
import signal
import socket
import stat
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal, TypeVar

import pyoxigraph as ox

from rit_graph.query.querycheck import CheckedQuery, Form, QueryError, QueryTimeout, prove_closed
from rit_graph.query.sparql import Answer, Limits, Request, execute
from rit_graph.runtime import sandbox

#: A query that finished within this many seconds is quick: its text may use the kept worker next time.
QUICK_SECONDS = 0.5
#: How many quick texts are remembered, oldest dropped first.
QUICK_TEXTS = 4096
#: Queries not known to be quick that one client address may have running at once.
SLOW_PER_CLIENT = 1
#: Seconds rdflib may take to parse a text that may hold SERVICE: 2,000 triple patterns or 5,000
#: operators take under 3; a text that takes longer is refused, and that is remembered.
CHECK_SECONDS = 5.0
#: How a query goes to a worker (QueryPool._lane).
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


class TooMuchMemory(QueryError):
    status = 503

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            f"the query needed more memory than the limit of {max_bytes // 2**20} MiB a worker has for one "
            "query; narrow it (fewer joins, no ORDER BY over everything, LIMIT)"
        )
        self.max_bytes = max_bytes

    def __reduce__(self) -> tuple[type[TooMuchMemory], tuple[int]]:
        return TooMuchMemory, (self.max_bytes,)


class QueryPool:
    """The server's query workers; STORE None gives workers that only check queries (for an external store)."""

    def __init__(self, store: ox.Store | Callable[[], ox.Store] | None, limits: Limits) -> None:
        # Imported here, before the fork, so that each worker has the parser without paying for it.
        import rdflib.plugins.sparql.parser  # noqa: F401

        self._store = store
        self._limits = limits
        self._context = multiprocessing.get_context("fork")
        self._loop = asyncio.get_running_loop()
        self._idle: collections.deque[_Worker] = collections.deque()
        self._all: set[_Worker] = set()
        self._closed = False
        self._quick: dict[str, None] = {}
        #: Jobs waiting for a worker: quick ones, then light ones, first come first served; the others by client.
        self._quick_waiting: collections.deque[_Job] = collections.deque()
        self._light_waiting: collections.deque[_Job] = collections.deque()
        self._light_running = 0
        self._slow_waiting: dict[str, collections.deque[_Job]] = {}
        self._slow_running: collections.Counter[str] = collections.Counter()
        #: By client: worker seconds used lately and when they were last counted.
        self._usage: dict[str, tuple[float, float]] = {}
        #: Clients with a query going as a quick one because they used the workers little (LIGHT_SECONDS).
        self._light: set[str] = set()
        self._waiting = 0
        self._top_up()

    @property
    def _light_capacity(self) -> int:
        """Workers for light clients' queries: one, where there are four workers or more."""
        return 1 if self._limits.workers >= 4 else 0

    @property
    def _slow_capacity(self) -> int:
        """Workers for the other queries: all but one kept for quick ones and the light clients'."""
        return max(1, self._limits.workers - 1 - self._light_capacity)

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        process = self._context.Process(
            target=_serve, args=(self._store, theirs, os.getpid(), self._limits.max_query_memory), daemon=True
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours, self._loop)
        self._all.add(worker)
        return worker

    async def run(self, request: Request, client: str) -> Answer:
        """Answer REQUEST (its query closed) in a worker; the event loop serves other requests meanwhile."""
        text = request.query.text
        fields = (
            "run",
            _fields(request.query),
            (
                request.format_name,
                request.default_graphs,
                request.named_graphs,
                request.base_iri,
                request.max_result_bytes,
            ),
        )
        lane = self._lane(text, client)
        if lane == "light":
            self._light.add(client)
        try:
            outcome, seconds = await self._call(fields, client, lane, "the query", self._limits.timeout)
        finally:
            if lane == "light":
                self._light.discard(client)
        if seconds <= QUICK_SECONDS:
            self._note_quick(text)
        if isinstance(outcome, QueryError):
            raise outcome
        return Answer(*outcome)

    async def prove_closed(self, query: CheckedQuery, client: str) -> CheckedQuery:
        """QUERY once a worker's parse shows no SERVICE (``querycheck.prove_closed``), under the query limits."""
        fields = ("check", _fields(query), ())
        outcome, _ = await self._call(
            fields, client, "slow", "checking the query", min(self._limits.timeout, CHECK_SECONDS)
        )
        if isinstance(outcome, QueryError):
            raise outcome
        return _query(outcome)

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
            raise self._ended(ended.process.exitcode) from e
        except BaseException:
            # Cancelled (the client left) while the worker works: its answer would go to the next request.
            worker = self._replace(worker)
            raise
        finally:
            self._charge(client, self._loop.time() - started if charged is None else charged)
            self._release(worker, client, lane)

    def _ended(self, exitcode: int | None) -> QueryError:
        if exitcode in (-signal.SIGABRT, -signal.SIGKILL):
            return TooMuchMemory(self._limits.max_query_memory)
        return QueryError(
            "the query worker ended on this query (the engine cannot evaluate it: most often an expression or "
            f"group nested or chained thousands deep; exit {exitcode}); simplify it"
        )

    # --- sharing the workers -------------------------------------------------------------------

    def _lane(self, text: str, client: str) -> Lane:
        """How a query goes: quick if its text finished quickly before; light, one at a time, if its
        client used the workers little lately; slow otherwise."""
        if text in self._quick:
            return "quick"
        if self._light_capacity and client not in self._light and self._usage_of(client) < LIGHT_SECONDS:
            return "light"
        return "slow"

    async def _acquire(self, client: str, lane: Lane) -> _Worker:
        """A worker for CLIENT's job, now if one is free for it, else in turn; Busy past the limits."""
        job = _Job(self._loop.create_future(), client, lane)
        waiting_here = len(self._slow_waiting.get(client, ()))
        if self._waiting >= self._limits.max_waiting or waiting_here >= self._limits.max_waiting_per_client:
            raise Busy(
                "too many queries are waiting for a worker"
                + (" from your address" if waiting_here >= self._limits.max_waiting_per_client else "")
                + "; try again later",
                self._limits.timeout,
            )
        if lane == "slow":
            self._slow_waiting.setdefault(client, collections.deque()).append(job)
        else:
            (self._quick_waiting if lane == "quick" else self._light_waiting).append(job)
        self._waiting += 1
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
                self._waiting -= 1
                queue = {"quick": self._quick_waiting, "light": self._light_waiting}.get(lane)
                queue = self._slow_waiting.get(client, collections.deque()) if queue is None else queue
                if job in queue:
                    queue.remove(job)

    def _dispatch(self) -> None:
        """Hand idle workers to the jobs whose turn it is."""
        while self._idle:
            job = self._next_job()
            if job is None:
                return
            job.started = True
            self._waiting -= 1
            if job.lane == "slow":
                self._slow_running[job.client] += 1
            elif job.lane == "light":
                self._light_running += 1
            job.handed.set_result(self._idle.popleft())

    def _next_job(self) -> _Job | None:
        # A job whose wait just timed out is done but not yet out of its queue.
        # Light jobs first, within their capacity: quick ones always keep the worker the capacities
        # of the light and slow lanes leave them, and the cheap clients' flood cannot starve a newcomer.
        if self._light_running < self._light_capacity:
            waiting = [job for job in self._light_waiting if not job.handed.done()]
            if waiting:
                job = min(waiting, key=lambda j: self._usage_of(j.client))  # the lightest, not the first
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
        client = min(ready, key=self._usage_of)
        queue = self._slow_waiting[client]
        job = queue.popleft()
        if not queue:
            del self._slow_waiting[client]
        return job

    def _usage_of(self, client: str) -> float:
        """Worker seconds CLIENT used lately, halved every USAGE_HALF_LIFE seconds."""
        used, when = self._usage.get(client, (0.0, 0.0))
        return float(used * 0.5 ** ((self._loop.time() - when) / USAGE_HALF_LIFE))

    def _charge(self, client: str, seconds: float) -> None:
        self._usage[client] = (self._usage_of(client) + seconds, self._loop.time())
        if len(self._usage) > USAGE_CLIENTS:
            self._usage = dict(sorted(self._usage.items(), key=lambda item: -item[1][1])[: USAGE_CLIENTS // 2])

    def _release(self, worker: _Worker, client: str, lane: Lane) -> None:
        if lane == "slow":
            self._slow_running[client] -= 1
            if self._slow_running[client] <= 0:
                del self._slow_running[client]
        elif lane == "light":
            self._light_running -= 1
        if worker in self._all:
            self._idle.append(worker)
        self._top_up()
        self._dispatch()

    def _note_quick(self, text: str) -> None:
        self._quick.pop(text, None)
        self._quick[text] = None
        while len(self._quick) > QUICK_TEXTS:
            self._quick.pop(next(iter(self._quick)))

    def _replace(self, worker: _Worker) -> _Worker:
        """Stop WORKER and start its successor among the idle ones; WORKER, to be released."""
        worker.stop()
        self._all.discard(worker)
        self._top_up()
        return worker

    def _top_up(self) -> None:
        """Start workers up to their number; one that cannot start now (no file descriptor left, say)
        is started at a later release instead of failing the request that found it missing."""
        while not self._closed and len(self._all) < self._limits.workers:
            try:
                self._idle.append(self._start())
            except OSError:
                return

    def worker_pids(self) -> list[int]:
        return sorted(w.process.pid or 0 for w in self._all)

    def close(self) -> None:
        self._closed = True
        for worker in list(self._all):
            worker.stop()
        self._all.clear()


@dataclass(eq=False)
class _Job:
    handed: asyncio.Future[_Worker]
    client: str
    lane: Lane
    started: bool = False


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


#: Each message between the server and a worker: its length as 8 bytes, then a pickle.
_LENGTH = struct.Struct("!Q")
#: Bytes the server reads from a worker at a time.
_CHUNK = 1 << 18


def _message(value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


def _fields(query: CheckedQuery) -> tuple[str, str, bool, bool, bool]:
    """QUERY as plain values: they pickle in a tenth of the time the dataclass takes."""
    return query.text, query.form.value, query.has_dataset, query.deterministic, query.closed


def _query(fields: tuple[str, str, bool, bool, bool]) -> CheckedQuery:
    text, form, has_dataset, deterministic, closed = fields
    return CheckedQuery(text, Form(form), has_dataset, deterministic, closed)


class _Worker:
    """A worker process and the server's end of its socket pair, read by the event loop whenever data comes."""

    def __init__(
        self, process: multiprocessing.process.BaseProcess, channel: socket.socket, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.process = process
        self.channel = channel
        self._loop = loop
        self._received = bytearray()
        self._answer: asyncio.Future[Any] | None = None
        self._ended = False
        channel.setblocking(False)
        loop.add_reader(channel.fileno(), self._read)

    async def ask(self, message: tuple[Any, ...]) -> asyncio.Future[Any]:
        """Send MESSAGE; the future of the worker's answer, failed with EOFError if the worker ends first.

        Plain tuples pickle in a tenth of the time the dataclasses take.
        """
        answer = self._answer = self._loop.create_future()
        if self._ended:
            answer.set_exception(EOFError("the worker had ended"))
            return answer
        await self._loop.sock_sendall(self.channel, _message(message))
        return answer

    def _read(self) -> None:
        try:
            data = self.channel.recv(_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._end()
            return
        self._received += data
        if len(self._received) < _LENGTH.size:
            return
        end = _LENGTH.size + _LENGTH.unpack_from(self._received)[0]
        if len(self._received) < end:
            return
        message, self._received = self._received, bytearray()
        outcome = pickle.loads(memoryview(message)[_LENGTH.size : end])
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(outcome)

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._loop.remove_reader(self.channel.fileno())
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(EOFError("the worker closed its connection"))

    def stop(self) -> None:
        self._end()
        self.process.kill()
        self.process.join()
        self.channel.close()


def _serve(
    source: ox.Store | Callable[[], ox.Store] | None, channel: socket.socket, server: int, max_memory: int
) -> None:
    """A worker's loop: answer requests until the pool closes its end of the socket pair."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with(server)
    _close_inherited_sockets(keep=channel.fileno())
    sandbox.forbid_network()
    store = source() if callable(source) else source
    # pyoxigraph draws RAND, UUID and blank nodes from a generator per thread, and a forked worker's
    # main thread has the server's: every worker would draw the same numbers. A new thread seeds anew.
    threading.stack_size(_WORKER_STACK_BYTES)
    thread = threading.Thread(target=_answer, args=(store, channel, max_memory), name="rit-graph query worker")
    sandbox.limit_memory(max_memory)
    thread.start()
    thread.join()


#: The stack of the thread that evaluates queries; deeper than a main thread's 8 MiB, for nested queries.
_WORKER_STACK_BYTES = 32 * 1024 * 1024


def _answer(store: ox.Store | None, channel: socket.socket, max_memory: int) -> None:
    """Answer the pool's messages on CHANNEL until the pool closes it."""
    with channel.makefile("rb") as incoming:
        for kind, query, options in _requests(incoming):
            try:
                if kind == "check":
                    checked = prove_closed(_query(query))
                    reply: object = _fields(checked)
                else:
                    assert store is not None, "a pool without a store only checks"
                    answer = execute(store, Request(_query(query), *options))
                    reply = (answer.media_type, answer.body)
            except QueryError as e:
                reply = e
            except MemoryError:
                reply = TooMuchMemory(max_memory)
            channel.sendall(_message(reply))


def _end_with(server: int) -> None:
    """Have Linux kill this worker when SERVER, the process that forked it, dies.

    A server killed with SIGKILL cannot stop its workers, and one in the middle
    of a runaway query would run on, unbounded, with nobody to read its answer.
    The pool forks from the event loop's thread, which lives as long as the
    server (the death signal follows the forking thread). Elsewhere than on
    Linux the workers end when they next find their channel closed.
    """
    prctl = getattr(ctypes.CDLL(None), "prctl", None)
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != server:  # the server died before the request took effect
        os._exit(0)


#: prctl option from <linux/prctl.h>.
_PR_SET_PDEATHSIG = 1


def _close_inherited_sockets(keep: int) -> None:
    """Let go of every socket but KEEP (the worker's channel) that the fork copied from the server.

    A worker forked to replace a killed one gets the server's listening socket
    and its open client connections; holding them, it kept a client that was
    told ``Connection: close`` waiting for an end of the response that never came.
    Each becomes /dev/null rather than a closed number, so that a copied socket
    object closing itself later cannot close a file the worker opened since.
    """
    null = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir("/dev/fd"):
        fd = int(name)
        if fd <= 2 or fd in (keep, null):
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.dup2(null, fd)
        except OSError:
            continue  # the descriptor of the listing itself, already closed
    os.close(null)


def _requests(incoming: BinaryIO) -> Iterator[tuple[str, Any, Any]]:
    """The messages read from INCOMING (blocking) until the server closes it."""
    while header := incoming.read(_LENGTH.size):
        yield pickle.loads(incoming.read(_LENGTH.unpack(header)[0]))
