"""Progress of long runs on a terminal: counts, rate and time left; nothing when output is piped."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts steps of a task and redraws one status line on STREAM, at most a few times a second."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._task = ""
        self._total = 0
        self._done = 0
        self._started = 0.0
        self._drawn = 0.0

    @classmethod
    def on_terminal(cls, stream: TextIO = sys.stderr) -> Progress:
        """Progress drawn on STREAM if it is a terminal, silent otherwise."""
        return cls(stream if stream.isatty() else None)

    def start(self, task: str, total: int) -> None:
        self._task, self._total, self._done = task, total, 0
        self._started = self._drawn = time.monotonic()

    def advance(self, steps: int = 1) -> None:
        self._done += steps
        now = time.monotonic()
        if self._stream is not None and (now - self._drawn >= 0.2 or self._done == self._total):
            self._drawn = now
            self._draw(now - self._started)

    def finish(self) -> None:
        if self._stream is not None and self._total:
            self._stream.write("\r\033[K")
            self._stream.flush()

    def _draw(self, elapsed: float) -> None:
        assert self._stream is not None
        rate = self._done / elapsed if elapsed > 0 else 0.0
        left = (self._total - self._done) / rate if rate > 0 else 0.0
        self._stream.write(f"\r\033[K{self._task}: {self._done}/{self._total}, {rate:.1f}/s, {_duration(left)} left")
        self._stream.flush()


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
