"""Decide, before anything runs, that a SPARQL text is a closed read-only query, in time linear in its length.

Two parsers read a query: rdflib's, which finds SERVICE on its syntax tree,
and pyoxigraph's, which evaluates it. They disagree on details (rdflib
expands ``\\u`` escapes everywhere before parsing, pyoxigraph only inside
strings and IRIs; pyoxigraph ends a ``#`` comment at CR, rdflib only at LF),
and each disagreement let a SERVICE that rdflib could not see reach
pyoxigraph. So the text is first put in a canonical form on which the two
read the same tokens (escapes expanded as SPARQL 1.1 section 19.2 says, line
ends made LF), and that canonical text, never the one received, is what runs.

A SERVICE keyword needs the letters s-e-r-v-i-c-e in the canonical text. A
text without them is closed whatever the parser, and only its form (SELECT,
ASK, CONSTRUCT, DESCRIBE) and whether it names a dataset are read, by a scan
of its tokens. Only a text with those letters (in an IRI, a name, a string or
a comment, or as a keyword) is parsed by rdflib, which costs up to a third of
a millisecond of CPU per byte: the server does that in a query worker, under
the time and memory limits, and the command line here.
"""

from __future__ import annotations

import itertools
import re
import sys
import threading
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from rit_graph.errors import RitGraphError

READ_ONLY = (
    "this SPARQL endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD) "
    "is not accepted; send queries (SELECT, ASK, CONSTRUCT, DESCRIBE)"
)
NO_SERVICE = "SERVICE is not allowed: rit-graph answers from its own data only and never opens outbound connections"


class QueryError(RitGraphError):
    """A query the endpoint does not answer; ``status`` is its HTTP status code."""

    status = 400


class ReadOnly(QueryError):
    status = 403


class Forbidden(QueryError):
    status = 403


class QueryTimeout(QueryError):
    status = 503


class Form(Enum):
    """The four query forms; SELECT and ASK give result sets, CONSTRUCT and DESCRIBE give graphs."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def gives_graph(self) -> bool:
        return self in (Form.CONSTRUCT, Form.DESCRIBE)


@dataclass(frozen=True)
class CheckedQuery:
    """A query in canonical form, read-only, with what the endpoint needs to know of it before it runs."""

    text: str
    form: Form
    #: True when the query names its own dataset (FROM / FROM NAMED).
    has_dataset: bool
    #: False when the text may call RAND, NOW, UUID, STRUUID or BNODE: its answer must not be repeated.
    deterministic: bool = True
    #: True once it is known to hold no SERVICE; ``check`` gives only such queries.
    closed: bool = True


def check(text: str) -> CheckedQuery:
    """TEXT as a closed read-only query, or QueryError saying why not; parses with rdflib only if it must."""
    outlined = outline(text)
    return outlined if outlined.closed else prove_closed(outlined)


# --- the canonical text --------------------------------------------------------------------------

#: SPARQL 1.1, 19.2: \u with four and \U with eight hexadecimal digits stand for a code point anywhere.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def canonical(text: str) -> str:
    """TEXT with its code point escapes expanded and every line end made LF, on which both parsers agree.

    A text whose expansion spells another escape (``\\u005Cu0041``) is
    refused: one parser would expand it again and the other not.
    """

    def expand(match: re.Match[str]) -> str:
        point = int(match.group(1) or match.group(2), 16)
        if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
            line, column = _position(text, match.start())
            raise QueryError(
                f"{match.group(0)} at line {line}, column {column} is not a Unicode character "
                "(code points go up to \\U0010FFFF, surrogates excluded)"
            )
        return chr(point)

    expanded = _ESCAPE.sub(expand, text) if "\\" in text else text
    if expanded is not text and (again := _ESCAPE.search(expanded)):
        line, column = _position(expanded, again.start())
        raise QueryError(
            f"an escape sequence at line {line}, column {column} is itself written with an escape; "
            "write the character, or one escape for it"
        )
    return expanded.replace("\r\n", "\n").replace("\r", "\n")


def _position(text: str, at: int) -> tuple[int, int]:
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


# --- the outline: form, dataset and determinism from the tokens ------------------------------------

#: What can hide a keyword: comments, strings and IRIs. SPARQL's whitespace is space, tab, CR and
#: LF, and an IRI holds none, so "?a < ?b" is no IRI.
_HIDING = re.compile(
    # Each alternative checks its first character behind it, so that the engine skips ordinary text fast.
    r"""[#'"<](?:(?<=\#)[^\n]*
      | (?<=')''(?:[^'\\]|\\.|'(?!''))*'{3} | (?<=")""(?:[^"\\]|\\.|"(?!""))*"{3}
      | (?<=')(?:[^'\\\n]|\\.)*' | (?<=")(?:[^"\\\n]|\\.)*"
      | (?<=<)[^<>"{}|^`\\\x00-\x20]*>)""",
    re.VERBOSE | re.DOTALL,
)


def _keywords(*names: str) -> re.Pattern[str]:
    """NAMES as keywords in upper case, not in a variable (?FROM) or a prefixed name (EX:FROM, FROM:X)."""
    return re.compile(r"(?<![\w?$:.\-%\\])(?:" + "|".join(names) + r")(?![\w:\-])")


