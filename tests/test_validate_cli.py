"""rit-graph validate: a report by resource for people, JSON for programs, the SHACL report itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner, Result
from projects import ROOT
from rdflib.namespace import RDF, SH

from rit_graph.cli import cli


def validate(project: Path, *options: str) -> Result:
    return CliRunner().invoke(cli, ["validate", "--project", str(project), *options])


@pytest.fixture
def two_problems(mini_folder: Path) -> Path:
    """The minimal project with a distance without unit and a Japanese city without Japanese label."""
    data = mini_folder / "data" / "reference" / "reference.ttl"
    text = data.read_text(encoding="utf-8")
    data.write_text(text.replace('rit:unitCode "KMT" ;', "").replace(' , "北九州市"@ja', ""), encoding="utf-8")
    return mini_folder


def test_the_repository_project_conforms() -> None:
    result = validate(ROOT)
    assert result.exit_code == 0, result.output
    assert result.output == "conforms: no violations\n"


def test_text_report_is_grouped_by_resource_with_label_and_folder(two_problems: Path) -> None:
    result = validate(two_problems)
    assert result.exit_code == 1
    assert result.output == (
        "<id/distance/kitakyushu-tokyo>  “Distance”\n"
        "  in data/reference/\n"
        '  violation: rit:unitCode: needs exactly one unit (rit:unitCode), a UN/CEFACT code such as "KMT" for '
        "kilometres\n"
        "\n"
        "<id/place/kitakyushu>  “Kitakyushu”\n"
        "  in data/reference/\n"
        '  violation: is Japanese and needs a Japanese label: add rdfs:label "…"@ja\n'
        "\n"
        "2 violation(s), 0 warning(s) in 2 resource(s)\n"
    )


def test_a_problem_inside_an_annotation_names_the_annotation_and_the_statement(mini_folder: Path) -> None:
    data = mini_folder / "data" / "announcements" / "mini" / "announcement.ttl"
    text = data.read_text(encoding="utf-8")
    data.write_text(
        text.replace('rdfs:comment "The text is German; it does not say so itself."@en ', ""), encoding="utf-8"
    )
    result = validate(mini_folder)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:2] == ["<id/announcement/mini/quote/headline>", "  in data/announcements/mini/"]
    assert lines[2].startswith(
        "  violation: rdfs:comment: (in oa:hasBody statement <id/announcement/mini> rit:inLanguage"
    )
    assert lines[2].endswith("an inferred statement must say how it was inferred (rdfs:comment)")


def test_json_report(two_problems: Path) -> None:
    result = validate(two_problems, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert (report["conforms"], report["violations"], report["warnings"]) == (False, 2, 0)
    distance, city = report["resources"]
    assert distance == {
        "focus": "<id/distance/kitakyushu-tokyo>",
        "label": "Distance",
        "files": ["data/reference/"],
        "findings": [
            {
                "severity": "violation",
                "message": 'needs exactly one unit (rit:unitCode), a UN/CEFACT code such as "KMT" for kilometres',
                "path": "rit:unitCode",
                "value": None,
                "shape": "<shapes#Distance>",
                "constraint": "sh:MinCountConstraintComponent",
            }
        ],
    }
    assert (city["focus"], city["label"]) == ("<id/place/kitakyushu>", "Kitakyushu")
    assert [(f["shape"], f["constraint"]) for f in city["findings"]] == [
        ("<shapes#JapaneseLabel>", "sh:OrConstraintComponent")
    ]


def test_json_report_when_conforming(mini_folder: Path) -> None:
    result = validate(mini_folder, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"conforms": True, "violations": 0, "warnings": 0, "resources": []}


def turtle_report(project: Path, exit_code: int) -> tuple[bool, set[str]]:
    """Whether the SHACL report parsed from --format turtle conforms, and its focus nodes."""
    result = validate(project, "--format", "turtle")
    assert result.exit_code == exit_code
    graph = rdflib.Graph().parse(data=result.output, format="turtle")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    results = list(graph.objects(report, SH.result))
    assert all((r, RDF.type, SH.ValidationResult) in graph for r in results)
    return graph.value(report, SH.conforms).toPython(), {str(graph.value(r, SH.focusNode)) for r in results}


def test_turtle_report_with_violations(two_problems: Path) -> None:
    assert turtle_report(two_problems, 1) == (
        False,
        {"https://example.org/kb/id/distance/kitakyushu-tokyo", "https://example.org/kb/id/place/kitakyushu"},
    )


def test_turtle_report_when_conforming(mini_folder: Path) -> None:
    assert turtle_report(mini_folder, 0) == (True, set())


def test_the_number_of_worker_processes_changes_nothing_in_the_report(two_problems: Path) -> None:
    one, three = (validate(two_problems, "--no-cache", "--format", "json", "--jobs", n) for n in ("1", "3"))
    assert (one.exit_code, three.exit_code) == (1, 1)
    assert one.stdout == three.stdout


@pytest.mark.parametrize(
    ("option", "environment", "message"),
    [
        (["--jobs", "0"], {}, "Invalid value for '--jobs': 0 is not in the range x>=1."),
        ([], {"RIT_GRAPH_JOBS": "many"}, "RIT_GRAPH_JOBS='many': set it to a number of worker processes"),
        ([], {"RIT_GRAPH_JOBS": "0"}, "RIT_GRAPH_JOBS='0': set it to a number of worker processes"),
    ],
)
def test_a_number_of_worker_processes_below_one_is_refused(
    mini_folder: Path, option: list[str], environment: dict[str, str], message: str
) -> None:
    result = CliRunner(env=environment).invoke(cli, ["validate", "--project", str(mini_folder), *option])
    assert result.exit_code == 2
    assert message in result.output


def test_a_shape_that_targets_values_reports_each_value_under_the_resource_that_has_it(mini_folder: Path) -> None:
    """A project's own shape may target literals (sh:targetObjectsOf); its findings are a resource's like any."""
    shapes = mini_folder / "shapes" / "rit-shapes.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8")
        + """
shape:ShortHeadline a sh:NodeShape ;
    sh:targetObjectsOf rit:headline ;
    sh:maxLength 5 ;
    sh:message "a headline of at most 5 characters"@en .
""",
        encoding="utf-8",
    )
    result = validate(mini_folder)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[:3] == [
        "<id/announcement/mini>  “A small test announcement”",
        "  in data/announcements/mini/",
        '  violation: (value "Kleine Meldung zum Test"@de) a headline of at most 5 characters',
    ]
