"""Checked queries are remembered by their text, so the server parses a repeated query once."""

from __future__ import annotations

import pytest

from rit_graph import sparql


def test_a_query_checked_before_is_not_parsed_again() -> None:
    text = "SELECT ?s WHERE { ?s ?p 'remembered' }"
    first = sparql.check(text)
    assert sparql.checked_before(text) is first
    assert sparql.check(text) is first


def test_refusals_are_not_remembered() -> None:
    text = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    with pytest.raises(sparql.Forbidden):
        sparql.check(text)
    assert sparql.checked_before(text) is None


def test_only_the_most_recent_texts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sparql, "CHECKED_TEXTS", 2)
    texts = [f"ASK {{ ?s ?p {n} }}" for n in range(3)]
    for text in texts:
        sparql.check(text)
    assert sparql.checked_before(texts[0]) is None
    assert sparql.checked_before(texts[2]) is not None
