"""Long runs show counts, rate and time left on a terminal, and nothing when output is piped."""

from __future__ import annotations

import io

from rit_graph.runtime.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(progress: Progress, steps: int) -> None:
    progress.start("validating partitions", steps)
    for _ in range(steps):
        progress.advance()
    progress.finish()


def test_a_terminal_sees_counts_rate_and_time_left() -> None:
    terminal = Terminal()
    run(Progress.on_terminal(terminal), 3)
    drawn = terminal.getvalue()
    assert "validating partitions: 3/3, " in drawn
    assert "/s, 0 s left" in drawn
    assert drawn.endswith("\r\033[K"), "the status line is cleared at the end"


def test_piped_output_stays_clean() -> None:
    piped = io.StringIO()
    run(Progress.on_terminal(piped), 3)
    assert piped.getvalue() == ""
