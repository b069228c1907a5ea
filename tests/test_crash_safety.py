"""Crash safety: a build killed at any moment leaves its output as it was or complete, never half written;
a store on disk serves on after its server was killed.

A real ``rit-graph build`` of a synthetic project runs over a complete
previous output and is killed with SIGKILL, with its worker processes (as a
cancelled job is), at moments found by watching what it does (validation workers running, its staging
folder appearing, files appearing in it) and at fractions of the time an uninterrupted build takes.
Around the swap, where watching cannot hit the moment, the build kills
itself at the exact point. After each kill the output is the previous one or
equals an uninterrupted build's, and the next build succeeds and leaves
nothing beside the output.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from helpers import tree
from live_server import RIT_GRAPH, children, live_server, wait_until_ended
from store_checks import BY_GRAPH, csv_of, current

import rit_graph.output.build
from benchmarks.synthetic import make_project
from rit_graph.cli import cli
from rit_graph.corpus.load import load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.output.outputs import RETIRED, STAGING

#: The label the project changes between the previous output and the new one.
OLD_LABEL, NEW_LABEL = '"automotive-bw"@en .', '"automotive-bw, renamed"@en .'


@dataclass(frozen=True)
class Outputs:
    project: Path
    #: The output of a build before the project changed.
    previous: Path
    previous_tree: dict[str, bytes]
    #: The output of an uninterrupted build of the changed project, and how long that build took.
    complete_tree: dict[str, bytes]
    seconds: float


def build_command(project: Path, out: Path) -> list[str]:
    """The build every killed one is: without the cache, so that it validates every time."""
    return [str(RIT_GRAPH), "build", "--no-cache", "--project", str(project), "--out", str(out)]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    folder = tmp_path_factory.mktemp("crash")
    project = make_project(folder / "project", 1).root
    previous = folder / "previous" / "dist"
    subprocess.run(build_command(project, previous), check=True, capture_output=True)
    changed = project / "data" / "reference" / "synthetic-00000.nt"
    text = changed.read_text(encoding="utf-8")
    assert text.count(OLD_LABEL) == 1
    changed.write_text(text.replace(OLD_LABEL, NEW_LABEL), encoding="utf-8")
    complete = folder / "complete" / "dist"
    started = time.monotonic()
    subprocess.run(build_command(project, complete), check=True, capture_output=True)
    seconds = time.monotonic() - started
    outputs = Outputs(project, previous, tree(previous), tree(complete), seconds)
    assert outputs.previous_tree != outputs.complete_tree, "the change shows in the output"
    return outputs


def over_previous(outputs: Outputs, folder: Path) -> Path:
    """A copy of the previous output at FOLDER/site/dist, where the build writes."""
    return Path(shutil.copytree(outputs.previous, folder / "site" / "dist"))


def staging(parent: Path) -> Path | None:
    return next((p for p in parent.iterdir() if p.name.startswith(f".dist.{STAGING}-")), None)


def files_below(folder: Path | None) -> int:
    return sum(len(names) for _, _, names in os.walk(folder)) if folder else 0


#: Moments a build is killed at, each found by what can be seen of it: (build, parent of its output,
#: the files of a complete output) -> whether it is at that stage now.
STAGES: dict[str, Callable[[subprocess.Popen[bytes], Path, dict[str, bytes]], bool]] = {
    "validation workers running": lambda build, parent, _: bool(children(build.pid)) and staging(parent) is None,
    "staging folder created": lambda build, parent, _: staging(parent) is not None,
    "dumps and catalog written, site rendered": lambda build, parent, _: (
        (folder := staging(parent)) is not None and (folder / "catalog.ttl").exists()
    ),
    "site half written": lambda build, parent, complete: files_below(staging(parent)) > len(complete) // 2,
}
#: Moments as fractions of the time an uninterrupted build takes.
FRACTIONS = (0.4, 0.7, 0.95)


def start(outputs: Outputs, out: Path) -> subprocess.Popen[bytes]:
    """The build, in a process group of its own with its workers."""
    command = build_command(outputs.project, out)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill(build: subprocess.Popen[bytes]) -> None:
    """SIGKILL the build and its worker processes, and wait until all are gone."""
    with contextlib.suppress(ProcessLookupError):  # it ended already
        os.killpg(build.pid, signal.SIGKILL)
    build.wait()
    wait_until_ended(group=build.pid)


def assert_output_whole_and_next_build_clears_up(outputs: Outputs, out: Path, moment: str) -> None:
    assert out.is_dir(), f"killed {moment}: no output folder"
    assert tree(out) in (outputs.previous_tree, outputs.complete_tree), (
        f"killed {moment}: the output is neither the previous one nor complete"
    )
    result = CliRunner().invoke(cli, ["build", "--project", str(outputs.project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert tree(out) == outputs.complete_tree
    assert [p.name for p in out.parent.iterdir()] == ["dist"], "the next build removes what the killed one left"


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_build_killed_at_a_stage_leaves_the_output_whole(outputs: Outputs, tmp_path: Path, stage: str) -> None:
    out = over_previous(outputs, tmp_path)
    build = start(outputs, out)
    try:
        while build.poll() is None and not STAGES[stage](build, out.parent, outputs.complete_tree):
            time.sleep(0.002)
        assert build.poll() is None, f"the build ended (exit {build.returncode}) before: {stage}"
    finally:
        kill(build)
    assert_output_whole_and_next_build_clears_up(outputs, out, stage)


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_a_build_killed_at_any_time_leaves_the_output_whole(outputs: Outputs, tmp_path: Path, fraction: float) -> None:
    out = over_previous(outputs, tmp_path)
    build = start(outputs, out)
    try:
        build.wait(timeout=fraction * outputs.seconds)
    except subprocess.TimeoutExpired:
        pass
    finally:
        kill(build)
    assert_output_whole_and_next_build_clears_up(outputs, out, f"at {fraction:.0%} of a build's time")


KILLED_AT = textwrap.dedent(
    f"""
    '''rit-graph with a SIGKILL at one point of the swap (sys.argv[1]); the other arguments are its command line.'''
    import os, pathlib, signal, sys
    from rit_graph.output import outputs
    from rit_graph.cli import cli

    def die(*args):
        os.kill(os.getpid(), signal.SIGKILL)

    moment, exchange, replace = sys.argv[1], outputs._exchange, pathlib.Path.replace
    if moment == "just before the swap":
        outputs._exchange = die
    elif moment == "just after the swap":
        outputs._exchange = lambda first, second: exchange(first, second) and die()
    elif moment == "between the two renames of a system without exchange":
        def replace_then_die(path, target):
            replace(path, target)
            if pathlib.Path(target).parent.name.startswith(".dist.{RETIRED}-"):
                die()
        outputs._exchange = lambda first, second: False
        pathlib.Path.replace = replace_then_die
    cli(sys.argv[2:])
    """
)


def build_killed_at(moment: str, outputs: Outputs, out: Path) -> None:
    """A build that kills itself at MOMENT (see KILLED_AT), and did."""
    command = [sys.executable, "-c", KILLED_AT, moment, "build", "--project", str(outputs.project), "--out", str(out)]
    killed = subprocess.run(command, check=False, capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()


@pytest.mark.parametrize("moment", ["just before the swap", "just after the swap"])
def test_a_build_killed_around_the_swap_leaves_the_output_whole(outputs: Outputs, tmp_path: Path, moment: str) -> None:
    out = over_previous(outputs, tmp_path)
    build_killed_at(moment, outputs, out)
    assert [p.name for p in out.parent.iterdir() if p.name != "dist"], "the build left its folder behind"
    assert_output_whole_and_next_build_clears_up(outputs, out, moment)


def test_without_an_atomic_exchange_the_next_build_puts_the_previous_output_back(
    outputs: Outputs, tmp_path: Path, mini_folder: Path
) -> None:
    """On a system that cannot exchange two folders, a build killed between its two renames leaves no
    output at all; the next build, even one that then fails, first puts the previous output back."""
    out = over_previous(outputs, tmp_path)
    build_killed_at("between the two renames of a system without exchange", outputs, out)
    assert not out.exists(), "the state a kill at that point leaves"
    (retired,) = out.parent.glob(f".dist.{RETIRED}-*/dist")
    assert tree(retired) == outputs.previous_tree

    reference = mini_folder / "data" / "reference" / "reference.ttl"
    reference.write_text(reference.read_text(encoding="utf-8").replace('rit:unitCode "KMT" ;', ""), encoding="utf-8")
    failed = CliRunner().invoke(cli, ["build", "--project", str(mini_folder), "--out", str(out)])
    assert failed.exit_code == 1, failed.output
    assert tree(out) == outputs.previous_tree
    assert [p.name for p in out.parent.iterdir()] == ["dist"]
    assert_output_whole_and_next_build_clears_up(outputs, out, "after the recovery")


def test_without_an_atomic_exchange_a_build_still_replaces_its_output(
    tmp_path: Path, mini_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = load(Project.open(mini_folder))
    expected = rit_graph.output.build.build(Run(corpus), tmp_path / "expected" / "dist", with_site=False)
    out = tmp_path / "renamed" / "dist"
    out.mkdir(parents=True)
    (out / "stale.txt").write_text("from an earlier build")
    monkeypatch.setattr(rit_graph.output.outputs, "_exchange", lambda first, second: False)
    rit_graph.output.build.build(Run(corpus), out, with_site=False)
    assert tree(out) == tree(expected.out)
    assert [p.name for p in out.parent.iterdir()] == ["dist"]


def test_folders_of_a_build_still_running_are_left_alone(tmp_path: Path) -> None:
    """A build clears up only folders whose lock no running build holds (two builds of one output at once)."""
    out = tmp_path / "dist"
    with rit_graph.output.outputs.replacing(out) as running:
        (running / "half.ttl").write_text("being written")
        rit_graph.output.outputs.recover(out)
        assert (running / "half.ttl").exists()
    assert (out / "half.ttl").exists()


# --- a store on disk ---------------------------------------------------------------------------

#: A query taking a noticeable time on the minimal project, so that queries are running when the server dies.
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f FILTER (STR(?c) < STR(?f)) }"


def test_a_store_on_disk_answers_the_same_after_its_server_was_killed(mini_folder: Path, tmp_path: Path) -> None:
    """The server is killed while queries run; started again on the same folder, it answers the same
    rows from the same store, without loading it again."""
    store = tmp_path / "store"
    serve = ("--project", str(mini_folder), "--store", str(store), "--timeout", "60")
    with live_server(*serve) as first:
        expected = csv_of(first, BY_GRAPH)
        version, written, _ = current(store)
        workers = first.worker_pids()
        answers: list[list[httpx.Response]] = [[], []]
        ended: list[BaseException] = []

        def ask(responses: list[httpx.Response]) -> None:
            """Queries one after another, until the server stops answering."""
            try:
                while True:
                    responses.append(httpx.get(first.url, params={"query": SLOW}, timeout=60))
            except httpx.TransportError as e:
                ended.append(e)

        clients = [threading.Thread(target=ask, args=(responses,)) for responses in answers]
        for client in clients:
            client.start()
        while not all(answers):
            time.sleep(0.01)
        first.process.send_signal(signal.SIGKILL)  # each client has its next query in flight
        first.process.wait()
        for client in clients:
            client.join()
    assert len(ended) == 2, "each client's query in flight ended with the connection, not an answer"
    assert {r.status_code for responses in answers for r in responses} == {200}
    wait_until_ended(workers)  # the workers end once they find the server gone

    with live_server(*serve) as second:
        assert csv_of(second, BY_GRAPH) == expected
        assert "unchanged since" in second.log.read_text()
    assert current(store)[:2] == (version, written), "the same store, not loaded again"


#: A query that would run for days on any project: it never ends within a test.
ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_a_killed_server_leaves_no_query_running(mini_folder: Path) -> None:
    """The kernel ends the workers with their server, even one in the middle of a query that would run for days."""
    with live_server("--project", str(mini_folder), "--timeout", "3600") as server:
        client = threading.Thread(
            target=lambda: _quietly(lambda: httpx.get(server.url, params={"query": ENDLESS}, timeout=None))
        )
        client.start()
        # The workers are read until one runs the query: one may be forked after the server answers.
        deadline, workers = time.monotonic() + 60, set[int]()
        while not any(_busy(pid) for pid in workers):
            assert time.monotonic() < deadline, "no query worker started the query in a minute"
            time.sleep(0.01)
            workers = server.worker_pids()
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        client.join()
    wait_until_ended(workers)


def _busy(pid: int) -> bool:
    """Whether a thread of process PID is running on a CPU now (state R in /proc); a worker queries in a thread."""
    return any(
        stat.read_text().rsplit(")", 1)[1].split()[0] == "R" for stat in Path(f"/proc/{pid}/task").glob("*/stat")
    )


def _quietly(call: Callable[[], object]) -> None:
    with contextlib.suppress(httpx.TransportError):
        call()
