"""The query check: one canonical text that both parsers read alike, in time linear in its length.

What runs is the canonical text, never the one received; SERVICE is refused on
rdflib's parse of it, and a text without the letters of SERVICE needs no parse
at all. test_no_outbound shows that no variant connects anywhere.
"""

from __future__ import annotations

import pytest

from rit_graph.query import querycheck
from rit_graph.query.querycheck import (
    CheckedQuery,
    Forbidden,
    Form,
    QueryError,
    ReadOnly,
    canonical,
    check,
    outline,
)
from rit_graph.query.sparql import Answer, Request, ResultCache

SERVICE = "SERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c }"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SELECT *\r\nWHERE {}\r\n", "SELECT *\nWHERE {}\n"),
        ("SELECT * # comment\rWHERE {}", "SELECT * # comment\nWHERE {}"),
        ("SELECT * { ?s ?p \\u0022x\\u0022 }", 'SELECT * { ?s ?p "x" }'),
        ("SELECT * { ?s ?p '\\U0001F600' }", "SELECT * { ?s ?p '\U0001f600' }"),
        ("ASK { #\\u000D\n }", "ASK { #\n }"),
    ],
)
def test_the_canonical_text_has_escapes_expanded_and_lf_line_ends(text: str, expected: str) -> None:
    assert canonical(text) == expected


@pytest.mark.parametrize(
    "text", ["ASK { ?s ?p '\\U00110000' }", "ASK { ?s ?p '\\uD800' }", "ASK { ?s ?p '\\u005Cu0041' }"]
)
def test_escapes_that_name_no_character_or_another_escape_are_refused(text: str) -> None:
    with pytest.raises(QueryError, match="line 1, column"):
        canonical(text)


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT ?a {{ ?s ?p ?o . #\r {SERVICE} \n }}",
        f"SELECT ?a {{ ?s ?p ?o . #\\u000D {SERVICE} \n }}",
        f"SELECT ?a {{ ?s ?p ?o . #\\u000A {SERVICE} }}",
        f'SELECT ?a {{ BIND("a\\u005C" AS ?x) {SERVICE} BIND("b" AS ?y) }}',
        "SELECT ?a { \\u0053ERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
        f"SELECT ?a {{ ?s ?p ?o . {SERVICE.lower()} }}",
        "SELECT ?a { ?s ?p ?o . SERVICE:x { ?a ?b ?c } }",
    ],
)
def test_service_behind_a_line_end_or_an_escape_is_refused(text: str) -> None:
    """Refused as SERVICE, or (the escaped backslash, which both parsers now read as escaping the quote) as a
    syntax error."""
    with pytest.raises(QueryError):
        check(text)


@pytest.mark.parametrize("separator", ["\u2028", "\u0085", "\x0c", "\x0b"])
def test_characters_that_end_no_comment_keep_service_in_it(separator: str) -> None:
    checked = check(f"SELECT ?a {{ ?s ?p ?o . #{separator} {SERVICE} \n }}")
    assert checked.closed and "#" + separator in checked.text


def test_a_text_without_the_letters_of_service_is_closed_without_a_parse() -> None:
    checked = outline("SELECT * { ?s ?p ?o } LIMIT 1")
    assert checked.closed
    assert not outline("SELECT * { ?s <http://example.org/Service> ?o }").closed


@pytest.mark.parametrize(
    "text, form, has_dataset",
    [
        (
            "PREFIX ex: <http://example.org/select#> BASE <http://x/> CONSTRUCT WHERE { ?s ex:p ?o }",
            Form.CONSTRUCT,
            False,
        ),
        ("# ASK\nselect * FROM <http://example.org/g> { ?s ?p ?o }", Form.SELECT, True),
        ("PREFIX : <http://example.org/> DESCRIBE :from", Form.DESCRIBE, False),
        ("ASK { ?from ?p 'FROM' }", Form.ASK, False),
    ],
)
def test_the_outline_reads_form_and_dataset_past_prologue_comments_and_strings(
    text: str, form: Form, has_dataset: bool
) -> None:
    checked = outline(text)
    assert (checked.form, checked.has_dataset) == (form, has_dataset)


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <a> <b> <c> }", "PREFIX ex: <x:> DELETE WHERE { ?s ?p ?o }", "with <g> delete {} where {}"],
)
def test_updates_are_refused_from_their_first_keyword(update: str) -> None:
    with pytest.raises(ReadOnly):
        outline(update)


def test_realistic_long_queries_pass() -> None:
    patterns = " ".join(f"?s{i} <http://example.org/p{i}> ?o{i} ." for i in range(400))
    assert check(f"SELECT * {{ {patterns} }}").closed
    values = " ".join(f"<http://example.org/x{i}>" for i in range(5000))
    assert check(f"SELECT * {{ VALUES ?x {{ {values} }} ?x ?p ?o }}").closed
    # With the letters of SERVICE in it, the same query is parsed by rdflib, and passes too.
    flat = " ".join(f"?s{i} <http://example.org/service{i}> ?o{i} ." for i in range(400))
    assert check(f"SELECT * {{ {flat} }}").closed


def test_nesting_past_the_limit_is_refused_before_the_engine_sees_it() -> None:
    deep = querycheck.MAX_NESTING + 1
    with pytest.raises(QueryError, match="nested too deeply"):
        outline("ASK { FILTER(" + "(" * deep + "1" + ")" * deep + ") }")
    assert outline("ASK { FILTER(" + "(" * 100 + "1" + ")" * 100 + ") }").closed


@pytest.mark.parametrize("call", ["RAND()", "NOW()", "UUID()", "STRUUID()", "BNODE()", "rand ( )"])
def test_answers_of_non_deterministic_functions_are_never_cached(call: str) -> None:
    query = outline(f"SELECT ?x {{ BIND({call} AS ?x) }}")
    assert not query.deterministic
    cache = ResultCache(1_000_000)
    assert not cache.put(Request(query, "json"), Answer("application/sparql-results+json", b"{}"))
    steady = outline("SELECT ?x { BIND('RAND()' AS ?x) ?random ?p ?o }")
    assert steady.deterministic
    assert cache.put(Request(steady, "json"), Answer("application/sparql-results+json", b"{}"))


def test_outcomes_are_remembered_refusals_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(querycheck, "REMEMBERED_TEXTS", 2)
    refused = Forbidden(querycheck.NO_SERVICE)
    querycheck.remember("a", refused)
    querycheck.remember("b", CheckedQuery("ASK {}", Form.ASK, False))
    assert querycheck.remembered("a") is refused
    querycheck.remember("c", CheckedQuery("ASK {}", Form.ASK, False))
    assert querycheck.remembered("a") is None
    assert querycheck.remembered("c") is not None
