"""Where a static site can be published as files: the limits of common static hosts, so that ``build`` says
when a site has outgrown them and the server is the way to publish it (README, "Static site or server")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Host:
    """A static host's limits on one site, as its documentation gives them (None: none given)."""

    name: str
    most_files: int | None
    most_bytes: int | None
    #: The page that gives the limits.
    source: str

    def refuses(self, files: int, size: int) -> bool:
        return (self.most_files is not None and files > self.most_files) or (
            self.most_bytes is not None and size > self.most_bytes
        )

    def limits(self) -> str:
        found = [f"{self.most_files:,} files"] if self.most_files else []
        found += [f"{self.most_bytes / 1e9:g} GB"] if self.most_bytes else []
        return f"{self.name} ({', '.join(found)})"


#: Each host's most generous plan. Checked 2026-12-06.
HOSTS = (
    Host(
        "GitHub Pages",
        None,
        10**9,
        "https://docs.github.com/en/pages/getting-started-with-github-pages/github-pages-limits",
    ),
    Host("GitLab Pages", 200_000, 10**9, "https://docs.gitlab.com/ee/administration/instance_limits.html"),
    Host("Cloudflare Pages", 100_000, None, "https://developers.cloudflare.com/pages/platform/limits/#files"),
)


def outgrown(files: int, size: int) -> list[Host]:
    """The hosts that would not publish a site of FILES files and SIZE bytes."""
    return [host for host in HOSTS if host.refuses(files, size)]
