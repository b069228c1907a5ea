"""The search page, at ``search.LANG.html`` in the static site and on the server alike.

Every page's header has a search box whose form goes to this path with ``?q=``.
In the static site the page is Pagefind's interface, which reads ``q`` and
searches the shards that ``search_shards.write_index`` writes into
``pagefind/`` beside it, merged into one index; on the server the same path
answers with the results of its own index, so one link works for both.
"""

from __future__ import annotations

from typing import Any

from rit_graph.output.site.facade import Site
from rit_graph.output.site.search_shards import BUNDLE, SHARDS

__all__ = ["BUNDLE", "MAX_QUERY", "search_page", "search_path"]
#: How many characters a query may have: a label has at most 200 (the shapes), so a longer query finds nothing.
MAX_QUERY = 200


def search_path(lang: str) -> str:
    return f"search.{lang}.html"


def search_page(site: Site, lang: str, static: bool, here: str | None = None, **context: Any) -> str:
    """The search page in LANG: Pagefind's interface if STATIC, else the server's form with CONTEXT (query,
    results, error...); HERE is the path its links are relative to, by default its own."""
    here = here or search_path(lang)
    shown: dict[str, Any] = {
        **{"query": "", "results": None, "error": None, "total": 0, "max_query": MAX_QUERY},
        **{"page": 1, "pages": 1, "first": 1, "previous": None, "next": None},
    }
    return site.page(
        "search.html",
        here,
        lang,
        site.messages[lang]["search"],
        search_path,
        static=static,
        bundle=site.relative(BUNDLE, here) + "/",
        shards=SHARDS,
        **(shown | context),
    )
