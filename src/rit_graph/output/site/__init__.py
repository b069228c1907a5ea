"""Render the graph as a linked-data site: one HTML page per resource and language.

The same pages serve the static site (``write_site``) and the server. Every
page lives at a path derived from its IRI (``id/place/kitakyushu.en.html``
beside ``kitakyushu.ttl`` and the other formats) and links to other pages
with relative links, so the written folder works on any web server. Jinja2
autoescapes everything that comes from the data, and only http(s) IRIs ever
become links, so hostile text in the data is shown, never run.

The package owns the pages, their templates' context and each resource's
data files; the templates themselves stay in ``rit_graph/templates``. The rest
of the code renders through ``Site`` (``facade``) and ``write_site``
(``writer``), the names re-exported here. Its parts, each importing only those
listed before it:

- ``languages``: the languages of the pages and the fallback order;
- ``favicon``: the site's icon, as SVG and as ICO;
- ``hosts``: the limits of common static hosts, which ``build`` checks the written site against;
- ``graph``: the triples indexed both ways, texts in a language;
- ``paths``: where each page and data file lives, relative links;
- ``values``: terms as the templates show them (``Value``, ``Row``);
- ``layout``: the templates, messages, navigation and language switch;
- ``markup``: the schema.org block each resource page embeds;
- ``quotes``: the annotations' quotes, listed and marked in their source;
- ``diagrams``: the corpus summed up (classes, latest announcements, partnerships by pair, events by year);
- ``pages``: the resource, source and downloads pages;
- ``browse``: the home page's overview and the browse pages that list what it sums up;
- ``vocabulary_pages``: the ontology and shapes pages;
- ``data``: each resource's data in the RDF formats;
- ``shown``: what each page shows, as the key the site's files are cached under;
- ``facade``, ``writer``: ``Site``, and ``write_site`` (or ``site_writer``, which starts the search's index first,
  with Pagefind started earlier by ``pagefind_started`` if given);
- ``incremental`` (before ``writer``): the site's files as entries (path, key, render), rendered on all
  cores only when their key is new, the others linked from the cache;
- ``search_page``, ``search_shards`` (between those two; ``search_shards`` after ``incremental``, whose
  ``make_folders`` it uses): the search page, and the static search's
  index: Pagefind records made from the data, in shards indexed again only when their records change
  (the server's search index is ``output.search``);
- ``sitemap`` (after ``search_page``, before ``writer``): the sitemap and robots.txt, for a site whose public
  address is known.

It is part of the ``output`` stage: it may import the other ``output``
modules (``catalog``), ``schemaorg``, ``validation``, ``query``, ``corpus``,
``runtime``, ``rdf`` and ``errors``, never ``serve`` or ``cli``.
"""

from rit_graph.output.site.facade import Site, render_resource
from rit_graph.output.site.languages import FALLBACK, PAGE_LANGUAGES
from rit_graph.output.site.markup import SchemaBlock, schema_org_blocks
from rit_graph.output.site.paths import RESOURCE_FORMATS
from rit_graph.output.site.search_shards import Pagefind, pagefind_started
from rit_graph.output.site.values import Row, Value
from rit_graph.output.site.writer import site_writer, write_site

__all__ = [
    "FALLBACK",
    "PAGE_LANGUAGES",
    "Pagefind",
    "RESOURCE_FORMATS",
    "Row",
    "SchemaBlock",
    "Site",
    "Value",
    "pagefind_started",
    "render_resource",
    "schema_org_blocks",
    "site_writer",
    "write_site",
]
