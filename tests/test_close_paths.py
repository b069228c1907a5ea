"""The 404 page's search for close IRIs: bounded work per request at 50,000 resources, typos still found.

Its time is measured in benchmarks/not_found.py; here the work is counted, which a slow
machine cannot make flaky.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence

import pytest

from rit_graph.serve import linkeddata
from rit_graph.serve.linkeddata import CANDIDATES, COMPARED, POSTINGS, ClosePaths

KINDS = ("organisation", "place", "event", "partnership", "announcement")


@pytest.fixture(scope="module")
def paths() -> ClosePaths:
    """50,000 resource paths, about a corpus of 1M triples; many share their kind and most of their name."""
    short = ["id/announcement/a/quote/gdp", "id/announcement/a/quote/aim"]
    return ClosePaths([f"id/{KINDS[i % len(KINDS)]}/cluster-{i}" for i in range(50_000)] + short)


ASKED = {
    "8 KB": "id/organisation/" + "cluster-1/" * 820,
    "100 characters": "id/place/" + "x" * 91,
    "a typo": "id/organisation/clustre-4240",
    "the wrong kind": "id/place/cluster-4240",
}


@pytest.mark.parametrize("asked", ASKED)
def test_a_search_reads_and_ranks_a_bounded_number_of_paths(
    paths: ClosePaths, asked: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []
    ranked: list[Sequence[str]] = []

    class Counted(Counter[int]):
        def update(self, iterable: Iterable[int] | None = None, /, **kwds: int) -> None:  # type: ignore[override]
            entries = list(iterable or ())
            read.append(len(entries))
            super().update(entries, **kwds)

    class Matcher(difflib.SequenceMatcher[str]):
        def set_seq1(self, a: Sequence[str]) -> None:
            ranked.append(a)
            super().set_seq1(a)

    monkeypatch.setattr(linkeddata, "Counter", Counted)
    monkeypatch.setattr(difflib, "SequenceMatcher", Matcher)
    paths.close_to(ASKED[asked])
    assert read and sum(read) <= 2 * POSTINGS, "a name index and a folder index, each read up to POSTINGS entries"
    ranked = [a for a in ranked if a]  # each matcher starts with an empty sequence
    assert len(ranked) <= 2 * CANDIDATES, "difflib compares each candidate's name and path"
    assert all(len(a) <= COMPARED for a in ranked)


def test_only_the_first_characters_of_a_long_path_count(paths: ClosePaths) -> None:
    long = ASKED["8 KB"]
    assert paths.candidates(long) == paths.candidates(long[:COMPARED])
    assert len(paths.candidates(long)) <= CANDIDATES


def test_typos_and_the_wrong_kind_are_still_found_among_50000(paths: ClosePaths) -> None:
    assert paths.close_to("id/organisation/clustre-4240")[0] == "id/organisation/cluster-4240"
    assert paths.close_to("id/organisation/cluster-4240x")[0] == "id/organisation/cluster-4240"
    assert paths.close_to("id/place/cluster-4240")[0] == "id/organisation/cluster-4240"
    assert paths.close_to("ID/Organisation/Cluster-4240")[0] == "id/organisation/cluster-4240"


def test_short_names_are_found_despite_a_typo(paths: ClosePaths) -> None:
    """One typo leaves a three-letter name no trigram in common with the right one, but some bigrams."""
    assert paths.close_to("id/announcement/a/quote/gpd")[0] == "id/announcement/a/quote/gdp"
    assert paths.close_to("id/announcement/a/quote/am")[0] == "id/announcement/a/quote/aim"


def test_a_path_like_nothing_gives_nothing(paths: ClosePaths) -> None:
    assert paths.close_to("id/place/" + "x" * 91) == []
    assert paths.close_to("") == []
