"""The frame every page shares: the Jinja2 templates, the messages in each language, navigation and language switch."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from importlib import resources
from typing import Any

import jinja2

from rit_graph.output.site.languages import PAGE_LANGUAGES
from rit_graph.output.site.paths import relative
from rit_graph.output.site.values import rows_html, value_html

#: The words of the pages, by language and key (``templates/messages.toml``).
Messages = dict[str, dict[str, str]]
#: The site's own pages, linked from every page's header (``NAME.LANG.html``).
SITE_PAGES = ("index", "ontology", "shapes", "downloads")


class Layout:
    """Renders templates as pages; Jinja2 autoescapes everything, so text from the data is shown, never run."""

    def __init__(self, query_editor: str | None = None, site_pages: tuple[str, ...] = SITE_PAGES) -> None:
        """QUERY_EDITOR: where the header's link to the SPARQL query editor leads (a site path such as ``sparql``,
        or an http(s) URL), None for no link; SITE_PAGES: the site's own pages in the header (none where a
        server has no site)."""
        self.query_editor = query_editor
        self.site_pages = site_pages
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("rit_graph", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            # The templates are the package's own and do not change while it runs: not checked on every page.
            auto_reload=False,
        )
        # Terms are shown the same on every page, by Python functions for speed (``values``).
        self.env.globals.update(value=value_html, rows=rows_html)
        self.messages: Messages = tomllib.loads(
            resources.files("rit_graph").joinpath("templates").joinpath("messages.toml").read_text(encoding="utf-8")
        )

    @property
    def own_editor(self) -> str | None:
        """The site path of the query editor when it is the site's own (rit-graph's), else None."""
        editor = self.query_editor
        return None if editor is None or editor.startswith(("http://", "https://")) else editor

    def page(
        self, template: str, here: str | None, lang: str, title: str, alternates: Callable[[str], str], **context: Any
    ) -> str:
        """Render TEMPLATE as the page at HERE (None: at any path, linked from the root), with navigation and
        the language switch."""
        nav = [(self.messages[lang][key], relative(f"{key}.{lang}.html", here)) for key in self.site_pages]
        if self.query_editor is not None:
            own = self.own_editor
            nav.append((self.messages[lang]["query"], relative(own, here) if own else self.query_editor))
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
            favicon=relative("favicon.svg", here),
            # The header's search box: the search page, Pagefind's in the static site, the server's own there.
            search_href=relative(f"search.{lang}.html", here),
            **context,
        )
