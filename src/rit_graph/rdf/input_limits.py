"""Limits on the text of an RDF file, checked before pyoxigraph parses it.

Past them the parser, or the steps after it, fail without a word (measured with
pyoxigraph 0.5.13): JSON-LD objects nested 3,000 deep take 1.7 GB to expand
(memory grows with the square of the depth) and at about 4,000 the process
crashes (SIGSEGV); a Turtle collection of a million members, a 3 MB file, takes
a build past 5.6 GB; a string or IRI longer than the parser's buffer (8 MiB in
JSON-LD, 16 MiB in Turtle) stops it with a MemoryError. Each limit lies far
above what real data needs, so a file past one is refused (exit 2) with the
place named and what to do.

Turtle and TriG are read once by the regular expression engine, which hands
Python only collections, deep nests and long tokens (100 MB in 0.4 s, a tenth
of the parse). N-Triples and N-Quads, which have no brackets, are read so only
if a line is longer than a token may be. JSON-LD, whose brackets are most of
its punctuation, is first checked with bytes operations alone (100 MB in 0.1
to 0.3 s), and read so only when they find a possible problem.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from rit_graph.errors import InputError, line_column

#: Levels of JSON-LD arrays and objects, or of Turtle collections and blank-node property
#: lists, one inside the other. Real documents nest a handful; pyoxigraph crashes at 4,000.
MAX_DEPTH = 100
#: Members of one Turtle collection ( … ). Each is two triples and a blank node, which the
#: steps after parsing walk one by one; real lists (authors, steps) have hundreds at most.
MAX_MEMBERS = 10_000
#: Bytes of one string, IRI or comment as written. The longest value the shapes allow, a
#: source text of 1,000,000 characters, takes at most 4,000,000; the parsers stop at 8 MiB
#: (a JSON-LD string) and 16 MiB (a Turtle token with what precedes it on its line).
MAX_TOKEN_BYTES = 4 * 2**20

_SHORTEN = (
    "shorten it: no value the shapes allow is this long (the longest, a source text, has at most 1,000,000 characters)"
)
_UNNEST = f"give the nested resources IRIs of their own and refer to them; no real data nests {MAX_DEPTH} deep"

#: A step of a scanner takes a string, IRI or comment whole if it has at most _ESCAPES escapes,
#: with at most _RUN characters around each: at most half of MAX_TOKEN_BYTES (4 bytes a
#: character). Python measures any other (``_refuse_long``), which long texts alone are.
_ESCAPES = 63
_RUN = MAX_TOKEN_BYTES // (2 * 4 * (_ESCAPES + 1))


def _token(opening: str, closing: str, plain: str, inner: str, bounded: bool) -> str:
    """The pattern of a token from OPENING to CLOSING: runs of PLAIN characters (a class)
    between INNER pieces (escapes), as ``_ESCAPES`` and ``_RUN`` bound them if BOUNDED."""
    run = f"{plain}{{0,{_RUN}}}+" if bounded else f"{plain}*+"
    pieces = f"{{0,{_ESCAPES}}}+" if bounded else "*+"
    return f"{opening}{run}(?:(?:{inner}){run}){pieces}{closing}"


def _turtle_tokens(bounded: bool) -> tuple[str, str, str]:
    """The patterns of Turtle's strings (four quotings), IRIs and comments."""
    strings = "|".join(
        [
            _token('"""', '"""', r'[^"\\]', r'\\.|"(?!"")', bounded),
            _token('"(?!"")', '"', r'[^"\\\n\r]', r"\\.", bounded),
            _token("'''", "'''", r"[^'\\]", r"\\.|'(?!'')", bounded),
            _token("'(?!'')", "'", r"[^'\\\n\r]", r"\\.", bounded),
        ]
    )
    iri = _token("<", ">", r'[^<>"{}|^`\\\x00-\x20]', r"\\.", bounded)
    comment = rf"\#[^\n\r]{{0,{_RUN}}}+(?![^\n\r])" if bounded else r"\#[^\n\r]*+"
    return strings, iri, comment


_STRING, _IRI, _COMMENT = _turtle_tokens(bounded=True)
#: A prefixed name, blank node label, number or keyword.
_NAME = r"""(?:[^\s"'<>\#()\[\]{}\\,;^@|~]|\\.)++"""
#: Turtle without brackets: names, punctuation, the tokens above, RDF 1.2's <<.
_FLAT = rf"""[^"'<\#()\[\]\\]++|{_STRING}|{_IRI}|{_COMMENT}|\\.|<<"""
#: Levels of blank-node property lists that a step takes whole, without a look from Python
#: (real data has one or two); used while the levels already open leave room for them.
_GROUP_LEVELS = 4