#: The form's keyword, after BASE and PREFIX declarations (whose IRIs are hidden).
_START = re.compile(r"(?:\s*(?:PREFIX\s*[^\s<]*|BASE)(?![\w:]))*\s*([A-Z]*)")
_FORMS = {form.value: form for form in Form}
_UPDATES = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
_FROM = _keywords("FROM")
#: SPARQL's functions whose value changes from one evaluation to the next.
_NON_DETERMINISTIC_NAMES = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})
_NON_DETERMINISTIC = _keywords(*_NON_DETERMINISTIC_NAMES)
#: Brackets open at once past which a query is refused: pyoxigraph's parser recurses on them and
#: crashes its process somewhere between 1,000 and 10,000 deep; real queries nest a dozen deep.
MAX_NESTING = 256
_NOT_BRACKET = re.compile(r"[^()\[\]{}]+")
_DEPTH = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def outline(text: str) -> CheckedQuery:
    """The canonical TEXT with its form and dataset, refusing updates; ``closed`` only if SERVICE cannot be in it.

    What the endpoint needs before the query runs (the form chooses the
    result formats) is read with regular expressions over the text with its
    comments, strings and IRIs hidden: a few milliseconds for 100 KB, in the
    server's event loop. The engine's own parser still decides the syntax,
    and whether the query is closed is not read from these.
    """
    text = canonical(text)
    code = _HIDING.sub(" ", text).upper()
    brackets = _NOT_BRACKET.sub("", code)
    if max(itertools.accumulate(map(_DEPTH.__getitem__, brackets)), default=0) > MAX_NESTING:
        raise QueryError(
            f"the query is nested too deeply (more than {MAX_NESTING} brackets open at once); "
            "flatten its expressions or groups"
        )
    start = _START.match(code)
    word = start.group(1) if start else ""
    if word in _UPDATES or not code.strip():
        raise ReadOnly(READ_ONLY)  # an empty text is a valid (empty) SPARQL Update too
    form = _FORMS.get(word)
    if form is None:
        raise QueryError(
            "SPARQL syntax error: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after BASE and PREFIX "
            f"declarations), not {(word or code.strip()[:20])[:40]!r}"
        )
    return CheckedQuery(
        text,
        form,
        has_dataset="FROM" in code and _FROM.search(code) is not None,
        deterministic=not any(name in code for name in _NON_DETERMINISTIC_NAMES)
        or _NON_DETERMINISTIC.search(code) is None,
        closed="service" not in text.casefold(),
    )


# --- the proof by rdflib's parser ----------------------------------------------------------------

#: rdflib's parser (pyparsing) is not thread-safe: each parse action learns how many arguments it
#: takes on its first call, and threads doing that at once can leave it wrong for good.
_PARSER_LOCK = threading.Lock()
#: pyparsing recurses about a dozen frames per triple pattern or operator: a flat group of 85
#: patterns passes Python's default limit of 1,000. The parse runs in a thread of its own with room
#: for far more frames; 32 MiB of stack was enough for 2,000 patterns, 5,000 operators and
#: MAX_NESTING brackets. The stack counts against a worker's memory limit.
_RECURSION_LIMIT = 200_000
_STACK_BYTES = 64 * 1024 * 1024


def prove_closed(query: CheckedQuery) -> CheckedQuery:
    """QUERY once rdflib's parse of its canonical text shows no SERVICE; Forbidden or QueryError otherwise."""
    outcome: list[CheckedQuery | BaseException] = []

    def parse() -> None:
        try:
            outcome.append(_parse(query))
        except BaseException as e:  # noqa: BLE001 - handed to the calling thread
            outcome.append(e)

    with _PARSER_LOCK:
        limit, stack = sys.getrecursionlimit(), threading.stack_size()
        sys.setrecursionlimit(_RECURSION_LIMIT)
        try:
            threading.stack_size(_STACK_BYTES)
            thread = threading.Thread(target=parse, name="rit-graph SPARQL check")
            try:
                thread.start()
            except RuntimeError as e:
                raise QueryError(f"the query cannot be checked now ({e}); try again") from e
            thread.join()
        finally:
            threading.stack_size(stack)
            sys.setrecursionlimit(limit)
    result = outcome[0]
    if isinstance(result, RecursionError):
        raise QueryError("the query is nested too deeply to be checked; flatten its expressions or groups") from result
    if isinstance(result, BaseException):
        raise result
    return result


def _parse(query: CheckedQuery) -> CheckedQuery:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.Query.parse_string(query.text, parse_all=True)
    except ParseException as e:
        raise QueryError(
            f"SPARQL syntax error at line {e.lineno}, column {e.column}: {e.msg}\n  {e.line}\n  {' ' * (e.column - 1)}^"
        ) from e
    if _contains(tree, "ServiceGraphPattern"):
        raise Forbidden(NO_SERVICE)
    body = tree[1]
    return replace(
        query, form=Form(body.name.removesuffix("Query").upper()), has_dataset="datasetClause" in body, closed=True
    )


def _contains(node: Any, name: str) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        return node.name == name or any(_contains(v, name) for v in node.values())
    if isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        return any(_contains(v, name) for v in node)
    return False


# --- outcomes remembered by text ------------------------------------------------------------------

#: How many query texts (of at most --max-body-bytes each) are remembered, oldest dropped first.
REMEMBERED_TEXTS = 1024
_REMEMBERED: dict[str, CheckedQuery | QueryError] = {}


def remembered(text: str) -> CheckedQuery | QueryError | None:
    """The outcome of checking TEXT if it was checked recently, acceptance or refusal: a dictionary lookup.

    Clients send the same texts again and again, and a refusal remembered
    costs an attacker's repeated text nothing.
    """
    return _REMEMBERED.get(text)


def remember(text: str, outcome: CheckedQuery | QueryError) -> None:
    _REMEMBERED.pop(text, None)
    _REMEMBERED[text] = outcome
    while len(_REMEMBERED) > REMEMBERED_TEXTS:
        _REMEMBERED.pop(next(iter(_REMEMBERED)), None)
