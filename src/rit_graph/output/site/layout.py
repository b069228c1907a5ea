"""The frame every page shares: the Jinja2 templates, the messages in each language, navigation and language switch."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from rit_graph.output.site.languages import PAGE_LANGUAGES
from rit_graph.output.site.paths import folder, page_in, relative
from rit_graph.output.site.values import escape, rows_html, value_html

#: The words of the pages, by language and key (``templates/messages.toml``).
Messages = dict[str, dict[str, str]]
#: The site's own pages, linked from every page's header (``NAME.LANG.html``).
SITE_PAGES = ("index", "ontology", "shapes", "downloads")
#: What marks the language switch's link to the page itself.
_CURRENT = ' aria-current="page"'


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
        #: The header's parts by language and folder: the same for every page of a folder (bounded: a server
        #: keeps its Layout).
        self._frame = functools.lru_cache(maxsize=1 << 10)(self._framed)

    @property
    def own_editor(self) -> str | None:
        """The site path of the query editor when it is the site's own (rit-graph's), else None."""
        editor = self.query_editor
        return None if editor is None or editor.startswith(("http://", "https://")) else editor

    def page(
        self, template: str, here: str | None, lang: str, title: str, alternates: Callable[[str], str], **context: Any
    ) -> str:
        """Render TEMPLATE as the page at HERE (None: at any path, linked from the root), with the header
        (navigation, language switch, search box) and the links to the page in the other languages."""
        words = self.messages[lang]
        others = [(other, relative(alternates(other), here)) for other in PAGE_LANGUAGES]
        switch = "".join(
            f'<li><a href="{escape(href)}" hreflang="{other}" lang="{other}"{_CURRENT if other == lang else ""}>'
            f"{escape(self.messages[other]['language_name'])}</a></li>\n"
            for other, href in others
        )
        nav, search = self._frame(lang, None if here is None else folder(here))
        return self.env.get_template(template).render(
            lang=lang,
            title=title,
            msg=words,
            hreflang=Markup(
                "".join(
                    f'<link rel="alternate" hreflang="{other}" href="{escape(href)}">\n'
                    for other, href in others
                    if other != lang
                )
            ),
            site_header=Markup(
                f'{nav}<nav class="lang-switch" aria-label="{escape(words["language_switch"])}"><ul>\n'
                f"{switch}</ul></nav>\n{search}"
            ),
            favicon=relative("favicon.svg", here),
            **context,
        )

    def _framed(self, lang: str, page_folder: str | None) -> tuple[str, str]:
        """What the header shows the same on every page in PAGE_FOLDER in LANG (None: linked from the root): the
        site's navigation, and the search box (Pagefind's search page in the static site, the server's own
        there). Written here rather than in the template: every page has them, escaped a dozen times."""
        here = None if page_folder is None else page_in(page_folder)
        words = self.messages[lang]
        nav = [(words[key], relative(f"{key}.{lang}.html", here)) for key in self.site_pages]
        if self.query_editor is not None:
            own = self.own_editor
            nav.append((words["query"], relative(own, here) if own else self.query_editor))
        links = "".join(f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for text, href in nav)
        search = (
            f'<form class="site-search" role="search" action="{escape(relative(f"search.{lang}.html", here))}"'
            ' method="get">\n'
            f'<input type="search" name="q" maxlength="200" aria-label="{escape(words["search_label"])}"'
            f' placeholder="{escape(words["search_placeholder"])}">\n'
            f'<button type="submit">{escape(words["search"])}</button>\n'
            "</form>\n"
        )
        return f'<nav aria-label="{escape(words["site_nav"])}"><ul>\n{links}</ul></nav>\n', search
