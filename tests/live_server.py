"""Run ``rit-graph serve`` as a real subprocess on a free loopback port, for tests."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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

    def worker_pids(self) -> set[int]:
        """The server's child processes (its query workers), read from /proc; any of its threads may fork."""
        tasks = Path(f"/proc/{self.process.pid}/task").glob("*/children")
        return {int(pid) for task in tasks for pid in task.read_text().split()}


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
