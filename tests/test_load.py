"""Under a mixed load, the server answers every cheap request and stops every expensive query at its time
limit. It also replaces the workers it killed, and its memory stays bounded.

This is a short run of benchmarks/load_test.py, through the same code as the benchmark, so the two cannot
drift. It serves the repository's own project with a time limit of 2 s. 8 clients run for 14 s: 7 send
example queries, pages, linked data and downloads; 1 sends queries that no corpus answers within the limit.
A request that got no answer (a connection error) counts as an unexpected answer. A second run adds
attackers on addresses of their own (``--hostile``): cheap requests are still all answered, each attack
gets its refusal, slowloris connections are closed, and memory stays within what the settings allow.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from projects import ROOT

from benchmarks.load_test import (
    EXPENSIVE_QUERIES,
    HOSTILE_KINDS,
    MIB,
    STOPPED,
    Report,
    Settings,
    run,
)

#: Each run drives a server for half a minute or more.
pytestmark = pytest.mark.slow

SETTINGS = Settings(clients=8, expensive_clients=1, duration=14, baseline=0, timeout=2, workers=2)
#: The same with attackers, each from an address of its own: three flooding expensive queries, one
#: memory-hungry query, two texts slow to check, two slow readers and 50 slowloris connections. Shorter:
#: its memory is bounded by its peak, not compared at rest; a read timeout of 5 s closes the slowloris
#: connections 4 s before the end, as the default of 10 s did in 14 s.
HOSTILE = Settings(
    clients=9,
    expensive_clients=3,
    duration=9,
    baseline=0,
    timeout=2,
    workers=4,
    hostile=True,
    max_query_memory=256,
    slow_readers=2,
    slowloris=50,
    read_timeout=5,
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return run(ROOT, SETTINGS, tmp_path_factory.mktemp("load"))


def test_every_cheap_request_is_answered_while_expensive_queries_run(report: Report) -> None:
    load = report.phase("all")
    cheap = load.cheap()
    assert set(Counter(o.kind for o in cheap)) == {"query", "page", "data", "download"}
    everywhere = [o for p in [*report.warm_up, *report.phases] for o in p.cheap()]
    assert Counter(o.answer for o in everywhere if not o.expected) == Counter()
    answered, _ = load.cheap_while_expensive()
    assert answered > len(cheap) / 2, "most cheap requests were answered while an expensive query ran"


def test_every_expensive_query_is_stopped_at_its_time_limit_with_503(report: Report) -> None:
    expensive = report.phase("all").of("expensive")
    # The expensive client sends its queries in turn: each of them was sent at least once.
    assert len(expensive) >= len(EXPENSIVE_QUERIES)
    assert Counter(o.answer for o in expensive) == Counter({STOPPED: len(expensive)})
    assert min(o.seconds for o in expensive) >= SETTINGS.timeout, "none is stopped before its limit"


def test_killed_workers_are_replaced_and_none_is_left_over(report: Report) -> None:
    assert len(report.warm.workers) == SETTINGS.workers
    assert len(report.end.workers) == SETTINGS.workers
    assert report.end.workers - report.warm.workers, "the workers that ran expensive queries were replaced"
    samples = [s for p in report.phases for s in p.samples]
    assert max(len(s.workers) for s in samples) <= SETTINGS.workers, (
        "a killed worker is gone before its successor starts"
    )


def test_memory_at_rest_after_the_load_stays_close_to_memory_after_the_warm_up(report: Report) -> None:
    # RSS of the server and its workers, at rest. By the end of the warm-up the server keeps its downloads in
    # memory, has rendered every page and has forked all its workers anew, as it does during the run; a worker
    # counts the pages it shares with the server again. The bound leaves room for what the allocators keep
    # after thousands of requests. A leak of 30 KiB per request (about 150 MiB over the 5,000 or so requests
    # here) does not fit in it. A worker left over is what the test above finds.
    assert report.end.rss < 1.5 * report.warm.rss + 50 * MIB, (report.warm, report.end)


def test_the_load_test_leaves_no_process_behind(report: Report) -> None:
    processes = {report.server_pid, *report.warm.workers, *report.end.workers}
    assert [pid for pid in processes if Path(f"/proc/{pid}").exists()] == []


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return run(ROOT, HOSTILE, tmp_path_factory.mktemp("attacked"))


def test_under_attack_every_cheap_request_is_answered_and_every_attack_refused(attacked: Report) -> None:
    load = attacked.phase("all")
    assert Counter(o.answer for o in load.cheap() if not o.expected) == Counter()
    assert {o.kind for o in load.outcomes} >= set(HOSTILE_KINDS), "every kind of attacker was answered"
    fresh = Counter(o.answer for o in load.of("fresh"))
    assert fresh["200"] > fresh["503 busy"], "a newcomer's new texts are mostly answered among the attackers"
    assert attacked.unexpected() == []
    assert len(attacked.end.workers) == HOSTILE.workers


def test_under_attack_slow_connections_are_closed_and_memory_stays_within_the_settings(attacked: Report) -> None:
    nuisance = attacked.nuisance
    assert nuisance is not None
    # The server closes every slowloris connection (408) at its read timeout, well within the run.
    assert [answer for _, answer in nuisance.loris] == ["408 Request Timeout"] * HOSTILE.slowloris
    peak = max(s.rss for p in attacked.phases for s in p.samples)
    assert peak < attacked.warm.rss + HOSTILE.workers * HOSTILE.max_query_memory * MIB + 256 * MIB
