"""A static site that common static hosts would not publish is built, and the build says so and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rit_graph.cli import cli
from rit_graph.corpus.project import Project
from rit_graph.output.site import hosts


@pytest.mark.parametrize(
    ("files", "size", "refused_by"),
    [
        # 88 synthetic announcements (100k triples): 38,000 files, 270 MB.
        pytest.param(38_000, 270 * 10**6, [], id="100k triples: every host"),
        pytest.param(150_000, 500 * 10**6, ["Cloudflare Pages"], id="more files than Cloudflare takes"),
        # 880 announcements (1M triples): 375,000 files, 2.7 GB.
        pytest.param(375_000, 27 * 10**8, ["GitHub Pages", "GitLab Pages", "Cloudflare Pages"], id="1M triples: none"),
    ],
)
def test_the_hosts_that_would_refuse_a_site(files: int, size: int, refused_by: list[str]) -> None:
    assert [h.name for h in hosts.outgrown(files, size)] == refused_by


def test_every_host_cites_the_page_that_gives_its_limits() -> None:
    assert all(h.source.startswith("https://") and (h.most_files or h.most_bytes) for h in hosts.HOSTS)


def build(project: Project, out: Path) -> tuple[str, str]:
    result = CliRunner().invoke(cli, ["build", "--project", str(project.root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_a_small_site_is_built_with_its_size_and_no_note(mini_project: Project, tmp_path: Path) -> None:
    stdout, stderr = build(mini_project, tmp_path / "dist")
    files = [p for p in (tmp_path / "dist" / "site").rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    assert f"site ({len(files)} files, {size} bytes)" in stdout
    assert "note:" not in stderr


def test_a_site_too_large_for_the_hosts_is_built_and_the_server_advised(
    mini_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hosts, "HOSTS", (hosts.Host("Tiny Pages", 10, None, "https://example.org/limits"),))
    stdout, stderr = build(mini_project, tmp_path / "dist")
    assert (tmp_path / "dist" / "site" / "index.html").is_file()
    assert "note: the static site is larger than Tiny Pages (10 files) publish" in stderr
    assert "rit-graph serve" in stderr and "--no-site" in stderr
