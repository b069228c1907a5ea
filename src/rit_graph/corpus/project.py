"""A project folder: where its ontology, data and shapes are, and its settings.

rit-graph works on a folder as mkdocs or hugo do. The folder holds
``ontology/``, ``shapes/`` and ``data/`` (``data/reference/`` for shared
reference data, ``data/announcements/NAME/`` for each announcement with its
``source.txt``), and optionally ``rit-graph.toml`` with the settings below.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rit_graph.errors import InputError
from rit_graph.rdf.namespaces import DEFAULT_BASE_IRI

CONFIG_FILE = "rit-graph.toml"
SOURCE_TEXT = "source.txt"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


#: The one table of project settings (``[project]`` in rit-graph.toml).
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "base_iri",
        DEFAULT_BASE_IRI,
        "Base IRI against which the relative IRIs of every ontology, data and shapes file resolve; "
        "the ontology is BASE/ontology#, resources are BASE/id/..., graphs are BASE/graph/...",
    ),
    Setting("title", "rit-graph", "Title of the published dataset."),
    Setting(
        "description",
        "Regional industry cooperation announcements as a knowledge graph, every fact traced to its source.",
        "Description of the published dataset (catalog.ttl).",
    ),
    Setting("publisher_name", "", "Name of the dataset's publisher; left out of the catalog when empty."),
    Setting("publisher_iri", "", "IRI of the dataset's publisher; left out of the catalog when empty."),
    Setting("downloads_url", "", "Where the dumps are published (catalog download URLs); default BASE/downloads/."),
    Setting(
        "sparql_endpoint",
        "",
        "http(s) URL of a SPARQL endpoint serving this dataset (a browser there gets its query editor), linked "
        "from every page of the static site; no link when empty (rit-graph serve links its own /sparql).",
    ),
    Setting(
        "site_url",
        "",
        "http(s) URL where the static site (DIR/site/) is published, ending in '/': the build then writes "
        "sitemap.xml for search engines (and robots.txt naming it, for a site at its host's root); "
        "neither when empty, since a sitemap lists absolute URLs.",
    ),
    Setting(
        "license",
        "https://creativecommons.org/licenses/by/4.0/",
        "Licence IRI of the published dataset (the source texts keep their publishers' rights).",
    ),
)


@dataclass(frozen=True)
class Announcement:
    """One announcement folder: its name, its RDF files and its source text."""

    name: str
    folder: Path
    rdf_files: tuple[Path, ...]

    @property
    def source_text(self) -> Path:
        return self.folder / SOURCE_TEXT


@dataclass(frozen=True)
class Project:
    root: Path
    settings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, root: Path | str = ".") -> Project:
        """Open the project in ROOT, checking that its folders exist and its settings are known."""
        root = Path(root).resolve()
        missing = [d for d in ("ontology", "shapes", "data") if not (root / d).is_dir()]
        if missing:
            raise InputError(
                root,
                f"not a rit-graph project: missing folder(s) {', '.join(m + '/' for m in missing)}",
                "run the command in a folder that holds ontology/, shapes/ and data/, or pass --project DIR",
            )
        return cls(root, _read_settings(root / CONFIG_FILE))

    def setting(self, name: str) -> str:
        return self.settings[name]

    @property
    def base_iri(self) -> str:
        return self.settings["base_iri"]

    @property
    def ontology_iri(self) -> str:
        return self.base_iri + "ontology"

    @property
    def vocabulary(self) -> str:
        """The namespace of the ontology's terms."""
        return self.base_iri + "ontology#"

    def graph_iri(self, kind: str, name: str = "") -> str:
        return self.base_iri + "graph/" + kind + ("/" + name if name else "")

    def announcement_iri(self, name: str) -> str:
        return self.base_iri + "id/announcement/" + name

    def ontology_files(self) -> list[Path]:
        return _rdf_files(self.root / "ontology")

    def shapes_files(self) -> list[Path]:
        return _rdf_files(self.root / "shapes")

    def reference_files(self) -> list[Path]:
        return _rdf_files(self.root / "data" / "reference")

    def announcements(self) -> list[Announcement]:
        """Every folder under data/announcements/, in name order."""
        parent = self.root / "data" / "announcements"
        if not parent.is_dir():
            return []
        return [
            Announcement(folder.name, folder, tuple(_rdf_files(folder)))
            for folder in sorted(parent.iterdir())
            if folder.is_dir() and not folder.name.startswith(".")
        ]


def _rdf_files(folder: Path) -> list[Path]:
    from rit_graph.rdf.formats import for_path

    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and for_path(p) is not None)


def _read_settings(path: Path) -> dict[str, str]:
    values = {s.name: s.default for s in SETTINGS}
    if not path.exists():
        return values
    try:
        # utf-8-sig: a byte order mark, as some editors write, is no part of the settings.
        config: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot read settings: {e}", "fix the TOML syntax") from e
    section = config.get("project", {})
    known = {s.name for s in SETTINGS}
    for key, value in section.items():
        if key not in known:
            raise InputError(path, f"unknown setting [project] {key}", f"known settings: {', '.join(sorted(known))}")
        if not isinstance(value, str):
            raise InputError(path, f"setting {key} must be a string", f'write {key} = "..."')
        values[key] = value
    if not values["base_iri"].endswith("/"):
        raise InputError(path, "base_iri must end with '/'", f'write base_iri = "{values["base_iri"]}/"')
    if values["sparql_endpoint"] and not values["sparql_endpoint"].startswith(("http://", "https://")):
        # Every page links to it: only http(s) ever becomes a link (a javascript: URL would run on a click).
        raise InputError(path, "sparql_endpoint must be an http:// or https:// URL", "write its full address")
    site_url = values["site_url"]
    if site_url and not (site_url.startswith(("http://", "https://")) and site_url.endswith("/")):
        # The sitemap's URLs are this and a page's path: any other form would name pages that are not there.
        raise InputError(
            path, "site_url must be an http:// or https:// URL ending in '/'", 'write site_url = "https://.../"'
        )
    return values
