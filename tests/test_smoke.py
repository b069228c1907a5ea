from click.testing import CliRunner

from rit_graph.cli import cli


def test_the_repository_project_validates(tmp_path):
    result = CliRunner().invoke(cli, ["validate", "--project", "."])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output
