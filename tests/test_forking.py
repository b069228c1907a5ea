"""Forked workers: answers in order, a worker's exception raised in the parent, a worker killed
(as the kernel kills one when memory runs out) ends the work at once with its own exit status, and the
parent's own work done while its workers work."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from rit_graph.errors import EXIT_SYSTEM, WorkerKilled
from rit_graph.runtime.forking import WORKER_GC_THRESHOLDS, forked_map, frozen, meanwhile


def test_answers_come_in_order_from_the_parents_memory() -> None:
    squares = {i: i * i for i in range(20)}  # a closure over the parent's data, never pickled
    assert list(forked_map(squares.__getitem__, range(20), 3, "squaring")) == [i * i for i in range(20)]


def test_an_exception_in_a_worker_is_raised_here() -> None:
    def work(i: int) -> int:
        if i == 5:
            raise ValueError("five")
        return i

    with pytest.raises(ValueError, match="five"):
        list(forked_map(work, range(10), 2, "counting"))


def test_the_parents_work_meanwhile_is_done_while_the_workers_work() -> None:
    """Work given to ``meanwhile`` is done once, in the parent, after the workers were handed every index and
    before their first answer is taken, and is not done again when its result is asked for."""
    answers: list[int] = []
    done: list[tuple[int, int]] = []

    def work() -> str:
        done.append((os.getpid(), len(answers)))
        return "made"

    with meanwhile(work) as made:
        answers += forked_map(lambda i: os.getpid(), range(8), 2, "asking pids")
        assert done == [(os.getpid(), 0)]
        assert made() == "made"
    assert len(done) == 1
    assert os.getpid() not in answers


def test_the_parents_work_meanwhile_is_done_when_asked_if_no_workers_were_forked() -> None:
    done: list[str] = []
    with meanwhile(lambda: done.append("done")) as made:
        assert list(forked_map(lambda i: i, range(3), 1, "counting")) == [0, 1, 2]  # one worker: here, no fork
        assert done == []
        made()
    assert done == ["done"]


def test_the_parents_work_meanwhile_is_never_done_outside_its_block() -> None:
    done: list[str] = []
    with pytest.raises(RuntimeError), meanwhile(lambda: done.append("done")):
        raise RuntimeError("the block failed before any worker was forked")
    assert list(forked_map(lambda i: i, range(4), 2, "counting")) == [0, 1, 2, 3]
    assert done == []


def test_frozen_blocks_nest_and_only_the_outermost_unfreezes_the_heap() -> None:
    """A forked map inside a frozen block (the site's entries made, then its pages written) leaves the heap
    frozen until the block ends."""
    before = gc.get_freeze_count()
    with frozen():
        held = gc.get_freeze_count()
        assert held > before
        with frozen():
            pass
        assert list(forked_map(lambda i: i, range(4), 2, "counting")) == [0, 1, 2, 3]
        assert gc.get_freeze_count() >= held
    assert gc.get_freeze_count() == 0


def test_workers_collect_young_objects_less_often_than_the_parent() -> None:
    """A worker renders pages or triples, millions of short-lived objects: its collector runs less often, and the
    parent's is left as it was."""
    parent = gc.get_threshold()
    assert set(forked_map(lambda i: gc.get_threshold(), range(4), 2, "asking thresholds")) == {WORKER_GC_THRESHOLDS}
    assert WORKER_GC_THRESHOLDS[0] > parent[0]
    assert gc.get_threshold() == parent


def test_a_worker_killed_ends_the_work_at_once() -> None:
    """With multiprocessing.Pool this waited forever; run in a process of its own with a time limit."""
    program = textwrap.dedent(
        """
        import os, signal, sys, time
        from rit_graph.errors import WorkerKilled
        from rit_graph.runtime.forking import WORKER_GC_THRESHOLDS, forked_map, frozen, meanwhile

        def work(i):
            if i == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(0.05)
            return i

        try:
            list(forked_map(work, range(8), 2, "validating partitions"))
        except WorkerKilled as e:
            print(e)
            sys.exit(e.exit_code)
        """
    )
    # The timeout guards against the old hang; a pool that waits for its dead worker would reach it.
    done = subprocess.run([sys.executable, "-c", program], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_SYSTEM == WorkerKilled.exit_code, done.stderr
    assert done.stdout.startswith(
        "a worker process was killed (out of memory?) while validating partitions; run again on a machine"
    )


def _connect(port: int) -> str:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except PermissionError as e:
        return f"refused: {e}"
    return "connected"


def test_forked_workers_cannot_open_a_network_socket() -> None:
    """Validation runs there, pyshacl and pyoxigraph evaluating the shapes' SPARQL: no SERVICE can connect."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        assert list(forked_map(lambda _: _connect(port), [0], 2, "connecting")) == [
            "refused: [Errno 13] Permission denied"
        ]
        assert _connect(port) == "connected"  # this process keeps its network


def test_isolated_work_runs_in_a_forked_process_even_on_one_worker() -> None:
    """As validation does with --jobs 1: its SPARQL runs without network all the same."""
    here = os.getpid()
    assert list(forked_map(lambda _: os.getpid() != here, range(3), 1, "isolating", isolated=True)) == [True] * 3
    assert list(forked_map(lambda _: os.getpid() != here, range(3), 1, "here")) == [False] * 3