def _group(levels: int) -> str:
    """The pattern of a blank-node property list [ … ] with up to LEVELS levels and no collection."""
    group = rf"\[(?:{_FLAT})*+\]"
    for _ in range(levels - 1):
        group = rf"\[(?:{_FLAT}|{group})*+\]"
    return group


_GROUP = _group(_GROUP_LEVELS)
#: A step through Turtle: what needs no look, then the character that does ("event"), or ""
#: at the end; near the depth limit, without taking blank-node property lists whole.
_TURTLE_STEP = re.compile(rf"(?:{_FLAT}|{_GROUP})*+(?P<event>.|\Z)", re.DOTALL)
_FLAT_STEP = re.compile(rf"(?:{_FLAT})*+(?P<event>.|\Z)", re.DOTALL)
#: A step through a collection: space, comments, a literal's language or datatype and RDF
#: 1.2's marks, then a member ("member") or the character after them ("event").
_MEMBER_STEP = re.compile(
    rf"""(?:\s++|{_COMMENT}|@[A-Za-z0-9-]++|\^\^\s*+(?:{_IRI}|{_NAME})|<<|>>|\{{\||\|\}}|~)*+"""
    rf"""(?:(?P<member>{_STRING}|{_IRI}|{_NAME}|{_GROUP})|(?P<event>.|\Z))""",
    re.DOTALL,
)
#: A token whole, however long: what an event may start.
_TURTLE_TOKEN = re.compile(
    "|".join(
        f"(?P<{kind}>{p})" for kind, p in zip(("string", "IRI", "comment"), _turtle_tokens(bounded=False), strict=True)
    )
)
_TOKEN_STARTS = ('"', "'", "<", "#")
_CLOSING = {"(": ")", "[": "]"}

_JSON_STRING = _token('"', '"', r'[^"\\]', r"\\.", bounded=True)
_JSON_STEP = re.compile(rf"""(?:[^"\[\]{{}}]++|{_JSON_STRING})*+(?P<event>.|\Z)""", re.DOTALL)
_JSON_TOKEN = re.compile("(?P<string>" + _token('"', '"', r'[^"\\]', r"\\.", bounded=False) + ")")

_KINDS = {"string": "a string", "IRI": "an IRI", "comment": "a comment"}


def check(path: Path, text: str, data: bytes, rdf_format: ox.RdfFormat) -> None:
    """Refuse TEXT, the content of PATH (DATA in UTF-8), if it nests deeper, holds a longer
    collection or a longer token than the limits allow; an InputError names the place."""
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        _scan_turtle(path, text)
    elif rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        # No brackets, and no token that spans lines.
        if len(data) > MAX_TOKEN_BYTES and _may_hold_run(data, b"\n", MAX_TOKEN_BYTES):
            _scan_turtle(path, text)
    elif rdf_format == ox.RdfFormat.JSON_LD and _json_may_exceed(data):
        _scan_json(path, text)


def _scan_turtle(path: Path, text: str) -> None:
    """Refuse TEXT (Turtle, TriG, N-Triples or N-Quads) past a limit. The scan stops quietly
    where the text is not Turtle: the parser says where."""
    # Where each open collection or blank-node property list starts; 1 once a collection is counted.
    opened: list[list[int]] = []
    at = 0
    while True:
        step = (_TURTLE_STEP if len(opened) + _GROUP_LEVELS <= MAX_DEPTH else _FLAT_STEP).match(text, at)
        assert step is not None  # each step matches, the end if nothing else
        at = step.end()
        event = step.group("event")
        # A collection has no more members than characters: only a long one is counted.
        if opened and text[opened[-1][0]] == "(" and not opened[-1][1] and at - opened[-1][0] > MAX_MEMBERS:
            opened[-1][1] = 1
            _count_members(path, text, opened[-1][0])
        if event in _CLOSING:
            if len(opened) == MAX_DEPTH:
                raise _too_deep(path, text, at - 1, "collections and blank-node property lists")
            opened.append([at - 1, 0])
        elif opened and event == _CLOSING[text[opened[-1][0]]]:
            opened.pop()
        elif event in _TOKEN_STARTS and (token := _TURTLE_TOKEN.match(text, at - 1)) is not None:
            _refuse_long(path, text, token)
            at = token.end()
        else:
            return


