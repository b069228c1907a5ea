"""Read one RDF file safely: as UTF-8 text, within the limits the parser can bear, never fetching.

Files are parsed with pyoxigraph (ten times faster than rdflib and precise
about where a syntax error is). Blank nodes get labels derived from the file
and their order of appearance (``BlankNodeLabels``), so the same input always
gives the same triples and byte-identical dumps.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from pathlib import Path

import pyoxigraph as ox

from rit_graph.errors import InputError, line_column
from rit_graph.rdf import input_limits
from rit_graph.rdf.formats import for_path

Term = ox.NamedNode | ox.BlankNode | ox.Literal


#: Byte order marks of encodings other than UTF-8, which editors on Windows save files in.
_OTHER_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SAVE_AS_UTF8 = "save the file as UTF-8"


def read_text(path: Path) -> str:
    """A file's text, decoded as UTF-8; an error names the line and column of a bad byte.

    A UTF-8 byte order mark is dropped: it marks the encoding and is no part
    of the text (a source text would otherwise start with it and every quote
    position be one off).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise InputError(path, "file not found", "create the file or remove what refers to it") from e
    except OSError as e:
        raise InputError(path, f"cannot read file: {e.strerror}") from e
    for mark, encoding in _OTHER_ENCODINGS:
        if data.startswith(mark):
            raise InputError(
                path, f"not UTF-8 but {encoding} (it starts with a {encoding} byte order mark)", _SAVE_AS_UTF8, 1, 1
            )
    data = data.removeprefix(codecs.BOM_UTF8)
    if b"\x00" in data:
        # No text holds NUL characters; a UTF-16 file without byte order mark does, every other byte.
        before = data[: data.index(b"\x00")].decode("utf-8", errors="replace")
        raise InputError(
            path,
            "holds NUL characters: the file is UTF-16 or binary, not UTF-8 text",
            _SAVE_AS_UTF8,
            *line_column(before, len(before)),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        # The bytes before the bad one decode; columns count characters, as editors and the RDF parsers do.
        before = data[: e.start].decode("utf-8")
        raise InputError(
            path,
            f"not valid UTF-8: byte 0x{data[e.start]:02x} cannot be decoded ({e.reason})",
            _SAVE_AS_UTF8,
            *line_column(before, len(before)),
        ) from e
    _refuse_unshowable(path, text)
    return text


#: The characters no XML 1.0 document can hold, not even as character references (U+0000 is refused
#: in ``read_text``). RDF allows them in literals, but no RDF/XML page, SPARQL XML result or HTML page
#: could carry them, and in a text they are an accident (a form feed from a PDF's page break).
_UNSHOWABLE = "\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
_UNSHOWABLE_CHARACTER = re.compile(f"[{_UNSHOWABLE}]")
#: One of those or U+0000 written as an escape (Turtle, N-Triples, TriG, N-Quads, JSON). It starts
#: with a plain backslash, which the regular expression engine looks for fast.
_UNSHOWABLE_ESCAPE = re.compile(r"\\(?:u|U0000)(?:000[0-8bcefBCEF]|001[0-9a-fA-F]|[fF]{3}[eEfF])")
_REMOVE_IT = "remove it, or write a space or a line break in its place"


def _refuse_unshowable(path: Path, text: str) -> None:
    """Refuse a text holding a character of ``_UNSHOWABLE``, naming its line and column."""
    found = _UNSHOWABLE_CHARACTER.search(text)
    if found is not None:
        raise InputError(
            path,
            f"holds the control character U+{ord(found.group()):04X}, which no page or XML file can carry",
            _REMOVE_IT,
            *line_column(text, found.start()),
        )


def _unescaped(text: str, at: int) -> bool:
    """Whether the backslash at AT starts an escape: an even number of backslashes comes before it."""
    before = at
    while before > 0 and text[before - 1] == "\\":
        before -= 1
    return (at - before) % 2 == 0


def _refuse_unshowable_escapes(path: Path, text: str, quads: list[ox.Quad]) -> None:
    """Refuse a literal holding U+0000 or a character of ``_UNSHOWABLE`` written as an escape.

    The place named is the first such escape in the file, once the parsed
    literals show that it was not inside an IRI or a comment.
    """
    escape = next((e for e in _UNSHOWABLE_ESCAPE.finditer(text) if _unescaped(text, e.start())), None)
    if escape is None:
        return
    unshowable = re.compile(f"[\x00{_UNSHOWABLE}]")
    for q in quads:
        if isinstance(q.object, ox.Literal) and (found := unshowable.search(q.object.value)):
            name = "NUL" if found.group() == "\x00" else "a control character"
            raise InputError(
                path,
                f"the text of {q.subject} {q.predicate} holds U+{ord(found.group()):04X} ({name}), "
                "which no page or XML file can carry",
                f"remove the escape {escape.group()}, or write a space or a line break in its place"
                + ("; xsd:string does not allow U+0000" if name == "NUL" else ""),
                *line_column(text, escape.start()),
            )


def parse_file(path: Path, base_iri: str, key: str = "") -> list[ox.Triple]:
    """The triples of one RDF file (graph names dropped), relative IRIs resolved against BASE_IRI.

    KEY (the file's path within its project) keeps blank nodes of different
    files apart while their labels stay the same wherever the project lies.
    """
    labels = BlankNodeLabels(key or path.name)
    blank = ox.BlankNode
    return [
        ox.Triple(
            labels(q.subject) if isinstance(q.subject, blank) else q.subject,  # type: ignore[arg-type]
            q.predicate,
            labels(q.object) if isinstance(q.object, blank) else q.object,
        )
        for q in read_rdf(path, base_iri)
    ]


def read_rdf(path: Path, base_iri: str) -> list[ox.Quad]:
    """The quads of one RDF file as written (TriG and N-Quads keep their graph names), or an InputError.

    The one place every RDF file of rit-graph is read: it refuses what would
    make it fetch, what is past the limits the parser and the build can bear
    (``input_limits``), what the parser refuses, what JSON-LD would drop without
    a word and what no page or XML file could carry.
    """
    rdf_format = for_path(path)
    if rdf_format is None:
        raise InputError(path, "not an RDF file", "use one of the extensions .ttl .nt .trig .nq .jsonld .rdf")
    text = read_text(path)
    _refuse_fetching(path, text, rdf_format.oxigraph)
    data = text.encode("utf-8")
    input_limits.check(path, text, data, rdf_format.oxigraph)
    try:
        parsed = list(ox.parse(data, rdf_format.oxigraph, base_iri=base_iri))
    except SyntaxError as e:
        raise InputError(
            path,
            f"{rdf_format.name} syntax error: {_reason(e)}",
            f"correct the {rdf_format.name} syntax at that place",
            e.lineno,
            e.offset,
        ) from e
    except MemoryError as e:
        # pyoxigraph's buffer (16 MiB) holds a token and what precedes it on its line; the
        # limits keep strings, IRIs and comments far below, not names, numbers or lines.
        if "buffer maximal size" not in str(e):
            raise
        raise InputError(
            path,
            f"{rdf_format.name}: a name, number or line is longer than the parser can read ({e} bytes)",
            "shorten it, or break the line",
        ) from e
    if rdf_format.oxigraph == ox.RdfFormat.JSON_LD:
        _refuse_dropped(path, text, base_iri, len(parsed))
    _refuse_unshowable_escapes(path, text, parsed)
    return parsed


#: An XML entity whose text is elsewhere: ``<!ENTITY name SYSTEM "http://…">`` (or PUBLIC, or a parameter entity).
_EXTERNAL_ENTITY = re.compile(r"<!ENTITY\s+(?:%\s+)?[^\s>]+\s+(?:SYSTEM|PUBLIC)\b")
#: A JSON-LD context named by URL: ``"@context": "http://…"`` (alone or in a list) or ``"@import": "http://…"``.
_REMOTE_CONTEXT = re.compile(r'"@(?:context|import)"\s*:\s*\[?\s*"([^"]*)"')


def _refuse_fetching(path: Path, text: str, rdf_format: ox.RdfFormat) -> None:
    """Refuse a file that would need something fetched: a remote JSON-LD context or an external XML entity.

    pyoxigraph fetches neither (it fails on a missing loader, or on an entity
    without quotes); the message says what the file asks for and how to do without.
    """
    if rdf_format == ox.RdfFormat.RDF_XML and (entity := _EXTERNAL_ENTITY.search(text)):
        raise InputError(
            path,
            "declares an external XML entity (SYSTEM or PUBLIC), which rit-graph never loads",
            'write its text into the file, or declare the entity with its text: <!ENTITY name "text">',
            *line_column(text, entity.start()),
        )
    if rdf_format == ox.RdfFormat.JSON_LD:
        for remote in _REMOTE_CONTEXT.finditer(text):
            if "://" in remote.group(1):
                raise InputError(
                    path,
                    f"names the remote JSON-LD context {remote.group(1)}, which rit-graph never fetches",
                    "write the context into the file: an object under @context",
                    *line_column(text, remote.start()),
                )


class BlankNodeLabels:
    """Relabel a file's blank nodes as <file hash>n<order of appearance>."""

    def __init__(self, key: str) -> None:
        self._prefix = "b" + hashlib.sha1(key.encode()).hexdigest()[:8]
        self._labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def __call__(self, term: Term) -> Term:
        if not isinstance(term, ox.BlankNode):
            return term
        label = self._labels.get(term)
        if label is None:
            label = self._labels[term] = ox.BlankNode(f"{self._prefix}n{len(self._labels)}")
        return label


def _refuse_dropped(path: Path, text: str, base_iri: str, kept: int) -> None:
    """Refuse a JSON-LD file whose parsing dropped statements (KEPT is how many it gave).

    JSON-LD drops, without an error, every statement with an IRI that is not
    one (a space, "<", a bad %-escape, a key the context does not define) or
    a malformed language tag. Parsed without those checks, the file gives
    them too; the first bad term is named with the line where it is written.
    """
    lenient = list(ox.parse(text.encode("utf-8"), ox.RdfFormat.JSON_LD, base_iri=base_iri, lenient=True))
    if len(lenient) == kept:
        return
    for quad in lenient:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            problem = _invalid(term)
            if problem is None:
                continue
            value, what, reason = problem
            raise InputError(
                path,
                f"{what} {json.dumps(value, ensure_ascii=False)} is not valid ({reason}), "
                "and JSON-LD drops its statement without a word",
                "write a full IRI (https://…) without spaces or <>, an IRI relative to the base IRI, "
                'or a term the @context defines; a language tag such as "de"',
                *_written_at(text, value),
            )
    raise InputError(path, f"JSON-LD dropped {len(lenient) - kept} statement(s)", "check the file's IRIs and terms")


def _invalid(term: object) -> tuple[str, str, str] | None:
    """The value, kind and reason of what is malformed in TERM: an IRI or a language tag."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
    elif isinstance(term, ox.Literal):
        iri = term.datatype.value
    else:
        return None
    try:
        ox.NamedNode(iri)
    except ValueError as e:
        return iri, "the IRI", str(e)
    if isinstance(term, ox.Literal) and term.language:
        try:
            ox.Literal(term.value, language=term.language)
        except ValueError as e:
            return term.language, "the language tag", str(e)
    return None


def _written_at(text: str, value: str) -> tuple[int | None, int | None]:
    """Line and column of the JSON string in TEXT that VALUE was expanded from.

    The string may be VALUE or its end (an IRI relative to the base, or a
    compact IRI after its colon): the longest end of VALUE, from a start of
    one of its parts, that is a whole JSON string, else one after a colon.
    """
    starts = [0] + [i + 1 for i, c in enumerate(value) if c in ":/#" and i + 1 < len(value)]
    for opening in ('"', ":"):
        for start in starts:
            at = text.find(opening + json.dumps(value[start:], ensure_ascii=False)[1:])
            if at != -1:
                return line_column(text, at + 1)
    return None, None


def _reason(error: SyntaxError) -> str:
    message = str(error.msg)
    # pyoxigraph prefixes "Parser error at line L column C: "; the location is reported separately.
    return message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message
