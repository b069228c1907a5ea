"""Bad input: a clear message naming the file (and line and column), its own exit code, and nothing lost.

Each case damages a fresh copy of the minimal project with a small file from
tests/bad_input/ (or an edit) and runs both commands that read the project.
What cannot be read, or is past the input limits (nesting, collection
length, a 4 MiB token), is an input error (exit 2), named by file, line and
column. What can be read but is wrong, such as a date that is no date, an
absurdly long value, two announcements contradicting each other or a quote
its source does not contain, is a violation of the shapes (exit 1), named by
resource, folder, property and value, with the shape's words on how to fix it.
"""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import tree
from projects import MINI, copy_project

from rit_graph.cli import cli
from rit_graph.errors import EXIT_INPUT, EXIT_VIOLATIONS

BAD = Path(__file__).parent / "bad_input"
MINI_ANNOUNCEMENT = Path("data") / "announcements" / "mini"
REFERENCE = Path("data") / "reference" / "reference.ttl"
#: The report prints at most this many characters of a value (validate.SHOWN_CHARACTERS).
SHOWN = 200


def add_reference(name: str) -> Callable[[Path], Path]:
    def damage(project: Path) -> Path:
        return Path(shutil.copy(BAD / name, project / "data" / "reference" / name))

    return damage


def write_reference(name: str, text: str | Callable[[], str]) -> Callable[[Path], Path]:
    """A reference file NAME holding TEXT, or what TEXT() makes (big texts are made when needed)."""

    def damage(project: Path) -> Path:
        path = project / "data" / "reference" / name
        path.write_text(text if isinstance(text, str) else text(), encoding="utf-8")
        return path

    return damage


def replace(relative: Path, old: str, new: str) -> Callable[[Path], Path]:
    """Replace OLD, which occurs once, by NEW in the project's file RELATIVE; the file is named."""

    def damage(project: Path) -> Path:
        path = project / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    return damage


def settings(name: str) -> Callable[[Path], Path]:
    def damage(project: Path) -> Path:
        return Path(shutil.copy(BAD / name, project / "rit-graph.toml"))

    return damage


def remove_source_text(project: Path) -> Path:
    source = project / MINI_ANNOUNCEMENT / "source.txt"
    source.unlink()
    return source


def replace_source_text(name: str) -> Callable[[Path], Path]:
    def damage(project: Path) -> Path:
        return Path(shutil.copy(BAD / name, project / MINI_ANNOUNCEMENT / "source.txt"))

    return damage


def remove_announcement_rdf(project: Path) -> Path:
    folder = project / MINI_ANNOUNCEMENT
    (folder / "announcement.ttl").unlink()
    return folder


def rename_announcement_folder(project: Path) -> Path:
    """The folder name is the announcement's name; the RDF still describes id/announcement/mini."""
    folder = project / MINI_ANNOUNCEMENT
    return folder.rename(folder.with_name("other"))


def not_a_project(project: Path) -> Path:
    shutil.rmtree(project / "shapes")
    return project


def add_contradicting_announcement(project: Path) -> Path:
    """A second announcement that gives the first (mini) another German label."""
    return Path(shutil.copytree(BAD / "second-announcement", project / "data" / "announcements" / "second"))


#: Just under the 4 MiB a string may have (input_limits.MAX_TOKEN_BYTES): readable, but no label.
FOUR_MB_LABEL = ("Kitakyushu " * 400_000)[:4_000_000]
ONE_MB_DESCRIPTION = "Ein Cluster. " * 80_000
ONE_MB_LINE = (
    '@prefix rit: <ontology#> .\n<id/organisation/cluster> rit:description "' + ONE_MB_DESCRIPTION + '"@de .\n'
)


TURTLE_PREFIX = "@prefix rit: <ontology#> .\n"
SEVENTEEN_MIB = 17 * 2**20


def nested_jsonld(depth: int) -> str:
    """A JSON-LD resource whose part has a part, and so on: DEPTH objects, about 9 bytes each."""
    return (
        '{"@context": {"@vocab": "https://example.org/kb/ontology#"},\n'
        ' "@id": "id/place/deep",\n'
        ' "part": ' + '{"part": ' * (depth - 1) + '"bottom"' + "}" * depth + "\n"
    )


def nested_turtle(depth: int) -> str:
    """Blank nodes within blank nodes, DEPTH levels."""
    return TURTLE_PREFIX + "<id/place/deep> rit:part " + "[ rit:part " * depth + "1" + " ]" * depth + " .\n"


