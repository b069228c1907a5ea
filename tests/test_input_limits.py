"""The input limits: brackets, members and tokens counted where the parser counts them (not in strings,
IRIs or comments), exactly up to each limit; tests/test_bad_input.py runs the commands on files past them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given
from hypothesis import strategies as st

from rit_graph.errors import InputError
from rit_graph.rdf.input_limits import MAX_DEPTH, MAX_MEMBERS, MAX_TOKEN_BYTES, check

TURTLE = ox.RdfFormat.TURTLE
JSON_LD = ox.RdfFormat.JSON_LD
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PREFIXES = "@prefix e: <http://e/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


def refusal(text: str, rdf_format: ox.RdfFormat = TURTLE) -> InputError | None:
    try:
        check(Path("file"), text, text.encode("utf-8"), rdf_format)
    except InputError as e:
        return e
    return None


def parses(text: str, rdf_format: ox.RdfFormat = TURTLE) -> bool:
    return bool(list(ox.parse(text.encode("utf-8"), rdf_format, base_iri="http://e/")))


#: Valid files whose strings, IRIs and comments hold brackets and quotes of every kind, at the limits.
VALID = {
    "brackets in strings, IRIs and comments": PREFIXES
    + "# ( ( ( [ [ \" '\n"
    + 'e:s e:p ( "a)" \'b(\' """c\n(("""  \'\'\'d\n))\'\'\' <http://e/x#(> e:a\\(b # )))\n ) , "[[[" , "]]]" .',
    "escaped quotes and long strings ending in quotes": PREFIXES
    + 'e:s e:p "x\\"((" , \'it\\\'s ((\' , """He said "((" and ""[["" """ ,\n'
    + "'''a 'b' ''' , \"\\\\\" , [ e:p \"]\" ] .",
    "literals with language and datatype in a collection": PREFIXES
    + 'e:s e:p ( "a"@de "b"^^xsd:string "c" ^^ <http://e/t> 1 2.5 -3e4 true _:b [] () ) .',
    "RDF 1.2 reifiers, triple terms and annotations": PREFIXES
    + "e:s e:p ( << e:a e:b e:c >> <<( e:a e:b e:c )>> ) .\n"
    + 'e:s e:p "a" {| e:q ( 1 2 ) |} ; e:r << e:a e:b e:c ~ _:r >> .',
    "blank nodes nested at the limit": PREFIXES + "e:s e:p " + "[ e:p " * MAX_DEPTH + "1" + " ]" * MAX_DEPTH + " .",
    "collections nested at the limit": PREFIXES + "e:s e:p " + "( " * MAX_DEPTH + ")" * MAX_DEPTH + " .",
    "a collection at the limit": PREFIXES + 'e:s e:p ( "x"@de ' + "[] " * (MAX_MEMBERS - 1) + ") .",
    "a string at the limit": PREFIXES + 'e:s e:p "' + "x" * (MAX_TOKEN_BYTES - 2) + '" .',
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_turtle_within_the_limits_passes(name: str) -> None:
    assert parses(VALID[name])
    assert refusal(VALID[name]) is None


def test_trig_graphs_pass() -> None:
    text = PREFIXES + "e:g { e:s e:p ( [ e:p ( 1 ) ] ) } GRAPH e:h { e:s e:p [] }"
    assert parses(text, ox.RdfFormat.TRIG)
    assert refusal(text, ox.RdfFormat.TRIG) is None


@pytest.mark.parametrize(
    ("opening", "closing", "times"),
    [("[ e:p ", " ]", MAX_DEPTH + 1), ("( ", " )", MAX_DEPTH + 1), ("[ e:p ( ", " ) ]", MAX_DEPTH // 2 + 1)],
    ids=["[", "(", "[("],
)
def test_one_level_past_the_depth_limit_is_refused_where_it_opens(opening: str, closing: str, times: int) -> None:
    text = PREFIXES + "e:s e:p\n" + opening * times + "1" + closing * times + " ."
    error = refusal(text)
    assert error is not None and error.problem.startswith("nests collections and blank-node property lists more")
    brackets = [column for column, c in enumerate(text.split("\n")[2], 1) if c in "(["]
    assert (error.line, error.column) == (3, brackets[MAX_DEPTH])


@pytest.mark.parametrize("member", ["[]", "()", "_:a", '"x"@de', "1", "<http://e/a>", "e:a", '"1"^^xsd:int'])
def test_one_member_past_the_collection_limit_is_refused(member: str) -> None:
    ok = PREFIXES + "e:s e:p (\n" + " ".join([member] * MAX_MEMBERS) + " ) ."
    assert refusal(ok) is None
    error = refusal(ok.replace("(\n", "(\n" + member + " ", 1))
    assert error is not None and error.problem == "holds a collection ( … ) of more than 10,000 members"
    assert (error.line, error.column) == (2, 9)


def test_members_are_those_of_each_collection_not_of_those_within() -> None:
    inner = "( " + "1 " * (MAX_MEMBERS // 2) + ")"
    text = PREFIXES + "e:s e:p ( " + " ".join([inner] * 3) + " ) ."  # 3 members of 5,000 each
    assert parses(text) and refusal(text) is None


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        ('"' + "x" * MAX_TOKEN_BYTES + '"', "a string"),
        ('"""' + "x\n" * (MAX_TOKEN_BYTES // 2) + '"""', "a string"),
        ('"' + "\\n" * (MAX_TOKEN_BYTES // 2) + '"', "a string"),  # long by its escapes
        ('"' + "ü" * (MAX_TOKEN_BYTES // 2) + '"', "a string"),  # bytes, not characters, count
        ("<http://e/" + "x" * MAX_TOKEN_BYTES + ">", "an IRI"),
    ],
    ids=["string", "long string", "escapes", "two-byte characters", "IRI"],
)
def test_a_token_past_the_limit_is_refused(token: str, kind: str) -> None:
    error = refusal(PREFIXES + "e:s e:p " + token + " .")
    assert error is not None and error.problem.startswith(f"holds {kind} of ")
    assert (error.line, error.column) == (2, 9)


def test_a_comment_past_the_limit_is_refused() -> None:
    error = refusal(PREFIXES + "#" + "x" * MAX_TOKEN_BYTES + "\ne:s e:p 1 .")
    assert error is not None and error.problem.startswith("holds a comment of ")


def test_a_long_n_triples_line_is_refused_and_short_ones_are_not_read() -> None:
    line = '<http://e/s> <http://e/p> "' + "x" * MAX_TOKEN_BYTES + '" .\n'
    error = refusal(line, ox.RdfFormat.N_TRIPLES)
    assert error is not None and (error.line, error.column) == (1, 27)
    assert refusal('<http://e/s> <http://e/p> "x" .\n' * 200_000, ox.RdfFormat.N_TRIPLES) is None


def nested_json(depth: int, before: str = "") -> str:
    return '{"@id": "http://e/s", ' + before + '"http://e/p": ' + "[" * (depth - 1) + "1" + "]" * (depth - 1) + "}"


@pytest.mark.parametrize(
    "before",
    ["", '"a": "\\"", ', '"a": "\\\\", ', '"a": "\\\\\\"[", ', '"a": "]]]]", "b": "[[[[", '],
    ids=["plain", "escaped quote", "escaped backslash", "both", "brackets in strings"],
)
def test_json_ld_past_the_depth_limit_is_refused_whatever_its_strings_hold(before: str) -> None:
    assert refusal(nested_json(MAX_DEPTH, before), JSON_LD) is None
    error = refusal(nested_json(MAX_DEPTH + 1, before), JSON_LD)
    assert error is not None and error.problem == "nests arrays and objects more than 100 levels deep (the limit)"


def test_json_ld_brackets_in_strings_do_not_count() -> None:
    text = '{"@id": "http://e/s", "http://e/p": "' + "[{" * 1000 + '"}'
    assert parses(text, JSON_LD) and refusal(text, JSON_LD) is None


def test_a_json_ld_string_past_the_limit_is_refused_and_one_at_it_is_not() -> None:
    def document(characters: int) -> str:
        return '{"@id": "http://e/s",\n"http://e/p": "' + '\\"' * (characters // 2) + '"}'

    assert refusal(document(MAX_TOKEN_BYTES - 2), JSON_LD) is None
    error = refusal(document(MAX_TOKEN_BYTES), JSON_LD)
    assert error is not None and error.problem.startswith("holds a string of 4,194,306 bytes")
    assert (error.line, error.column) == (2, 15)


#: After any text: one level past the depth limit, which the scan must reach.
TOO_DEEP = "\n<http://e/z> <http://e/p> " + "[ <http://e/p> " * (MAX_DEPTH + 1) + "1" + " ]" * (MAX_DEPTH + 1) + " .\n"


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_serializers_text_is_read_to_its_end(values: list[str]) -> None:
    """Whatever literals pyoxigraph and rdflib write (quotes, brackets, backslashes, line breaks), the scan
    reads the Turtle to its end, as the parser does: nothing before hides what comes after."""
    node = ox.BlankNode("list")
    triples = [ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), node)]
    for value in values:
        rest = ox.BlankNode()
        triples += [
            ox.Triple(node, ox.NamedNode(RDF + "first"), ox.Literal(value)),
            ox.Triple(node, ox.NamedNode(RDF + "rest"), rest),
        ]
        node = rest
    triples.append(ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/q"), ox.Literal("]) #\"'")))
    written = (ox.serialize(triples, format=TURTLE) or b"").decode()
    graph = rdflib.Graph().parse(data=written, format="turtle")
    for text in (written, graph.serialize(format="turtle"), graph.serialize(format="longturtle")):
        assert refusal(text) is None
        error = refusal(text + TOO_DEEP)
        assert error is not None and error.line == text.count("\n") + 2
