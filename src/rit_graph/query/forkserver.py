"""The fork server: one process without threads that forks every query worker of a pool.

Workers are forked so that they share an in-memory store copy-on-write and
start in milliseconds. Forking the server itself once it serves is unsafe: by
then it has threads (anyio's for sync endpoints, among others), and a child
gets a copy of every lock one of them held, which nobody will release (Python
3.12 warns that "use of fork() may lead to deadlocks"). So the pool forks
this one process when it is created, before the server starts a thread, and
this process, which never starts one, forks each worker the pool asks for,
for the pool's whole life.

The pool asks over a Unix socket of SOCK_SEQPACKET type (a message at a time,
descriptors with it, and an end when the other side is gone); the fork server
forks the worker and sends back the pool's end of the worker's socket pair
(SCM_RIGHTS) with its pid. It reports each worker's exit code. The pool has
a worker killed by asking the fork server, which kills it and waits for its
end before it reads the next request: a killed worker is gone before its
successor is forked, and the pid killed is always the fork server's own
child, never a reaped one's reused number. A worker that ended by itself
stays unreaped until the pool asks the same. When the server dies the fork
server dies, and the workers with it (``sandbox.end_with``); on SIGTERM it
kills and reaps its workers first. It has no network (``sandbox``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import select
import signal
import socket
import struct
import sys
import threading
import traceback
import warnings
from collections.abc import Callable
from typing import NoReturn

from rit_graph.query.worker import Source, Worker, serve
from rit_graph.runtime import sandbox

#: The pool's messages: what (_FORK, _KILL) and the worker's pid.
_REQUEST = struct.Struct("!ci")
_FORK, _KILL = b"F", b"K"
#: The fork server's messages: what (_STARTED, _ENDED, _FAILED), the worker's pid, and its exit code or an errno.
_REPORT = struct.Struct("!cii")
_STARTED, _ENDED, _FAILED = b"S", b"E", b"X"


class ForkServer:
    """A pool's end of its fork server: STARTED gets each worker forked, FAILED is called for one that was not."""

    def __init__(
        self, source: Source, max_memory: int, started: Callable[[Worker], None], failed: Callable[[], None]
    ) -> None:
        """Fork the fork server: do it while this process has one thread. A fork copies every lock as it
        is, and one another thread held stays held in the child for good; the fork server is forked once
        and every worker is a copy of it, so such a lock would be held in each worker for the pool's life."""
        threads = _threads()
        if threads > 1:
            warnings.warn(
                f"the query pool's fork server is forked from a process with {threads} threads: a worker may "
                "inherit a lock another thread held and hang; create the pool before any thread starts",
                RuntimeWarning,
                stacklevel=3,
            )
        self._loop = asyncio.get_running_loop()
        self._started, self._failed = started, failed
        #: Workers forked whose end is not reported yet.
        self._running: dict[int, Worker] = {}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = multiprocessing.get_context("fork").Process(
            target=_serve_forks, args=(theirs, source, os.getpid(), max_memory), name="rit-graph fork server"
        )
        self.process.daemon = True
        self.process.start()
        theirs.close()
        self._control = ours
        ours.setblocking(False)
        self._loop.add_reader(ours.fileno(), self._read)

    def fork(self) -> None:
        """Ask for one more worker; OSError if the fork server cannot be asked now."""
        self._control.send(_REQUEST.pack(_FORK, 0))

    def stop(self, worker: Worker) -> None:
        """Kill WORKER; its exit code comes to ``worker.exited``."""
        worker.close()
        self._kill(worker.pid)

    def _kill(self, pid: int) -> None:
        with contextlib.suppress(OSError):  # the fork server is gone, and its workers with it
            self._control.send(_REQUEST.pack(_KILL, pid))

    def _read(self) -> None:
        try:
            data, fds, flags, _ = socket.recv_fds(self._control, _REPORT.size, 1, socket.MSG_CMSG_CLOEXEC)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, fds, flags = b"", [], 0
        if not data:
            self._gone()
            return
        kind, pid, value = _REPORT.unpack(data)
        if kind == _STARTED and fds and not flags & socket.MSG_CTRUNC:
            worker = self._running[pid] = Worker(pid, socket.socket(fileno=fds[0]), self._loop)
            self._started(worker)
        elif kind == _STARTED:  # its channel did not come: this process has no descriptor left
            for fd in fds:
                os.close(fd)
            self._kill(pid)
            self._failed()
        elif kind == _ENDED:
            ended = self._running.pop(pid, None)
            if ended is not None and not ended.exited.done():
                ended.exited.set_result(value)
        else:
            self._failed()

    def _gone(self) -> None:
        """The fork server ended, and its workers with it: no worker can be started any more."""
        logging.getLogger(__name__).error(
            "the query workers' fork server ended (exit %s): no worker can start until the server restarts",
            self.process.exitcode,
        )
        self._loop.remove_reader(self._control.fileno())
        for worker in self._running.values():
            if not worker.exited.done():
                worker.exited.set_result(None)
        self._running.clear()

    def close(self) -> None:
        """End the fork server: it kills and reaps the workers left, and has ended when this returns."""
        self._loop.remove_reader(self._control.fileno())
        self._control.close()
        self.process.join()


