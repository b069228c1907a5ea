"""A query worker: the process that checks and answers a pool's queries, and the pool's end of its channel.

Each worker talks to the pool over a Unix socket pair, one message at a time:
its length as 8 bytes, then a pickle of plain values (they pickle in a tenth
of the time the dataclasses take). The event loop reads the pool's end
whenever data comes (``Worker``): the hop through a thread and a blocking
pipe took a quarter of the server process's CPU time per cheap query
(benchmarks/RESULTS.md). The worker reads its end blocking (``serve``).
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import pyoxigraph as ox

from rit_graph.query.querycheck import CheckedQuery, Form, QueryError, prove_closed
from rit_graph.query.sparql import Request, execute
from rit_graph.runtime import sandbox

#: What a worker is given to query: a store shared copy-on-write, a function that opens one, or None to only check.
Source = ox.Store | Callable[[], ox.Store] | None


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


#: Each message between the pool and a worker: its length as 8 bytes, then a pickle.
_LENGTH = struct.Struct("!Q")
#: Bytes the pool reads from a worker at a time.
_CHUNK = 1 << 18


def message(value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


def fields(query: CheckedQuery) -> tuple[str, str, bool, bool, bool]:
    """QUERY as plain values: they pickle in a tenth of the time the dataclass takes."""
    return query.text, query.form.value, query.has_dataset, query.deterministic, query.closed


def checked_query(values: tuple[str, str, bool, bool, bool]) -> CheckedQuery:
    text, form, has_dataset, deterministic, closed = values
    return CheckedQuery(text, Form(form), has_dataset, deterministic, closed)


class Worker:
    """A worker process and the pool's end of its socket pair, read by the event loop whenever data comes.

    EXITED gets the process's exit code once it has ended (minus the signal
    that ended it; None if that cannot be known): whoever forked it reports it.
    """

    def __init__(self, pid: int, channel: socket.socket, loop: asyncio.AbstractEventLoop) -> None:
        self.pid = pid
        self.channel = channel
        self.exited: asyncio.Future[int | None] = loop.create_future()
        self._loop = loop
        self._received = bytearray()
        self._answer: asyncio.Future[Any] | None = None
        self._ended = False
        channel.setblocking(False)
        loop.add_reader(channel.fileno(), self._read)

    async def ask(self, request: tuple[Any, ...]) -> asyncio.Future[Any]:
        """Send REQUEST; the future of the worker's answer, failed with EOFError if the worker ends first."""
        answer = self._answer = self._loop.create_future()
        if self._ended:
            answer.set_exception(EOFError("the worker had ended"))
            return answer
        await self._loop.sock_sendall(self.channel, message(request))
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
        received, self._received = self._received, bytearray()
        outcome = pickle.loads(memoryview(received)[_LENGTH.size : end])
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(outcome)

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._loop.remove_reader(self.channel.fileno())
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(EOFError("the worker closed its connection"))

    def close(self) -> None:
        """Stop reading and close the channel; the process is killed by whoever forked it."""
        self._end()
        self.channel.close()


def serve(source: Source, channel: socket.socket, parent: int, max_memory: int) -> None:
    """A worker's life, in the process PARENT forked: answer requests until the pool closes its end of CHANNEL."""
    sandbox.end_with(parent)
    sandbox.close_inherited_sockets(keep=channel.fileno())
    sandbox.forbid_network()
    store = source() if callable(source) else source
    # pyoxigraph draws RAND, UUID and blank nodes from a generator per thread, and a forked worker's
    # main thread has its parent's: every worker would draw the same numbers. A new thread seeds anew.
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
                    reply: object = fields(prove_closed(checked_query(query)))
                else:
                    assert store is not None, "a pool without a store only checks"
                    answer = execute(store, Request(checked_query(query), *options))
                    reply = (answer.media_type, answer.body)
            except QueryError as e:
                reply = e
            except MemoryError:
                reply = TooMuchMemory(max_memory)
            channel.sendall(message(reply))


def _requests(incoming: BinaryIO) -> Iterator[tuple[str, Any, Any]]:
    """The messages read from INCOMING (blocking) until the pool closes it."""
    while header := incoming.read(_LENGTH.size):
        yield pickle.loads(incoming.read(_LENGTH.unpack(header)[0]))