def long_collection() -> str:
    """A collection of a million blank nodes: 3 MB."""
    return TURTLE_PREFIX + "<id/place/kitakyushu> rit:parts (" + " []" * 1_000_000 + " ) .\n"


def long_string() -> str:
    return TURTLE_PREFIX + '<id/organisation/cluster> rit:description "' + "x" * SEVENTEEN_MIB + '"@de .\n'


def long_name() -> str:
    return TURTLE_PREFIX + "<id/place/kitakyushu> rit:" + "x" * SEVENTEEN_MIB + " 1 .\n"


def long_jsonld_string() -> str:
    description = "https://example.org/kb/ontology#description"
    return '{"@id": "id/place/kitakyushu",\n "' + description + '": "' + "x" * 9 * 2**20 + '"}\n'


@dataclass(frozen=True)
class Case:
    #: Damages the project; returns the file or folder the message names.
    damage: Callable[[Path], Path]
    #: Exit 2: the words after the file's name. Exit 1: lines of the report, as printed.
    words: str
    exit_code: int = EXIT_INPUT


CASES: dict[str, Case] = {
    # Syntax
    "malformed Turtle": Case(add_reference("malformed.ttl"), ":5:1: turtle syntax error: A dot is expected"),
    "malformed JSON-LD": Case(
        add_reference("malformed.jsonld"),
        ":4:3: jsonld syntax error: Object values must be followed by a comma",
    ),
    "syntax error at the end of a 1 MB line": Case(
        write_reference("long-line.ttl", ONE_MB_LINE.replace('"@de .', '"@de , .')),
        ":2:1040051: turtle syntax error: . is not a valid RDF object",
    ),
    "remote JSON-LD context": Case(
        add_reference("remote-context.jsonld"),
        ":2:3: names the remote JSON-LD context https://schema.org/, which rit-graph never fetches",
    ),
    # Invalid IRIs: Turtle refuses them; JSON-LD would drop their statements without a word.
    "IRI with a space in Turtle": Case(
        add_reference("iri-space.ttl"), ":3:1: turtle syntax error: Invalid IRI code point ' '"
    ),
    "IRI with <> in Turtle": Case(
        add_reference("iri-angle-brackets.ttl"), ":3:32: turtle syntax error: Invalid IRI code point '<'"
    ),
    "IRI with a bad \\u escape in Turtle": Case(
        add_reference("iri-bad-escape.ttl"),
        ":3:16: turtle syntax error: The escape sequence '\\u00ZZ' is not a valid hexadecimal string",
    ),
    "IRI with a bad %-escape in Turtle": Case(
        add_reference("iri-bad-percent.ttl"), ":3:1: turtle syntax error: Invalid IRI percent encoding '%ZZ'"
    ),
    "IRI with a space in a JSON-LD @id": Case(
        add_reference("iri-space.jsonld"),
        ":2:11: the IRI \"http://exa mple/munich\" is not valid (Invalid IRI code point ' '), "
        "and JSON-LD drops its statement without a word",
    ),
    "relative IRI with <> in a JSON-LD @id": Case(
        add_reference("iri-angle-brackets.jsonld"),
        ":4:29: the IRI \"https://example.org/kb/id/place/<munich>\" is not valid (Invalid IRI code point '<')",
    ),
    "JSON-LD key the context does not define": Case(
        add_reference("undefined-term.jsonld"),
        ':5:4: the IRI "label" is not valid (No scheme found in an absolute IRI)',
    ),
    "malformed language tag in JSON-LD": Case(
        add_reference("bad-language-tag.jsonld"),
        ':3:86: the language tag "deutsch!" is not valid (The given language subtag is invalid)',
    ),
    # Past the input limits (input_limits): the parser would crash, stop, or leave the build without memory.
    "JSON-LD nested 5,000 deep": Case(
        write_reference("deep.jsonld", lambda: nested_jsonld(5_000)),
        ":3:901: nests arrays and objects more than 100 levels deep (the limit)",
    ),
    "blank nodes nested 101 deep in Turtle": Case(
        write_reference("deep.ttl", nested_turtle(101)),
        ":2:1126: nests collections and blank-node property lists more than 100 levels deep (the limit)",
    ),
    "Turtle collection of a million members": Case(
        write_reference("long-list.ttl", long_collection),
        ":2:33: holds a collection ( … ) of more than 10,000 members",
    ),
    "string literal of 17 MiB": Case(
        write_reference("long-string.ttl", long_string),
        ":2:43: holds a string of 17,825,794 bytes, more than the 4,194,304 (4 MiB) a string, IRI or comment may have",
    ),
    "JSON-LD string of 9 MiB": Case(
        write_reference("long-string.jsonld", long_jsonld_string),
        ":2:49: holds a string of 9,437,186 bytes, more than the 4,194,304 (4 MiB)",
    ),
    "name of 17 MiB": Case(
        write_reference("long-name.ttl", long_name),
        ": turtle: a name, number or line is longer than the parser can read "
        "(Reached the buffer maximal size of 16777216 bytes)",
    ),
    # Encodings
    "broken UTF-8": Case(add_reference("broken-encoding.ttl"), ":3:32: not valid UTF-8: byte 0xfc"),
    # The column counts characters: "ü" and "–" before the bad byte take 2 and 3 bytes.
    "mixed encodings": Case(add_reference("mixed-encoding.ttl"), ":3:59: not valid UTF-8: byte 0xe8"),
    "UTF-16 with byte order mark": Case(
        add_reference("utf16.ttl"), ":1:1: not UTF-8 but UTF-16 (it starts with a UTF-16 byte order mark)"
    ),
    "UTF-16 without byte order mark": Case(
        add_reference("utf16-no-bom.ttl"), ":1:2: holds NUL characters: the file is UTF-16 or binary"
    ),
    "source text in Latin-1": Case(replace_source_text("source-latin1.txt"), ":3:89: not valid UTF-8: byte 0xfc"),
    # Announcements and settings
    "missing source text": Case(remove_source_text, ": missing source text"),
    "announcement folder without RDF": Case(remove_announcement_rdf, ": announcement folder without RDF"),
    "announcement folder named otherwise": Case(rename_announcement_folder, ": no announcement described"),
    "unknown setting": Case(settings("unknown-setting.toml"), ": unknown setting [project] base_irl"),
    "base IRI without slash": Case(settings("no-slash.toml"), ": base_iri must end with '/'"),
    "not a project": Case(not_a_project, ": not a rit-graph project: missing folder(s) shapes/"),
    # Readable, but wrong: violations of the shapes.
    "date that is no date": Case(
        replace(REFERENCE, '"2015-06-28"^^xsd:date', '"abc"^^xsd:date'),
        "<id/event/talks>  “Talks”\n  in data/reference/\n"
        '  violation: rit:startDate "abc": a visit needs exactly one start date: an xsd:date (2015-06-22), '
        "for a month an xsd:gYearMonth (2015-09), for a year an xsd:gYear (2015), "
        "or an xsd:dateTime (2015-06-22T10:00:00+09:00)\n\n1 violation(s)",
        EXIT_VIOLATIONS,
    ),
    "date with month 13": Case(
        replace(REFERENCE, '"2015-07-04"^^xsd:date', '"2015-13-45"^^xsd:date'),
        '  violation: rit:endDate "2015-13-45": a visit has at most one end date: an xsd:date, xsd:gYearMonth, '
        "xsd:gYear or xsd:dateTime\n\n1 violation(s)",
        EXIT_VIOLATIONS,
    ),
    "integer in words": Case(
        replace(REFERENCE, "rit:amount 880 ;", 'rit:amount "achthundert"^^xsd:integer ;'),
        "<id/distance/kitakyushu-tokyo>  “Distance”\n  in data/reference/\n"
        '  violation: rit:amount "achthundert": needs exactly one amount (rit:amount), a number such as 150'
        "\n\n1 violation(s)",
        EXIT_VIOLATIONS,
    ),
    "integer datatype on a code": Case(
        replace(REFERENCE, 'rit:currency "EUR" ;', 'rit:currency "EUR"^^xsd:integer ;'),
        '  violation: rit:currency "EUR": needs exactly one currency (rit:currency), an ISO 4217 code such as "EUR"'
        "\n\n1 violation(s)",
        EXIT_VIOLATIONS,
    ),
    "label of 4 million characters": Case(
        replace(REFERENCE, '"Kitakyushu"@de', f'"{FOUR_MB_LABEL}"@de'),
        "<id/place/kitakyushu>  “Kitakyushu”\n  in data/reference/\n"
        f'  violation: rdfs:label "{FOUR_MB_LABEL[:SHOWN]}…"@de (4,000,000 characters): '
        "a label is a name of at most 200 characters: shorten it",
        EXIT_VIOLATIONS,
    ),
    "value of a million characters on one line": Case(
        write_reference("long-line.ttl", ONE_MB_LINE),
        "<id/organisation/cluster>  “A cluster”\n  in data/reference/\n"
        f'  violation: rit:description "{ONE_MB_DESCRIPTION[:SHOWN]}…"@de (1,040,000 characters): '
        "the value is longer than 10,000 characters: shorten it",
        EXIT_VIOLATIONS,
    ),
    "two announcements contradicting each other": Case(
        add_contradicting_announcement,
        "<id/announcement/mini>  “A small test announcement”\n"
        "  in data/announcements/mini/, data/announcements/second/\n"
        '  violation: rdfs:label: needs exactly one German label: add rdfs:label "…"@de\n\n1 violation(s)',
        EXIT_VIOLATIONS,
    ),
    "quote not in its source text": Case(
        replace(MINI_ANNOUNCEMENT / "announcement.ttl", 'oa:exact "Kleine Meldung', 'oa:exact "Große Meldung'),
        "<id/announcement/mini/quote/headline>\n  in data/announcements/mini/\n"
        '  violation: oa:exact "Große Meldung zum Test": (in oa:hasTarget/oa:hasSelector) '
        "the quote does not occur in the source text: copy the words from source.txt exactly",
        EXIT_VIOLATIONS,
    ),
}


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real build of the minimal project: the previous output every failed build must leave as it was."""
    project = copy_project(MINI, tmp_path_factory.mktemp("previous") / "project")
    out = project.parent / "dist"
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_names_the_place_and_how_to_fix_it(mini_folder: Path, case: str) -> None:
    bad = CASES[case]
    named = bad.damage(mini_folder)
    result = CliRunner().invoke(cli, ["validate", "--project", str(mini_folder)])
    assert result.exit_code == bad.exit_code, result.output
    if bad.exit_code == EXIT_INPUT:
        assert result.output.startswith(f"Error: {named.resolve()}{bad.words}")
        assert "how to fix:" in result.output
    else:
        assert bad.words in result.output
    assert "Traceback" not in result.output
    assert len(result.output) < 5_000, "long values are cut, not printed whole"


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_writes_nothing_and_keeps_the_previous_output(
    mini_folder: Path, tmp_path: Path, previous_build: Path, case: str
) -> None:
    out = Path(shutil.copytree(previous_build, tmp_path / "site" / "dist"))
    before = tree(out)
    bad = CASES[case]
    bad.damage(mini_folder)
    result = CliRunner().invoke(cli, ["build", "--project", str(mini_folder), "--out", str(out)])
    assert result.exit_code == bad.exit_code, result.output
    if bad.exit_code == EXIT_VIOLATIONS:
        assert "nothing was written" in result.output
    assert tree(out) == before
    assert [p.name for p in out.parent.iterdir()] == ["dist"]


#: The source text, the quotes' positions and a label from the reference data.
QUOTES = """
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?text ?start ?end ?label {
    <id/announcement/mini> <ontology#text> ?text .
    ?selector oa:start ?start ; oa:end ?end .
    <id/place/kitakyushu> <http://www.w3.org/2000/01/rdf-schema#label> ?label .
} ORDER BY ?start ?label
"""


def test_a_utf8_byte_order_mark_is_no_part_of_the_text(mini_folder: Path) -> None:
    """Editors on Windows may start UTF-8 files with a byte order mark: data, source text and settings
    read as without it, and quote positions are not shifted by it."""
    expected = CliRunner().invoke(cli, ["query", "--project", str(mini_folder), "--format", "csv", QUOTES])
    assert expected.exit_code == 0, expected.output
    for path in (REFERENCE, MINI_ANNOUNCEMENT / "source.txt", Path("rit-graph.toml")):
        (mini_folder / path).write_bytes(codecs.BOM_UTF8 + (mini_folder / path).read_bytes())
    marked = CliRunner().invoke(cli, ["query", "--project", str(mini_folder), "--format", "csv", QUOTES])
    assert marked.output == expected.output
    assert CliRunner().invoke(cli, ["validate", "--project", str(mini_folder)]).exit_code == 0


def test_the_bad_input_files_are_as_described() -> None:
    """The encoding fixtures really hold Latin-1 bytes or UTF-16; the others are valid UTF-8."""
    latin1 = {"broken-encoding.ttl", "mixed-encoding.ttl", "source-latin1.txt"}
    utf16 = {"utf16.ttl": "utf-16", "utf16-no-bom.ttl": "utf-16-le"}
    for path in (p for p in BAD.rglob("*") if p.is_file()):
        if path.name in latin1:
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")
        elif path.name in utf16:
            assert path.read_text(encoding=utf16[path.name]).startswith("# A Turtle file saved as UTF-16")
        else:
            path.read_text(encoding="utf-8")