def _threads() -> int:
    """This process's threads: all of them where /proc lists them (pyoxigraph's own too), else Python's."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _serve_forks(control: socket.socket, source: Source, server: int, max_memory: int) -> None:
    """The fork server's life: fork a worker per request and report each one's end, until the pool closes CONTROL."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle: it closes the pool
    # Not the server's handler (uvicorn's), copied by the fork: end the loop below, which ends the workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sandbox.end_with(server)
    sandbox.close_inherited_sockets(keep=control.fileno())
    sandbox.forbid_network()
    parent = os.getpid()
    # SIGCHLD, for each worker that ends, writes a byte to WAKE, which wakes the poll below.
    woken, wake = os.pipe()
    os.set_blocking(woken, False)
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children = _Children(control, lambda theirs: _worker(theirs, (woken, wake), source, parent, max_memory))
    poller = select.poll()
    poller.register(control, select.POLLIN)
    poller.register(woken, select.POLLIN)
    try:
        while True:
            for fd, _ in poller.poll():
                if fd == woken:
                    with contextlib.suppress(BlockingIOError):
                        while os.read(woken, 256):
                            pass
                    children.report_ended()
                    continue
                request = control.recv(_REQUEST.size)
                if not request:
                    return
                kind, pid = _REQUEST.unpack(request)
                if kind == _KILL:
                    children.kill(pid)
                else:
                    children.fork()
    except OSError:
        return  # the pool is gone
    finally:
        children.end_all()


class _Children:
    """The fork server's workers: each is forked, and killed and reaped when the pool asks."""

    def __init__(self, control: socket.socket, become: Callable[[socket.socket], NoReturn]) -> None:
        self._control = control
        self._become = become
        self._running: set[int] = set()
        #: Ended by themselves and reported, kept unreaped until the pool asks for them to be killed.
        self._ended: set[int] = set()

    def fork(self) -> None:
        """Fork a worker, and send the pool its pid and its channel; or why it could not be forked."""
        try:
            ours, theirs = socket.socketpair()
            try:
                pid = os.fork()
            except OSError:
                ours.close()
                theirs.close()
                raise
        except OSError as e:  # no descriptor or process left: the pool asks again later
            self._control.send(_REPORT.pack(_FAILED, 0, e.errno or 0))
            return
        if pid == 0:
            self._become(theirs)
        with ours, theirs:
            self._running.add(pid)
            socket.send_fds(self._control, [_REPORT.pack(_STARTED, pid, 0)], [ours.fileno()])

    def report_ended(self) -> None:
        """Tell the pool how each worker that ended ended, leaving it unreaped (WNOWAIT) until it is killed."""
        for pid in list(self._running):
            ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if ended is not None:
                self._running.discard(pid)
                self._ended.add(pid)
                self._control.send(_REPORT.pack(_ENDED, pid, _exit_code(ended)))

    def kill(self, pid: int) -> None:
        """Kill worker PID if it runs, wait for its end and report it; reap it if it had ended already."""
        if pid in self._running:
            os.kill(pid, signal.SIGKILL)
            ended = os.waitid(os.P_PID, pid, os.WEXITED)
            self._running.discard(pid)
            if ended is not None:
                self._control.send(_REPORT.pack(_ENDED, pid, _exit_code(ended)))
        elif pid in self._ended:
            self._ended.discard(pid)
            os.waitpid(pid, 0)

    def end_all(self) -> None:
        """Kill the workers left and reap them all: the pool has closed, or is gone."""
        for pid in self._running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in self._running | self._ended:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _exit_code(ended: os.waitid_result) -> int:
    """A worker's exit code, or minus the signal that ended it."""
    return ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status


def _worker(channel: socket.socket, pipe: tuple[int, int], source: Source, parent: int, max_memory: int) -> NoReturn:
    """A worker's life in the child just forked; its exit code (1 for an exception) is reported to the pool."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for fd in pipe:
            os.close(fd)
        serve(source, channel, parent, max_memory)
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