def _count_members(path: Path, text: str, start: int) -> None:
    """Refuse the collection of TEXT that opens at START if it has more than MAX_MEMBERS members."""
    members = 0
    nested = 0  # levels open within the member being read
    at = start + 1
    while members <= MAX_MEMBERS:
        step = (_TURTLE_STEP if nested else _MEMBER_STEP).match(text, at)
        assert step is not None  # each step matches, the end if nothing else
        at = step.end()
        event = step.group("event")
        if not nested and step.group("member") is not None:
            members += 1
        elif event in _CLOSING:
            members += not nested
            nested += 1
        elif event in (")", "]") and nested:
            nested -= 1
        elif event in _TOKEN_STARTS and (token := _TURTLE_TOKEN.match(text, at - 1)) is not None:
            members += not nested and token.lastgroup != "comment"
            at = token.end()
        else:
            return  # its end, or what the parser will refuse
    raise InputError(
        path,
        f"holds a collection ( … ) of more than {MAX_MEMBERS:,} members",
        "split the list, or state its members as triples of their own instead of an RDF collection",
        *line_column(text, start),
    )


def _scan_json(path: Path, text: str) -> None:
    """Refuse TEXT (JSON-LD) past a limit. The scan stops quietly where the text is not JSON."""
    depth = 0
    at = 0
    while True:
        step = _JSON_STEP.match(text, at)
        assert step is not None  # it matches, the end if nothing else
        at = step.end()
        event = step.group("event")
        if event in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(path, text, at - 1, "arrays and objects")
        elif event in ("]", "}") and depth:
            depth -= 1
        elif event == '"' and (token := _JSON_TOKEN.match(text, at - 1)) is not None:
            _refuse_long(path, text, token)
            at = token.end()
        else:
            return


def _too_deep(path: Path, text: str, at: int, what: str) -> InputError:
    return InputError(
        path, f"nests {what} more than {MAX_DEPTH} levels deep (the limit)", _UNNEST, *line_column(text, at)
    )


def _refuse_long(path: Path, text: str, token: re.Match[str]) -> None:
    """Refuse TOKEN (a string, IRI or comment of TEXT) if it has more than MAX_TOKEN_BYTES."""
    characters = token.end() - token.start()
    if characters * 4 <= MAX_TOKEN_BYTES:
        return
    size = len(token.group().encode("utf-8"))
    if size > MAX_TOKEN_BYTES:
        raise InputError(
            path,
            f"holds {_KINDS[token.lastgroup or '']} of {size:,} bytes, "
            f"more than the {MAX_TOKEN_BYTES:,} (4 MiB) a string, IRI or comment may have",
            _SHORTEN,
            *line_column(text, token.start()),
        )


#: JSON's brackets, an object's taken for an array's (nesting is all that counts), and its quotes.
_ARRAYS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS_OR_QUOTES = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_QUOTED = re.compile(rb'"[^"]*+"')


def _json_may_exceed(data: bytes) -> bool:
    """Whether DATA (JSON) may nest deeper than MAX_DEPTH or hold a string longer than
    MAX_TOKEN_BYTES; False only if it does not. Bytes operations only: 100 MB in 0.3 s."""
    if b"\\" in data:
        # Escaped quotes and backslashes are neither for what follows; the length stays.
        data = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    if len(data) > MAX_TOKEN_BYTES and _may_hold_run(data, b'"', MAX_TOKEN_BYTES - 1):
        return True
    # Brackets and quotes alone. Two quotes in a row enclose no bracket (a string, or the
    # space between two), so they go; then the strings that do enclose one.
    skeleton = data.translate(_ARRAYS, _NOT_BRACKETS_OR_QUOTES).replace(b'""', b"")
    if b'"' in skeleton:
        skeleton = _QUOTED.sub(b"", skeleton)
    # Each pass takes the innermost level away.
    for _ in range(MAX_DEPTH):
        if b"[]" not in skeleton:
            return False
        skeleton = skeleton.replace(b"[]", b"")
    return b"[]" in skeleton


def _may_hold_run(data: bytes, byte: bytes, length: int) -> bool:
    """Whether DATA may hold LENGTH bytes in a row without BYTE; False only if it does not.

    A run that long covers one of the stretches of half its length that start at
    multiples of it, so those alone are searched: a few fast searches per file.
    """
    half = length // 2
    return any(data.find(byte, start, start + half) == -1 for start in range(0, len(data) - half + 1, half))
