"""Run ``rit-graph serve`` as a real subprocess on a free loopback port, for tests."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

RIT_GRAPH = Path(sys.executable).with_name("rit-graph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}/sparql"

    def fork_server_pid(self) -> int:
        """The server's only child process: the fork server that forks its query workers."""
        (fork_server,) = children(self.process.pid)
        return fork_server

    def worker_pids(self) -> set[int]:
        """The query workers running: the fork server's children, those killed and not yet reaped left out."""
        return running_processes(children(self.fork_server_pid()))


def children(pid: int) -> set[int]:
    """The child processes of PID, read from /proc; any of its threads may have forked them."""
    tasks = Path(f"/proc/{pid}/task").glob("*/children")
    return {int(child) for task in tasks for child in task.read_text().split()}


def running_processes(pids: set[int] | None = None, group: int | None = None) -> set[int]:
    """Which of PIDS, or of the processes in process GROUP, still run (exited ones may linger as zombies)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses.
            text = stat.read_text()
        except OSError:
            continue  # the process ended meanwhile
        state, _, pgrp = text[text.rindex(")") + 2 :].split()[:3]
        pid = int(text.split(" ", 1)[0])
        if state != "Z" and (pid in (pids or ()) or int(pgrp) == group):
            found.add(pid)
    return found


def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait until CONDITION holds, as it must soon after something happened elsewhere; fail saying WHAT it is."""
    # The deadline only guards against a condition that never comes true; no test asserts timings.
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(what)
        time.sleep(0.02)


def wait_until_ended(pids: set[int] | None = None, group: int | None = None) -> None:
    """Wait until PIDS, or every process of GROUP, have ended: the kernel has then released their locks."""
    # The deadline only guards against a process that never ends; no test asserts timings.
    deadline = time.monotonic() + 60
    while left := running_processes(pids, group):
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {sorted(left)} did not end")
        time.sleep(0.02)


@contextlib.contextmanager
def live_server(*args: str, cwd: Path | None = None) -> Iterator[LiveServer]:
    """Start the server with ARGS, wait until it answers, and stop it afterwards."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "server.log"
        command = [str(RIT_GRAPH), "serve", "--port", str(port), *args]
        with running(command, log, f"http://127.0.0.1:{port}/sparql", cwd=cwd) as process:
            yield LiveServer(process, port, log)


@contextlib.contextmanager
def running(
    command: list[str], log: Path, ready_url: str, cwd: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """COMMAND as a process writing to LOG, once READY_URL answers; stopped when the block ends."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        _wait_until_ready(process, log, ready_url, Path(command[0]).name)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_ready(process: subprocess.Popen[bytes], log: Path, url: str, name: str) -> None:
    # The deadline only guards against a server that never starts; no test asserts timings.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited:\n{log.read_text()}")
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not start:\n{log.read_text()}")
