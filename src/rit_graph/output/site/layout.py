"""The frame every page shares: the Jinja2 templates, the messages in each language, navigation and language switch."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from importlib import resources
from typing import Any

import jinja2

from rit_graph.output.site.languages import PAGE_LANGUAGES
from rit_graph.output.site.paths import relative

#: The words of the pages, by language and key (``templates/messages.toml``).
Messages = dict[str, dict[str, str]]


class Layout:
    """Renders templates as pages; Jinja2 autoescapes everything, so text from the data is shown, never run."""

    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("rit_graph", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.messages: Messages = tomllib.loads(
            resources.files("rit_graph").joinpath("templates").joinpath("messages.toml").read_text(encoding="utf-8")
        )

    def page(
        self, template: str, here: str | None, lang: str, title: str, alternates: Callable[[str], str], **context: Any
    ) -> str:
        """Render TEMPLATE as the page at HERE (None: at any path, linked from the root), with navigation and
        the language switch."""
        nav = [
            (self.messages[lang][key], relative(f"{key}.{lang}.html", here))
            for key in ("index", "ontology", "shapes", "downloads")
        ]
        switch = [
            (other, self.messages[other]["language_name"], relative(alternates(other), here), other == lang)
            for other in PAGE_LANGUAGES
        ]
        return self.env.get_template(template).render(
            lang=lang,
            title=title,
            msg=self.messages[lang],
            nav=nav,
            switch=switch,
            **context,
        )
